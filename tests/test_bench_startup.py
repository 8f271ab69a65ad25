"""The start-up section of docs/performance.md survives `dev.py bench`, and says what it measured."""

from __future__ import annotations

from pathlib import Path

from bench import startup_report

ROOT = Path(__file__).resolve().parent.parent
RESULTS: dict[str, object] = {
    "runs": 2,
    "base": "python:3.12-slim-bookworm",
    "stand_in": True,
    "cold": [{"to_first_request": 11.0, "build": 10.0, "after_build": 1.0}] * 2,
    "warm": [{"to_first_request": 2.0, "build": 1.0, "after_build": 1.0}] * 2,
    "sizes": {"whole": 173e6, "base_layers": 168e6, "added_layers": 4.9e6, "added_count": 5},
}


def test_the_section_says_both_times_the_sizes_and_that_the_base_was_a_stand_in() -> None:
    section = startup_report.section(RESULTS)
    assert "| Image built from the `Dockerfile`: base present, no build cache | 11.0 s (11.0–11.0) |" in section
    assert "| Prebuilt image already present | 2.0 s (2.0–2.0) | 1.0 s (1.0–1.0) |" in section
    assert "| The 5 layers the `Dockerfile` adds (runtime packages, the gate) | 4.9 MB |" in section
    assert "| The base's layers (the stand-in) | 168.0 MB |" in section
    assert "could not be pulled here (no registry)" in section
    assert "stays under 55 MB compressed per platform" in section


def test_the_section_is_appended_once_and_replaced_in_place() -> None:
    first = startup_report.replace_section("# Performance\n\n## Image\n\ntext\n", startup_report.section(RESULTS))
    assert first.startswith("# Performance\n\n## Image\n\ntext\n\n" + startup_report.BEGIN)
    assert first.endswith(startup_report.END + "\n")
    new = startup_report.BEGIN + "\nnew\n" + startup_report.END
    assert startup_report.replace_section(first, new) == "# Performance\n\n## Image\n\ntext\n\n" + new + "\n"


def test_regenerating_the_rest_of_the_file_keeps_the_section() -> None:
    old = startup_report.replace_section("# Performance\n\nold numbers\n", startup_report.section(RESULTS))
    kept = startup_report.keep("# Performance\n\nnew numbers\n", old)
    assert kept.startswith("# Performance\n\nnew numbers\n\n")
    assert kept.count(startup_report.BEGIN) == kept.count(startup_report.END) == 1
    assert startup_report.keep("# Performance\n\nnew\n", "# Performance\n\nold\n") == "# Performance\n\nnew\n"
