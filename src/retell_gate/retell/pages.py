"""Following Retell's `{items, has_more, pagination_key}` pages, guarded against loops (no pydantic here).

Every v2 listing the gate reads (test runs, test case definitions, batch tests) pages the same
way, and each can go wrong the same ways: a pagination key that repeats (or is missing while
`has_more` is true), pages without end, or a page too large to read. `iter_pages` follows the
keys, asks again with a smaller `limit` when a page is too large, and raises BrokenPagination
when the listing cannot be trusted to end. Callers decide whether a partial listing is usable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol, TypeVar

from ..errors import ApiError
from ..net.transport import ResponseTooLarge

T_co = TypeVar("T_co", covariant=True)

PAGINATION_HINT = "Retell's pages did not end as its specification says; report it with this step's log if it persists."


class Page(Protocol[T_co]):
    """One page of a v2 listing, as the models in models.py and start_models.py describe it."""

    @property
    def items(self) -> Sequence[T_co]: ...

    @property
    def has_more(self) -> bool: ...

    @property
    def pagination_key(self) -> str | None: ...


class BrokenPagination(ApiError):
    """The pages repeat themselves or do not end: what was read so far may be incomplete."""


def iter_pages(
    fetch: Callable[[str | None, int], Page[T_co]],
    what: str,
    *,
    max_pages: int,
    limit: int,
    min_limit: int,
) -> Iterator[Sequence[T_co]]:
    """Each page's items, in order. `fetch(pagination_key, limit)` reads one page (key None: the first).

    `what` names the listing in messages ("test runs"). ApiError from `fetch` propagates, except
    a too-large page, which is asked for again with a quarter of the limit (down to `min_limit`).
    """
    key: str | None = None
    seen_keys: set[str] = set()
    for _ in range(max_pages):
        try:
            page = fetch(key, limit)
        except ResponseTooLarge:
            if limit <= min_limit:
                raise
            limit = max(min_limit, limit // 4)  # ask again for the same page, smaller
            continue
        yield page.items
        if not page.has_more:
            return
        if not page.pagination_key or page.pagination_key in seen_keys:
            raise BrokenPagination(f"Retell's pagination of the {what} repeated itself", PAGINATION_HINT)
        seen_keys.add(page.pagination_key)
        key = page.pagination_key
    raise BrokenPagination(f"Retell's pagination of the {what} went past {max_pages} pages", PAGINATION_HINT)
