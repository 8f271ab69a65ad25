"""Reading one start-mode answer: Retell's error message with a hint that fits the endpoint, then the model check.

client.py reads the wait-mode endpoints with hints about `batch-job-id`; the start-mode endpoints
(engines.py, catalog.py, starting.py, recovery.py) are about other inputs, so each passes its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import ApiError
from ..net.transport import Answer
from .client import HINTS, SCHEMA_HINT, describe

if TYPE_CHECKING:
    from pydantic import BaseModel

Model = TypeVar("Model", bound="BaseModel")

UNEXPECTED_HINT = "Check `base-url` (Retell's API root, such as https://api.retellai.com) and the inputs named above."
# Every endpoint shares these two: the key is the same, and so is the rate limit.
COMMON_HINTS = {401: HINTS[401], 429: HINTS[429]}


def read_json(answer: Answer, what: str, hints: Mapping[int, str]) -> Any:
    """The JSON body of a 200 answer; any other status raises Retell's refusal (see `refusal`).

    `what` names the request in messages ("the agent agent_123").
    """
    if answer.status != 200:
        raise refusal(answer, what, hints)
    return answer.json(f"Retell's answer for {what}", SCHEMA_HINT)


def refusal(answer: Answer, what: str, hints: Mapping[int, str]) -> ApiError:
    """The error for an answer that is not a success: Retell's message, and the hint for its status."""
    status = answer.status
    hint = hints.get(status) or COMMON_HINTS.get(status) or UNEXPECTED_HINT
    if 300 <= status < 400:
        return ApiError(f"Retell answered with a redirect (HTTP {status}), which the gate does not follow.", hint)
    return ApiError(f"Retell refused the request for {what}: HTTP {status}{answer.error_message()}.", hint)


def validate(model: type[Model], body: Any, what: str) -> Model:
    """`body` as `model`, or ApiError naming the wrong fields (never their values)."""
    from pydantic import ValidationError

    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise ApiError(f"Retell's answer for {what} is malformed: {describe(error)}.", SCHEMA_HINT) from None
