"""End-to-end CLI behaviour: exit codes, formats, statistics, config, fix/diff."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from clawlint.cli import cli

BAD_CARD = "---\ntopic: SSH: keys\ntags: [ssh]\n---\nbody\n"
GOOD = "# Agents\n\nBe concise.\n"


def run_cli(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """Run the real console entry point in a subprocess (exit codes as users see them)."""
    proc = subprocess.run(
        [sys.executable, "-m", "clawlint", *args],
        capture_output=True, text=True, cwd=cwd, env={**os.environ, "NO_COLOR": "1"},
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_clean_workspace_exits_0(ws):
    root = ws({"AGENTS.md": GOOD})
    code, out, err = run_cli("check", str(root), "--select", "PAR")
    assert code == 0, (out, err)
    assert "All checks passed!" in out


def test_problems_exit_1_with_full_output(ws):
    root = ws({"AGENTS.md": GOOD, "memory/cards/ssh.md": BAD_CARD})
    code, out, _ = run_cli("check", str(root), "--select", "PAR007")
    assert code == 1
    assert "memory/cards/ssh.md:2:" in out
    assert "PAR007 [error]" in out
    assert " | topic: SSH: keys" in out and "^" in out
    assert "Found 1 problem" in out


def test_default_command_is_check(ws):
    root = ws({"AGENTS.md": GOOD, "memory/cards/ssh.md": BAD_CARD})
    code, out, _ = run_cli(str(root), "--select", "PAR007", "--output-format", "concise")
    assert code == 1 and "PAR007" in out


def test_exit_zero(ws):
    root = ws({"AGENTS.md": GOOD, "memory/cards/ssh.md": BAD_CARD})
    code, _, _ = run_cli("check", str(root), "--select", "PAR007", "--exit-zero")
    assert code == 0


def test_unknown_selector_is_usage_error(ws):
    root = ws({"AGENTS.md": GOOD})
    code, out, err = run_cli("check", str(root), "--select", "NOPE1")
    assert code == 2
    assert "unknown rule selector 'NOPE1'" in err
    assert "Traceback" not in err


def test_bad_option_is_usage_error(ws):
    root = ws({"AGENTS.md": GOOD})
    code, _, err = run_cli("check", str(root), "--output-format", "xml")
    assert code == 2 and "Traceback" not in err


def test_missing_path_is_usage_error(tmp_path):
    code, _, err = run_cli("check", str(tmp_path / "nope"))
    assert code == 2 and "no such file" in err


def test_not_a_workspace(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    code, _, err = run_cli("check", str(tmp_path))
    assert code == 2
    assert "not inside an OpenClaw workspace" in err


def test_version():
    code, out, _ = run_cli("--version")
    assert code == 0 and out.startswith("clawlint ")


def test_rule_command_text_and_json():
    code, out, _ = run_cli("rule", "PAR007")
    assert code == 0
    assert out.startswith("# invalid-frontmatter (PAR007)")
    assert "## Why is this bad?" in out
    code, out, _ = run_cli("rule", "invalid-frontmatter", "--output-format", "json")
    assert code == 0 and json.loads(out)["code"] == "PAR007"
    code, out, _ = run_cli("rule", "--all", "--output-format", "json")
    data = json.loads(out)
    assert code == 0 and {d["code"] for d in data} >= {"PAR001", "SUP001"}


def test_rule_command_unknown_code():
    code, _, err = run_cli("rule", "XYZ999")
    assert code == 2 and "no such rule" in err


def test_statistics_text_and_json(ws):
    root = ws({"AGENTS.md": GOOD, "memory/cards/a.md": BAD_CARD, "memory/cards/b.md": BAD_CARD})
    code, out, _ = run_cli("check", str(root), "--select", "PAR007", "--statistics")
    assert code == 1
    assert out.splitlines() == ["2\tPAR007\t[ ] invalid-frontmatter"]
    code, out, _ = run_cli("check", str(root), "--select", "PAR007", "--statistics",
                           "--output-format", "json")
    assert json.loads(out) == [{"code": "PAR007", "name": "invalid-frontmatter", "count": 2,
                                "fixable": False, "unsafe_fixable": False}]


def test_output_file(ws, tmp_path):
    root = ws({"AGENTS.md": GOOD, "memory/cards/a.md": BAD_CARD})
    target = tmp_path / "out" / "report.json"
    code, out, _ = run_cli("check", str(root), "--select", "PAR007", "--output-format", "json",
                           "--output-file", str(target))
    assert code == 1 and out == ""
    assert json.loads(target.read_text())[0]["code"] == "PAR007"


def test_quiet_drops_summary(ws):
    root = ws({"AGENTS.md": GOOD, "memory/cards/a.md": BAD_CARD})
    _, out, _ = run_cli("check", str(root), "--select", "PAR007", "--quiet", "--output-format", "concise")
    assert "Found" not in out and "PAR007" in out


def test_color_always_and_never(ws):
    root = ws({"AGENTS.md": GOOD, "memory/cards/a.md": BAD_CARD})
    _, out, _ = run_cli("check", str(root), "--select", "PAR007", "--color", "always")
    assert "\x1b[" in out
    _, out, _ = run_cli("check", str(root), "--select", "PAR007", "--color", "never")
    assert "\x1b[" not in out


def test_paths_limit_reporting_but_not_analysis(ws):
    root = ws({"AGENTS.md": GOOD, "memory/cards/a.md": BAD_CARD, "memory/cards/b.md": BAD_CARD})
    code, out, _ = run_cli("check", str(root / "memory/cards/a.md"), "--select", "PAR007",
                           "--output-format", "json")
    paths = {d["path"] for d in json.loads(out)}
    assert paths == {"memory/cards/a.md"}


def test_internal_error_has_no_traceback(ws, monkeypatch):
    """A crashing rule is reported as exit 2 with one line, and other rules still report."""
    from clawlint import registry

    registry.load_rules()
    original = registry._RULES["PAR001"].func

    def boom(ctx):
        raise RuntimeError("kaboom")
        yield  # pragma: no cover

    monkeypatch.setattr(registry._RULES["PAR001"], "func", boom)
    root = ws({"AGENTS.md": GOOD, "memory/cards/a.md": BAD_CARD})
    result = CliRunner().invoke(cli, ["check", str(root), "--select", "PAR001,PAR007"])
    assert result.exit_code == 2
    assert "internal error in rule PAR001" in result.output
    assert "PAR007" in result.output
    assert "Traceback" not in result.output
    registry._RULES["PAR001"].func = original


def test_python_m_and_console_script_agree(ws):
    root = ws({"AGENTS.md": GOOD})
    code, out, _ = run_cli("check", str(root), "--select", "PAR")
    assert code == 0
    exe = Path(sys.executable).parent / "clawlint"
    if not exe.exists():
        pytest.skip("console script not installed in this environment")
    proc = subprocess.run([str(exe), "check", str(root), "--select", "PAR"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == out


def test_bad_openclaw_version_is_usage_error(ws):
    root = ws({"AGENTS.md": GOOD})
    code, _, err = run_cli("check", str(root), "--openclaw-version", "banana")
    assert code == 2 and "not an OpenClaw version" in err


def test_path_through_a_symlinked_folder_names_the_same_files(tmp_path):
    from clawlint.runner import group_paths

    real = tmp_path / "real" / "ws"
    (real / "memory").mkdir(parents=True)
    (real / "AGENTS.md").write_text("# A\n")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    groups, missing = group_paths([tmp_path / "link" / "ws" / "AGENTS.md"])
    assert not missing and list(groups.values()) == [["AGENTS.md"]]


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "2026-13-01", "soon"])
def test_unusable_clawlint_today_is_a_warning_not_an_internal_error(ws, value):
    root = ws({"AGENTS.md": GOOD, "memory/2026-11-20.md": "# 2026-11-20\n\n- did things\n",
               "memory/cards/a.md": "---\ntopic: A\ncategory: ops\ntags: [a]\ncreated: 2026-01-01\n"
                                    "updated: 2026-01-01\n---\n\nText.\n"})
    proc = subprocess.run([sys.executable, "-m", "clawlint", "check", str(root), "--select", "ALL",
                           "--embeddings", "lexical"], capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1", "CLAWLINT_TODAY": value})
    assert proc.returncode in (0, 1), proc.stderr
    assert "internal error" not in proc.stderr
    assert f"CLAWLINT_TODAY='{value}' is not a date between 1900 and 9000" in proc.stderr


def test_entry_point_collects_garbage_less_often(tmp_path):
    """A run's heap is large and long-lived; CPython's default thresholds spent a fifth of a
    10,000-card run walking it (benchmarks/bench.py)."""
    code = ("import gc, sys; sys.argv = ['clawlint', '--version']\n"
            "import clawlint.__main__ as m\n"
            "try:\n    m.main()\nexcept SystemExit:\n    pass\n"
            "print(gc.get_threshold() == m.GC_THRESHOLD, m.GC_THRESHOLD[0] > 700)")
    repo = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(repo),
                              "XDG_CACHE_HOME": str(tmp_path)}, check=True)
    assert out.stdout.split()[-2:] == ["True", "True"], out.stdout + out.stderr
