"""A local stand-in for GitHub's REST API: a pull request's issue comments, over real HTTP on 127.0.0.1.

Shaped by GitHub's REST documentation (docs.github.com/en/rest/issues/comments):

- `GET /repos/{owner}/{repo}/issues/{number}/comments?per_page=&page=`: oldest first, 30 a page by
  default, `per_page` at most 100; further pages in the `Link` header, as absolute URLs of the
  `/repositories/{id}/...` form GitHub itself uses there.
- `POST` to the same path with `{"body": ...}`: 201 and the new comment; a body over 65,536
  characters is a 422.
- `PATCH /repos/{owner}/{repo}/issues/comments/{id}`: 200 and the edited comment; 404 if unknown.
- `DELETE` on that path: 204 and no body; 404 if unknown.
- Without `Authorization: Bearer <token>`: 401 "Bad credentials".

`prefix="/api/v3"` serves the routes under a GitHub Enterprise Server root. `mode` breaks it on
purpose: "read-only" answers writes with the 403 a fork's token gets, "not-found" answers everything
404, "reset-after-create" creates the first comment posted and then resets the connection without
an answer, "lost-create" resets it without creating anything, "hang" never answers. Two modes stand in
for a second run of the same job: "twin" creates a copy of the first comment posted just before it, and
"race" holds the first two listings until both have arrived, so that two runs both find nothing.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

REPO_ID = 1296269
BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
READ_ONLY = "Resource not accessible by integration"
MAX_BODY = 65536


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str


@dataclass
class FakeGitHub:
    """The server; use as a context manager to run it on a background thread."""

    token: str
    repository: str = "octo-org/agent"
    prefix: str = ""
    mode: str = "ok"
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._next_id = 9000
        self._resets_left = 1
        self._twins_left = 1
        self._race = threading.Barrier(2, timeout=10) if self.mode == "race" else None
        self._race_listings_left = 2
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def root(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """What the runner puts in GITHUB_API_URL."""
        return self.root + self.prefix

    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.stopping = True  # type: ignore[attr-defined]
        self._server.shutdown()
        self._server.server_close()

    def add_comment(self, number: int, body: str, user: dict[str, Any] | None = None) -> int:
        with self._lock:
            self._next_id += 1
            comment = {
                "id": self._next_id,
                "node_id": f"IC_{self._next_id}",
                "url": f"{self.api_url}/repos/{self.repository}/issues/comments/{self._next_id}",
                "html_url": f"https://github.test/{self.repository}/pull/{number}#issuecomment-{self._next_id}",
                "body": body,
                "user": user or {"login": "reviewer", "id": 7, "type": "User"},
                "author_association": "MEMBER",
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:00Z",
            }
            self.comments.setdefault(number, []).append(comment)
        return int(comment["id"])

    def bodies(self, number: int) -> list[str]:
        return [comment["body"] for comment in self.comments.get(number, [])]

    def methods(self) -> list[str]:
        return [request.method for request in self.requests]

    # -- answering -------------------------------------------------------------------------------

    def answer(self, method: str, target: str, headers: dict[str, str], body: str) -> tuple[int, dict[str, str], Any]:
        with self._lock:
            self.requests.append(Request(method, target, headers, body))
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {}, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}
        if self.mode == "not-found":
            return 404, {}, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
        if self.mode == "read-only" and method != "GET":
            return 403, {}, {"message": READ_ONLY, "documentation_url": "https://docs.github.com/rest", "status": "403"}
        parts = urlsplit(target)
        path = parts.path.removeprefix(self.prefix) if parts.path.startswith(self.prefix + "/") else ""
        repo = re.escape(self.repository)
        listing = re.fullmatch(rf"/(?:repos/{repo}|repositories/{REPO_ID})/issues/(\d+)/comments", path)
        if listing and method == "GET":
            page = self._page(int(listing.group(1)), parse_qs(parts.query))
            self._hold_for_race()  # read first, then wait: both listings see the comments as they were
            return page
        if listing and method == "POST":
            return self._create(int(listing.group(1)), body)
        edit = re.fullmatch(rf"/repos/{repo}/issues/comments/(\d+)", path)
        if edit and method == "PATCH":
            return self._edit(int(edit.group(1)), body)
        if edit and method == "DELETE":
            return self._delete(int(edit.group(1)))
        return 404, {}, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}

    def _page(self, number: int, query: dict[str, list[str]]) -> tuple[int, dict[str, str], Any]:
        per_page = min(int(query.get("per_page", ["30"])[0]), 100)
        page = int(query.get("page", ["1"])[0])
        with self._lock:
            comments = list(self.comments.get(number, []))
        last = max(1, -(-len(comments) // per_page))
        link = f"{self.api_url}/repositories/{REPO_ID}/issues/{number}/comments?per_page={per_page}&page="
        rels = []
        if page < last:
            rels += [f'<{link}{page + 1}>; rel="next"', f'<{link}{last}>; rel="last"']
        if page > 1:
            rels += [f'<{link}1>; rel="first"', f'<{link}{page - 1}>; rel="prev"']
        headers = {"Link": ", ".join(rels)} if rels else {}
        return 200, headers, comments[(page - 1) * per_page : page * per_page]

    def _create(self, number: int, body: str) -> tuple[int, dict[str, str], Any]:
        text = json.loads(body).get("body")
        if not isinstance(text, str) or len(text) > MAX_BODY:
            return 422, {}, {"message": "Validation Failed", "errors": [{"field": "body", "code": "custom"}]}
        if self.mode == "lost-create" and self._resets_left:
            self._resets_left -= 1
            return 0, {"X-Fault": "reset"}, None
        if self.mode == "twin" and self._twins_left:
            self._twins_left -= 1
            self.add_comment(number, text.replace("failed", "twin"), BOT)  # another run's, a moment earlier
        comment_id = self.add_comment(number, text, BOT)
        if self.mode == "reset-after-create" and self._resets_left:
            self._resets_left -= 1
            return 0, {"X-Fault": "reset"}, None
        return 201, {}, self._find(comment_id)

    def _edit(self, comment_id: int, body: str) -> tuple[int, dict[str, str], Any]:
        text = json.loads(body).get("body")
        comment = self._find(comment_id)
        if comment is None:
            return 404, {}, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
        if not isinstance(text, str) or len(text) > MAX_BODY:
            return 422, {}, {"message": "Validation Failed", "errors": [{"field": "body", "code": "custom"}]}
        with self._lock:
            comment["body"] = text
            comment["updated_at"] = "2026-01-02T00:00:00Z"
        return 200, {}, comment

    def _delete(self, comment_id: int) -> tuple[int, dict[str, str], Any]:
        with self._lock:
            for comments in self.comments.values():
                for comment in comments:
                    if comment["id"] == comment_id:
                        comments.remove(comment)
                        return 204, {}, None
        return 404, {}, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}

    def _hold_for_race(self) -> None:
        with self._lock:
            hold = self._race is not None and self._race_listings_left > 0
            self._race_listings_left -= 1
        if hold and self._race is not None:
            self._race.wait()

    def _find(self, comment_id: int) -> dict[str, Any] | None:
        with self._lock:
            found = [c for comments in self.comments.values() for c in comments if c["id"] == comment_id]
        return found[0] if found else None


def _handler_for(github: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            if github.mode == "hang":
                while not getattr(self.server, "stopping", False):
                    time.sleep(0.05)
                self.close_connection = True
                return
            status, headers, payload = github.answer(self.command, self.path, dict(self.headers.items()), body)
            if headers.get("X-Fault") == "reset":  # the request was acted on; the answer never comes
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return
            data = b"" if status == 204 else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve  # the names http.server looks for

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
