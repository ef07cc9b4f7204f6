"""clawlint configuration: discovery, validation, selection, severities, per-file ignores."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import codes, lint

from clawlint.config import ConfigError, Settings, find_config, load_settings, settings_from_table
from clawlint.engine import per_file_ignored
from clawlint.registry import resolve_selection

BAD = "---\ntopic: A: b\n---\nx\n"


def test_discovery_order_and_upward_search(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")  # no [tool.clawlint]: skipped
    sub = tmp_path / "ws" / "memory"
    sub.mkdir(parents=True)
    assert find_config(sub) is None
    (tmp_path / "clawlint.toml").write_text("ignore = ['PAR']\n")
    assert find_config(sub) == tmp_path / "clawlint.toml"
    (tmp_path / "ws" / ".clawlint.toml").write_text("ignore = ['SUP']\n")
    assert find_config(sub) == tmp_path / "ws" / ".clawlint.toml"
    assert load_settings(sub).ignore == ["SUP"]


def test_pyproject_table(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.clawlint]\nselect = ['PAR']\n[tool.clawlint.rules.PAR004]\n"
    )
    s = load_settings(tmp_path)
    assert s.select == ["PAR"]
    assert s.config_path == tmp_path / "pyproject.toml"


@pytest.mark.parametrize(
    "table, message",
    [
        ({"selct": ["PAR"]}, "unknown key `selct` (did you mean 'select'?)"),
        ({"select": "PAR", "ignore": 3}, "`ignore` must be a list of strings"),
        ({"severity": {"PAR001": "fatal"}}, "must be one of error, warning, info"),
        ({"embeddings": "gpu"}, "`embeddings` must be one of auto, ollama, openai, lexical"),
        ({"allow-remote": "yes"}, "`allow-remote` must be true or false"),
        ({"per-file-ignores": {"*.md": 5}}, "a table of glob = [codes]"),
    ],
)
def test_bad_values_name_the_key(table, message):
    with pytest.raises(ConfigError) as exc:
        settings_from_table(table, "clawlint.toml")
    assert message in str(exc.value)


def test_invalid_toml(tmp_path: Path):
    (tmp_path / ".clawlint.toml").write_text("select = [\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_settings(tmp_path)


def test_selection_like_ruff():
    s = Settings()
    default = resolve_selection(s)
    assert "PAR001" in default
    assert resolve_selection(s, ["PAR00"]) == {f"PAR00{i}" for i in range(1, 10)} & set(default) | {
        c for c in resolve_selection(Settings(select=["ALL"])) if c.startswith("PAR00")
    }
    s = Settings(select=["PAR"], ignore=["PAR002"], extend_select=["SUP001"])
    active = resolve_selection(s)
    assert "PAR002" not in active and "SUP001" in active and "SUP002" not in active
    # CLI select replaces the config's select; CLI ignore adds to the config's.
    active = resolve_selection(s, ["SUP"], None, ["SUP002"])
    assert active == {"SUP001"} | {c for c in resolve_selection(Settings(select=["SUP"]))} - {"SUP002"}
    with pytest.raises(ConfigError, match="unknown rule selector"):
        resolve_selection(Settings(select=["ZZZ"]))


def test_severity_override_longest_prefix_wins(ws):
    root = ws({"AGENTS.md": "# A\n", "memory/cards/a.md": BAD})
    s = Settings(severity={"PAR": "info", "PAR007": "warning"})
    (d,) = lint(root, ["PAR007"], s)
    assert d.severity.value == "warning"
    s = Settings(severity={"PAR": "info"})
    (d,) = lint(root, ["PAR007"], s)
    assert d.severity.value == "info"


def test_per_file_ignores_and_negation(ws):
    root = ws({"AGENTS.md": "# A\n", "memory/cards/a.md": BAD, "memory/notes.md": BAD})
    s = Settings(per_file_ignores={"memory/cards/*.md": ["PAR007"]})
    assert [d.path for d in lint(root, ["PAR007"], s)] == ["memory/notes.md"]
    s = Settings(per_file_ignores={"!memory/cards/*.md": ["PAR"]})
    assert [d.path for d in lint(root, ["PAR007"], s)] == ["memory/cards/a.md"]
    assert per_file_ignored("PAR007", "memory/cards/a.md", Settings(per_file_ignores={"a.md": ["PAR"]}))
    assert per_file_ignored("PAR007", "x/y.md", Settings(per_file_ignores={"**/*.md": ["ALL"]}))


def test_exclude(ws):
    root = ws({"AGENTS.md": "# A\n", "memory/cards/a.md": BAD, "archive/old.md": BAD})
    s = Settings(exclude=["archive/", "memory/cards/a.md"])
    assert lint(root, ["PAR007"], s) == []


def test_excluded_bootstrap_files_still_count_as_injected_but_are_not_reported(ws):
    stamp = "# Agents\n\nLast updated: 2026-11-20 10:00\n" + "Be brief and kind.\n" * 2000
    root = ws({"AGENTS.md": stamp, "SOUL.md": "# Soul\n\nCalm.\n"})
    everything = Settings(exclude=["**"])
    assert lint(root, ["ALL"], everything) == []  # no "AGENTS.md is missing", no CV001/BS001
    assert {"CV001", "BS001"} <= {d.code for d in lint(root, ["ALL"])}
    from clawlint.prefix import simulate
    from clawlint.workspace import Workspace

    sim = simulate(Workspace(root, everything, None))
    assert sim.verdict("AGENTS.md").injected_chars > 10_000  # still in the prompt


def test_rule_options_validated(ws, tmp_path):
    root = ws({"AGENTS.md": "# A\n"})
    with pytest.raises(ConfigError, match="unknown option 'nope'"):
        lint(root, ["PAR"], Settings(rules={"PAR001": {"nope": 1}}))
    with pytest.raises(ConfigError, match="unknown rule code 'ZZZ001'"):
        lint(root, ["PAR"], Settings(rules={"ZZZ001": {}}))


def test_config_error_exit_code(ws):
    from test_cli import run_cli

    root = ws({"AGENTS.md": "# A\n", ".clawlint.toml": "colour = 'red'\n"})
    code, _, err = run_cli("check", str(root))
    assert code == 2
    assert "unknown key `colour`" in err and "Traceback" not in err


def test_explicit_config_flag(ws, tmp_path):
    from test_cli import run_cli

    root = ws({"AGENTS.md": "# A\n", "memory/cards/a.md": BAD})
    cfg = tmp_path / "elsewhere.toml"
    cfg.write_text("select = ['PAR']\nignore = ['PAR007']\n")
    code, out, _ = run_cli("check", str(root), "--config", str(cfg))
    assert code == 0, out
    # A command-line --select starts over (ruff's rule), so PAR007 is back.
    code, out, _ = run_cli("check", str(root), "--config", str(cfg), "--select", "PAR")
    assert code == 1 and "PAR007" in out
    assert codes(lint(root, ["PAR"])) == ["PAR007"]


def test_command_line_selection_overrides_config_like_ruff():
    s = Settings(ignore=["PAR"])
    assert resolve_selection(s, ["PAR007"]) == {"PAR007"}  # a CLI select starts over
    assert "PAR007" in resolve_selection(s, None, ["PAR007"])  # CLI extend-select re-enables
    assert "PAR006" not in resolve_selection(s, None, ["PAR007"])
    # Within one level the more specific selector wins; on a tie ignore wins.
    assert "PAR007" not in resolve_selection(Settings(select=["PAR"], ignore=["PAR007"]))
    assert "PAR007" in resolve_selection(Settings(ignore=["PAR"], extend_select=["PAR007"]))
    assert "PAR007" not in resolve_selection(Settings(extend_select=["PAR007"], ignore=["PAR007"]))


def test_today_option_is_checked_like_clawlint_today(ws):
    import datetime as dt

    root = ws({"AGENTS.md": "# A\n", "memory/2026-11-20.md": "# 2026-11-20\n\n- x\n"})
    with pytest.raises(ConfigError, match="option 'today' must be a date between 1900 and 9000"):
        lint(root, ["LOG"], Settings(rules={"LOG003": {"today": "9999-12-31"}}))
    # A TOML date literal works as well as the string form.
    assert lint(root, ["LOG003"], Settings(rules={"LOG003": {"today": dt.date(2026, 11, 1)}}))
    assert not lint(root, ["LOG003"], Settings(rules={"LOG003": {"today": "2026-11-21"}}))
