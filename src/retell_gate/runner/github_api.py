"""GitHub's REST API: the few endpoints of a pull request's comments, on the same Transport as Retell's.

Retries, size caps and the deadline are net/transport.py's, so GitHub gets the same patience as
Retell and no more. A comment is created with `resend_if_unsure=False`: after a failure that leaves
open whether GitHub took it, the caller looks for it instead of posting a second one. The token goes
only to the API root the runner names (`GITHUB_API_URL`): a `Link` to any other origin is refused.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from .. import __version__
from ..errors import ApiError
from ..net.transport import Answer, Messages, Transport

API_VERSION = "2022-11-28"
PER_PAGE = 100  # the most GitHub serves a page
MAX_PAGES = 100
MAX_PAGE_BYTES = 32 * 1024 * 1024  # 100 comments of up to 65,536 characters each
MAX_ANSWER_BYTES = 2 * 1024 * 1024
TRANSIENT_HINT = "GitHub or the network is having trouble; the next run updates the comment."
TLS_HINT = (
    "Check GITHUB_API_URL. Behind a proxy that re-signs HTTPS with its own certificate authority, point "
    "REQUESTS_CA_BUNDLE at that authority's certificate (in the step's `env:`)."
)
SCHEMA_HINT = "GitHub's answer did not match its REST API documentation; the next run tries again."
MESSAGES = Messages("GitHub", TRANSIENT_HINT, TLS_HINT, SCHEMA_HINT)


class GitHubError(ApiError):
    """GitHub refused a request (`status` says how) or answered in a way the gate cannot use."""

    def __init__(self, message: str, hint: str = "", status: int | None = None) -> None:
        super().__init__(message, hint)
        self.status = status


@dataclass(frozen=True)
class Comment:
    id: int
    body: str


class GitHubApi:
    """One repository's issue comments (a pull request's conversation is its issue's)."""

    def __init__(
        self,
        api_url: str,
        repository: str,
        token: str,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._root = api_url.rstrip("/")
        owner, _, name = repository.partition("/")
        self._repo = f"{self._root}/repos/{quote(owner, safe='')}/{quote(name, safe='')}"
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": f"retell-batch-gate/{__version__}",
        }
        self._transport = Transport(self._root, headers, MESSAGES, clock, sleep, rng, secrets=(token,))

    def find_comment(self, number: int, wanted: Callable[[str], bool], deadline: float) -> Comment | None:
        """The oldest comment on the pull request whose body is `wanted`, following pages to the end."""
        url: str | None = f"{self._repo}/issues/{number}/comments?per_page={PER_PAGE}"
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            if url is None:
                return None
            if url in seen:
                raise GitHubError("GitHub's pages of comments lead back to a page already read.", SCHEMA_HINT)
            seen.add(url)
            answer = self._transport.send("GET", url, deadline, MAX_PAGE_BYTES)
            page = _expect(answer, 200, "list of comments")
            if not isinstance(page, list):
                raise GitHubError("GitHub's list of comments is not a list.", SCHEMA_HINT)
            for item in page:
                comment = _comment(item)
                if wanted(comment.body):
                    return comment
            url = self._next_page(answer)
        raise GitHubError(f"The pull request has more than {MAX_PAGES * PER_PAGE} comments to look through.")

    def create_comment(self, number: int, body: str, deadline: float) -> Comment:
        """Post a comment; raises MaybeArrived (never posting twice) when it may or may not have arrived."""
        url = f"{self._repo}/issues/{number}/comments"
        answer = self._transport.send("POST", url, deadline, MAX_ANSWER_BYTES, {"body": body}, resend_if_unsure=False)
        return _comment(_expect(answer, 201, "new comment"))

    def edit_comment(self, comment_id: int, body: str, deadline: float) -> Comment:
        """Replace a comment's body (sending the same edit twice does no harm)."""
        url = f"{self._repo}/issues/comments/{comment_id}"
        answer = self._transport.send("PATCH", url, deadline, MAX_ANSWER_BYTES, {"body": body})
        return _comment(_expect(answer, 200, "edited comment"))

    def delete_comment(self, comment_id: int, deadline: float) -> None:
        """Delete a comment; one already gone counts as deleted (a retried delete can find it so)."""
        url = f"{self._repo}/issues/comments/{comment_id}"
        answer = self._transport.send("DELETE", url, deadline, MAX_ANSWER_BYTES)
        if answer.status not in (204, 404):
            _expect(answer, 204, "deletion")  # raises, with GitHub's message

    def _next_page(self, answer: Answer) -> str | None:
        url = next_link(answer.headers.get("Link", ""))
        if url is None:
            return None
        here, there = urlsplit(self._root), urlsplit(url)
        if (there.scheme, there.netloc) != (here.scheme, here.netloc):
            # The token must not follow a link anywhere else.
            raise GitHubError("GitHub's next page of comments is on another host; the gate does not follow it.")
        return url


_LINK = re.compile(r"<([^>]*)>([^,]*)")
_REL = re.compile(r';\s*rel="?([^";]*)"?')


def next_link(header: str) -> str | None:
    """The `rel="next"` URL of a `Link` header (RFC 8288), or None on the last page."""
    for target, params in _LINK.findall(header):
        for rel in _REL.findall(params):
            if "next" in rel.split():
                return str(target)
    return None


def _expect(answer: Answer, status: int, what: str) -> Any:
    if answer.status == status:
        return answer.json(f"GitHub's {what}", SCHEMA_HINT)
    if 300 <= answer.status < 400:
        raise GitHubError(f"GitHub answered with a redirect (HTTP {answer.status}), which the gate does not follow.")
    message = answer.error_message()
    raise GitHubError(f"GitHub refused the request: HTTP {answer.status}{message}.", status=answer.status)


def _comment(item: Any) -> Comment:
    """A comment from GitHub's JSON; anything unexpected stops the search (it might have been ours)."""
    comment_id = item.get("id") if isinstance(item, dict) else None
    body = item.get("body") if isinstance(item, dict) else None
    if type(comment_id) is not int or not (body is None or isinstance(body, str)):
        raise GitHubError("GitHub's answer holds a comment without a numeric `id` and a text `body`.", SCHEMA_HINT)
    return Comment(comment_id, body or "")
