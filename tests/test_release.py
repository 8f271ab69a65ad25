"""What a release publishes names the image of its own version, and the version lives in one place.

The release workflow's own steps (their `run:` scripts, taken from release.yml) are run here with
bash, in a copy of the repository, with the variables the runner would give them.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from retell_gate import __version__

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
RELEASE = yaml.safe_load((WORKFLOWS / "release.yml").read_text())
REPOSITORY = "Octo-Org/Retell-Gate"  # GHCR wants lower case: the image is ghcr.io/octo-org/retell-gate
IMAGE = "ghcr.io/octo-org/retell-gate"
BASH = shutil.which("bash") or "/bin/bash"
GIT = shutil.which("git") or "/usr/bin/git"


def load_script() -> Any:
    spec = importlib.util.spec_from_file_location("release_action", ROOT / "scripts" / "release_action.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


release_action = load_script()


def step(job: str, step_id: str) -> dict[str, Any]:
    return next(s for s in RELEASE["jobs"][job]["steps"] if step_id in (s.get("id"), s.get("name")))


def repository_copy(tmp_path: Path) -> Path:
    """The files the release steps read and write, as the checkout holds them."""
    repo = tmp_path / "repo"
    for name in ("action.yml", "scripts/release_action.py", "src/retell_gate/__init__.py"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, repo / name)
    return repo


def run_step(job: str, step_id: str, repo: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """Run one step's script as the runner does (bash -e -o pipefail); returns it and its outputs."""
    output = repo.parent / "github_output"
    output.write_text("")
    script = repo.parent / "step.sh"
    script.write_text(step(job, step_id)["run"])
    variables = {"PATH": "/usr/bin:/bin", "GITHUB_OUTPUT": str(output), "GITHUB_REPOSITORY": REPOSITORY}
    done = subprocess.run(
        [BASH, "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=repo,
        env=variables | env,
        capture_output=True,
        text=True,
        check=False,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return done, outputs


def test_a_tag_equal_to_the_package_version_releases_that_version(tmp_path: Path) -> None:
    done, outputs = run_step("check", "version", repository_copy(tmp_path), GITHUB_REF_NAME=f"v{__version__}")
    assert done.returncode == 0, done.stderr
    assert outputs == {"version": __version__, "major": f"v{__version__.split('.')[0]}", "image": IMAGE}


@pytest.mark.parametrize("tag", ["v9.9.9", __version__, f"v{__version__}.1", f"v{__version__}rc1", "latest"])
def test_the_release_refuses_a_tag_that_differs_from_the_package_version(tmp_path: Path, tag: str) -> None:
    done, outputs = run_step("check", "version", repository_copy(tmp_path), GITHUB_REF_NAME=tag)
    assert done.returncode != 0
    assert outputs == {}
    assert f"::error title=Release refused::Tag '{tag}' does not match the package version '{__version__}'" in (
        done.stderr
    )
    assert f"expected tag 'v{__version__}'" in done.stderr


def test_nothing_is_built_or_published_unless_the_tag_check_passed() -> None:
    jobs = RELEASE["jobs"]
    assert set(jobs) == {"check", "image", "publish"}
    assert jobs["image"]["needs"] == "check"
    assert set(jobs["publish"]["needs"]) == {"check", "image"}
    assert list(RELEASE[True]) == ["push"]  # PyYAML reads the key `on` as True
    assert RELEASE[True]["push"] == {"tags": ["v*"]}


def test_the_pushed_image_is_tagged_and_labelled_with_the_checked_version() -> None:
    build = step("image", "Build and push")["with"]
    version = "${{ needs.check.outputs.version }}"
    assert build["tags"] == "${{ needs.check.outputs.image }}:" + version
    assert build["platforms"] == "linux/amd64,linux/arm64"
    assert build["push"] is True
    labels = dict(line.split("=", 1) for line in build["labels"].splitlines())
    assert labels["org.opencontainers.image.version"] == version
    assert labels["org.opencontainers.image.revision"] == "${{ github.sha }}"
    assert labels["org.opencontainers.image.source"] == "${{ github.server_url }}/${{ github.repository }}"
    assert (
        labels["org.opencontainers.image.licenses"]
        == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]["text"]
    )
    assert {"org.opencontainers.image.title", "org.opencontainers.image.description"} <= set(labels)


def test_the_released_action_yml_runs_the_image_of_its_own_version(tmp_path: Path) -> None:
    repo = repository_copy(tmp_path)
    done, _ = run_step("publish", "Point action.yml at the prebuilt image", repo, VERSION=__version__, IMAGE=IMAGE)
    assert done.returncode == 0, done.stderr
    released = yaml.safe_load((repo / "action.yml").read_text())
    assert released["runs"] == {"using": "docker", "image": f"docker://{IMAGE}:{__version__}"}
    # Nothing else changes: inputs, outputs and their descriptions are the ones the README documents.
    original = yaml.safe_load((ROOT / "action.yml").read_text())
    assert {k: v for k, v in released.items() if k != "runs"} == {k: v for k, v in original.items() if k != "runs"}


def test_main_keeps_building_the_dockerfile_so_a_sha_of_main_works() -> None:
    assert yaml.safe_load((ROOT / "action.yml").read_text())["runs"] == {"using": "docker", "image": "Dockerfile"}


def test_pin_refuses_what_would_publish_a_broken_image_reference() -> None:
    action = (ROOT / "action.yml").read_text()
    for image in ("ghcr.io/Octo-Org/x", "ghcr.io/o/x:1.0", "", "ghcr.io"):
        with pytest.raises(release_action.ReleaseError, match="lower-case repository"):
            release_action.pin(action, __version__, image)
    with pytest.raises(release_action.ReleaseError, match="not of the form"):
        release_action.pin(action, "1.2", IMAGE)
    with pytest.raises(release_action.ReleaseError, match="no `  image:` line"):
        release_action.pin("name: x\n", __version__, IMAGE)


@pytest.mark.parametrize(("version", "major"), [("0.1.0", "v0"), ("1.2.3", "v1"), ("12.0.0", "v12"), ("2.0.0rc1", "")])
def test_a_pre_release_never_moves_the_major_tag(version: str, major: str) -> None:
    assert release_action.major_tag(version) == major


def git(repo: Path, *args: str) -> str:
    env = {"PATH": "/usr/bin:/bin", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    identity = ["-c", "user.name=Maintainer", "-c", "user.email=maintainer@example.com"]
    return subprocess.run(
        [GIT, *identity, *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.mark.parametrize(("version", "major"), [(__version__, f"v{__version__.split('.')[0]}"), ("7.0.0rc2", "")])
def test_the_release_commit_gets_the_version_tag_and_the_major_tag_follows(
    tmp_path: Path, version: str, major: str
) -> None:
    repo = repository_copy(tmp_path)
    git(repo, "init", "--quiet")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "The commit a maintainer tags")
    tagged = git(repo, "rev-parse", "HEAD")
    git(repo, "tag", "--annotate", f"v{version}", "--message", "Release")
    remote = tmp_path / "origin.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(repo), str(remote))
    git(repo, "checkout", "--quiet", "--detach", f"v{version}")  # as actions/checkout leaves a tag
    env = {"VERSION": version, "IMAGE": IMAGE, "MAJOR": major, "TOKEN": "t0ken"}
    done, _ = run_step("publish", "Point action.yml at the prebuilt image", repo, **env)
    assert done.returncode == 0, done.stderr
    env |= {"GITHUB_SERVER_URL": f"file://{tmp_path}", "GITHUB_REPOSITORY": "origin", "HOME": str(tmp_path)}
    env |= {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    done, _ = run_step("publish", "Commit, and move the version and major tags onto the release commit", repo, **env)
    assert done.returncode == 0, done.stderr
    released = git(remote, "rev-parse", f"v{version}^{{commit}}")
    assert released != tagged
    assert git(remote, "rev-parse", f"{released}^") == tagged  # the release commit sits on the tagged one
    action = yaml.safe_load(git(remote, "show", f"{released}:action.yml"))
    assert action["runs"]["image"] == f"docker://{IMAGE}:{version}"
    assert git(remote, "diff", "--name-only", tagged, released) == "action.yml"
    tags = git(remote, "tag", "--list").split()
    if major:
        assert git(remote, "rev-parse", f"{major}^{{commit}}") == released
        assert tags == sorted([f"v{version}", major])
    else:  # a pre-release moves no tag that users follow
        assert tags == [f"v{version}"]


def test_the_version_is_written_once_and_read_by_pyproject_and_the_release_script() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "retell_gate.__version__"}
    from setuptools.config.expand import read_attr  # what setuptools does with that `attr`

    assert read_attr("retell_gate.__version__", {"": "src"}, str(ROOT)) == __version__
    assert release_action.package_version() == __version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    # No other file spells the version out (the image labels and action.yml get it from the release).
    for path in ("Dockerfile", "action.yml", "README.md"):
        assert __version__ not in (ROOT / path).read_text(), path


def test_version_flag_prints_the_package_version() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "entrypoint.py"), "--version"], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (0, f"retell-gate {__version__}\n")


def test_every_action_a_workflow_uses_is_pinned_to_a_commit_sha() -> None:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for line in path.read_text().splitlines():
            match = re.search(r"uses: *(\S+)(.*)", line)
            if match is None or match.group(1).startswith("./"):
                continue
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", match.group(1)), f"{path.name}: {line.strip()}"
            assert re.fullmatch(r" # v\d+(\.\d+)*", match.group(2)), f"{path.name}: no version comment: {line.strip()}"


def test_release_jobs_get_only_the_permissions_they_use() -> None:
    assert RELEASE["permissions"] == {}
    permissions = {name: job["permissions"] for name, job in RELEASE["jobs"].items()}
    assert permissions == {
        "check": {"contents": "read"},
        "image": {"contents": "read", "packages": "write"},
        "publish": {"contents": "write"},
    }
    for job in RELEASE["jobs"].values():
        for used in job["steps"]:
            if used.get("uses", "").startswith("actions/checkout@"):
                assert used["with"]["persist-credentials"] is False


def registry(tmp_path: Path, platforms: dict[str, int]) -> dict[str, str]:
    """A fake `docker` whose `buildx imagetools inspect --raw REF` answers like GHCR after the push."""
    answers: dict[str, Any] = {f"{IMAGE}:{__version__}": {"manifests": []}}
    for number, (arch, size) in enumerate({**platforms, "unknown": 1000}.items()):
        digest = f"sha256:{number:064x}"
        answers[f"{IMAGE}:{__version__}"]["manifests"].append({"digest": digest, "platform": {"architecture": arch}})
        layers = [{"size": size // 2}, {"size": size - size // 2 - 500}]
        answers[f"{IMAGE}@{digest}"] = {"config": {"size": 500}, "layers": layers}
    (tmp_path / "answers.json").write_text(json.dumps(answers))
    docker = tmp_path / "bin" / "docker"
    docker.parent.mkdir()
    docker.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"print(json.dumps(json.load(open({str(tmp_path / 'answers.json')!r}))[sys.argv[-1]]))\n"
    )
    docker.chmod(0o755)
    return {"PATH": f"{docker.parent}:/usr/bin:/bin", "IMAGE": IMAGE, "VERSION": __version__}


@pytest.mark.parametrize(
    ("platforms", "released"),
    [
        ({"amd64": 48_000_000, "arm64": 60_000_000}, True),
        ({"amd64": 48_000_000, "arm64": 60_000_001}, False),
        ({"amd64": 48_000_000}, False),  # an architecture missing
    ],
)
def test_an_image_over_60_mb_compressed_is_not_released(
    tmp_path: Path, platforms: dict[str, int], released: bool
) -> None:
    env = registry(tmp_path, platforms)
    size_check = "Check each platform's compressed size (at most 60 MB)"
    done, _ = run_step("image", size_check, repository_copy(tmp_path), **env)
    assert (done.returncode == 0) == released, done.stdout + done.stderr
