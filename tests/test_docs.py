"""Generated documentation stays in sync with rules/*.md; the README keeps its two commands."""

from __future__ import annotations

from pathlib import Path

from clawlint.docs import render_readme

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_rule_table_is_current():
    text = README.read_text(encoding="utf-8")
    assert render_readme(text) == text, "README rule table is stale: run `python -m clawlint.docs`"


def test_readme_opens_with_the_two_setup_commands():
    lines = README.read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```sh") + 1 : lines.index("```sh") + 3]
    assert "pip install ." in block[0] and "clawlint check examples/workspace" in block[0]
    assert "pip install -e '.[test]'" in block[1] and "pytest" in block[1]
    assert lines.index("```sh") < 5


def test_ci_runs_the_readme_test_command():
    ci = (README.parent / ".ci" / "run").read_text()
    assert "pip install -q -e '.[test]'" in ci and "python -m pytest" in ci
