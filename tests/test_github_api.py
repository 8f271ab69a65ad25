"""The GitHub REST client against a fake GitHub over real HTTP on loopback."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest

from retell_gate.net.transport import MaybeArrived
from retell_gate.runner.github_api import GitHubApi, GitHubError, next_link
from tests.conftest import FakeClock
from tests.fake_github import FakeGitHub
from tests.rawserver import RawServer

TOKEN = "ghs_FakeGitHubToken0123456789abcdefABCD"
PR = 7


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(TOKEN) as running:
        yield running


def api(github: FakeGitHub, clock: FakeClock, token: str = TOKEN) -> GitHubApi:
    return GitHubApi(github.api_url, github.repository, token, clock, clock.sleep)


def ours(body: str) -> bool:
    return body.startswith("<!-- ours -->")


def test_a_comment_is_found_on_a_later_page_through_the_link_header(github: FakeGitHub, clock: FakeClock) -> None:
    for index in range(140):
        github.add_comment(PR, f"comment {index}")
    wanted = github.add_comment(PR, "<!-- ours -->\nold result")
    for index in range(20):
        github.add_comment(PR, f"<!-- ours --> quoted later by someone {index}")
    found = api(github, clock).find_comment(PR, ours, clock() + 10)
    assert found is not None
    assert (found.id, found.body) == (wanted, "<!-- ours -->\nold result")
    paths = [request.path for request in github.requests]
    assert paths == [
        "/repos/octo-org/agent/issues/7/comments?per_page=100",
        "/repositories/1296269/issues/7/comments?per_page=100&page=2",  # exactly the URL GitHub linked
    ]


def test_every_request_carries_the_token_and_githubs_headers(github: FakeGitHub, clock: FakeClock) -> None:
    client = api(github, clock)
    created = client.create_comment(PR, "<!-- ours -->\nfirst", clock() + 10)
    client.edit_comment(created.id, "<!-- ours -->\nsecond", clock() + 10)
    assert client.find_comment(PR, ours, clock() + 10) == created.__class__(created.id, "<!-- ours -->\nsecond")
    assert github.methods() == ["POST", "PATCH", "GET"]
    for request in github.requests:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert request.headers["Accept"] == "application/vnd.github+json"
        assert request.headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert github.bodies(PR) == ["<!-- ours -->\nsecond"]


def test_nothing_found_reads_every_page_once(github: FakeGitHub, clock: FakeClock) -> None:
    for index in range(250):
        github.add_comment(PR, f"comment {index}")
    assert api(github, clock).find_comment(PR, ours, clock() + 10) is None
    assert github.methods() == ["GET", "GET", "GET"]


def test_an_enterprise_server_root_with_its_api_v3_prefix(clock: FakeClock) -> None:
    with FakeGitHub(TOKEN, prefix="/api/v3") as github:
        assert github.api_url.endswith("/api/v3")
        client = api(github, clock)
        created = client.create_comment(PR, "<!-- ours -->\nhello", clock() + 10)
        assert client.find_comment(PR, ours, clock() + 10) == created
        assert all(request.path.startswith("/api/v3/") for request in github.requests)


@pytest.mark.parametrize(
    ("mode", "status", "message"),
    [("read-only", 403, "Resource not accessible by integration"), ("not-found", 404, "Not Found")],
)
def test_a_refusal_names_its_status_and_githubs_message(clock: FakeClock, mode: str, status: int, message: str) -> None:
    with FakeGitHub(TOKEN, mode=mode) as github:
        with pytest.raises(GitHubError) as caught:
            api(github, clock).create_comment(PR, "<!-- ours -->\nx", clock() + 10)
        assert caught.value.status == status
        assert f"HTTP {status}: {message}" in caught.value.message
        assert github.methods() == ["POST"]  # a refusal is not retried


def test_a_wrong_token_is_githubs_401(github: FakeGitHub, clock: FakeClock) -> None:
    with pytest.raises(GitHubError, match="HTTP 401: Bad credentials") as caught:
        api(github, clock, "ghs_wrong").find_comment(PR, ours, clock() + 10)
    assert caught.value.status == 401


def test_a_create_that_may_have_arrived_is_never_sent_twice(clock: FakeClock) -> None:
    with FakeGitHub(TOKEN, mode="reset-after-create") as github:
        with pytest.raises(MaybeArrived):
            api(github, clock).create_comment(PR, "<!-- ours -->\nx", clock() + 10)
        assert github.methods() == ["POST"]
        assert github.bodies(PR) == ["<!-- ours -->\nx"]  # it did arrive


def raw_page(link: Callable[[], str]) -> RawServer:
    """A server answering every request with an empty page whose `Link` header is `link()`."""

    def answer(conn: socket.socket) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLink: {link()}\r\nContent-Length: 2\r\n\r\n"
        conn.sendall(head.encode() + b"[]")

    return RawServer(answer)


def test_the_token_never_follows_a_link_to_another_host(clock: FakeClock) -> None:
    with RawServer(lambda conn: None) as elsewhere:
        with raw_page(lambda: f'<{elsewhere.url}/steal?page=2>; rel="next"') as server:
            client = GitHubApi(server.url, "octo-org/agent", TOKEN, clock, clock.sleep)
            with pytest.raises(GitHubError, match="another host"):
                client.find_comment(PR, ours, clock() + 10)
        assert elsewhere.connections == 0


def test_pages_that_lead_back_stop_the_search(clock: FakeClock) -> None:
    first_page: list[str] = []
    with raw_page(lambda: f'<{first_page[0]}>; rel="next"') as server:
        first_page.append(f"{server.url}/repos/octo-org/agent/issues/7/comments?per_page=100")
        client = GitHubApi(server.url, "octo-org/agent", TOKEN, clock, clock.sleep)
        with pytest.raises(GitHubError, match="already read"):
            client.find_comment(PR, ours, clock() + 10)
        assert server.connections == 1  # the first page, read once


@pytest.mark.parametrize(
    ("header", "url"),
    [
        ('<https://api.github.test/r?page=2>; rel="next", <https://api.github.test/r?page=5>; rel="last"', "page=2"),
        ('<https://api.github.test/r?page=1>; rel="prev", <https://api.github.test/r?page=3>; rel="next"', "page=3"),
        ('<https://api.github.test/r?page=1>; rel="first", <https://api.github.test/r?page=1>; rel="prev"', None),
        ("<https://api.github.test/r?page=4>; rel=next", "page=4"),
        ("", None),
    ],
)
def test_the_next_page_is_read_from_the_link_header(header: str, url: str | None) -> None:
    found = next_link(header)
    assert (found.rsplit("?", 1)[1] if found else None) == url


def test_a_malformed_comment_stops_the_search_rather_than_being_skipped(github: FakeGitHub, clock: FakeClock) -> None:
    github.add_comment(PR, "fine")
    github.comments[PR].append({"id": "not-a-number", "body": "<!-- ours -->"})
    with pytest.raises(GitHubError, match="numeric `id`"):
        api(github, clock).find_comment(PR, ours, clock() + 10)


def test_a_deleted_comment_is_gone_and_deleting_it_again_is_no_error(github: FakeGitHub, clock: FakeClock) -> None:
    client = api(github, clock)
    kept = github.add_comment(PR, "a reviewer's remark")
    gone = client.create_comment(PR, "<!-- ours -->\nduplicate", clock() + 10)
    client.delete_comment(gone.id, clock() + 10)
    client.delete_comment(gone.id, clock() + 10)  # a retried delete finds it gone: 404, as good as done
    assert [c["id"] for c in github.comments[PR]] == [kept]
    assert github.methods() == ["POST", "DELETE", "DELETE"]
    assert github.requests[1].path == f"/repos/octo-org/agent/issues/comments/{gone.id}"


def test_a_refused_delete_is_an_error_with_githubs_message(clock: FakeClock) -> None:
    refusal = "Resource not accessible by integration"
    with FakeGitHub(TOKEN, mode="read-only") as github, pytest.raises(GitHubError, match=refusal) as refused:
        api(github, clock).delete_comment(9001, clock() + 10)
    assert refused.value.status == 403
