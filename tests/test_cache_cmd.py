"""`clawlint cache`: the table, token counts equal to tiktoken on the assembled text, costs, diff."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from clawlint import prefix as P
from clawlint import tokens as T
from clawlint.commands.cache import command
from clawlint.config import Settings
from clawlint.workspace import Workspace

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "workspace"


def _run(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(command, list(args))
    return r.exit_code, r.output


def test_example_workspace_tokens_match_tiktoken(tmp_path):
    ws_dir = tmp_path / "ws"
    shutil.copytree(EXAMPLE, ws_dir)
    code, out = _run(str(ws_dir), "--output-format", "json", "--no-churn")
    assert code == 0, out
    data = json.loads(out)
    res = P.simulate(Workspace(ws_dir, Settings()))
    assert data["total"]["prefix_tokens"] == T.count(res.stable_text)
    assert data["boundary"]["tokens_before"] == T.count(res.stable_text)
    files = {r["label"]: r for r in data["rows"] if r["kind"] == "file"}
    assert files["AGENTS.md"]["tokens"] > 0 and not files["AGENTS.md"]["below_boundary"]
    assert files["HEARTBEAT.md"]["below_boundary"]  # Classic 2026.5.12: dynamic file
    assert files["TOOLS.md"]["status"] == "missing"
    assert sum(r["share"] for r in data["rows"]) <= 1.05
    assert data["era"] == "classic" and data["caps"]["max_chars"] == 12000
    assert data["cost"]["retention"] == "long"  # from params.cacheRetention in the config
    assert data["tokenizer"]["factor"] == 1.2


def test_text_table(tmp_path):
    ws_dir = tmp_path / "ws"
    shutil.copytree(EXAMPLE, ws_dir)
    code, out = _run(str(ws_dir), "--no-churn", "--model", "claude-haiku-4-5")
    assert code == 0, out
    assert "cache boundary" in out and "AGENTS.md" in out
    assert "minimum cacheable prefix 4,096 tokens" in out and "does NOT reach" in out
    assert "one prefix edit at turn 25 of 50" in out


def test_costs_arithmetic(ws):
    root = ws({"AGENTS.md": "word " * 4000})
    code, out = _run(str(root), "--output-format", "json", "--no-churn", "--model",
                     "anthropic/claude-sonnet-4-6", "--token-factor", "1.0", "--turns", "10",
                     "--edit-at", "3", "--turn-tokens", "1000")
    data = json.loads(out)
    toks = data["total"]["prefix_tokens"]
    c = data["cost"]
    assert c["per_turn_cached"] == round(toks * 0.30 / 1e6, 6)
    assert c["per_turn_cache_write"] == round(toks * 3.75 / 1e6, 6)
    assert c["edit"]["tokens_rewritten"] == toks + 2 * 1000
    assert c["edit"]["extra_cost"] == round((toks + 2000) * (3.75 - 0.30) / 1e6, 6)
    assert c["reaches_minimum"] is True


def test_unknown_model_and_price_override(ws, tmp_path):
    root = ws({"AGENTS.md": "# A\n"})
    code, out = _run(str(root), "--no-churn", "--model", "acme/llm-1")
    assert code == 0 and "not in the price table" in out
    prices = tmp_path / "p.json"
    prices.write_text(json.dumps({"acme/llm-1": {"provider": "anthropic", "input": 1, "cache_write_5m": 2,
                                                 "cache_write_1h": 3, "cache_read": 0.1, "output": 5,
                                                 "min_cacheable": 10}}))
    code, out = _run(str(root), "--no-churn", "--model", "acme/llm-1", "--prices", str(prices),
                     "--output-format", "json")
    data = json.loads(out)
    assert data["model"]["known"] and data["cost"]["priced"]
    bad = tmp_path / "bad.json"
    bad.write_text("[1]")
    code, out = _run(str(root), "--no-churn", "--prices", str(bad))
    assert code == 2


def test_diff_of_two_directories(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "AGENTS.md").write_text("# A\n- rule one\n")
    (b / "AGENTS.md").write_text("# A\n- rule one\n")
    (a / "MEMORY.md").write_text("# M\n- one\n- two\n")
    (b / "MEMORY.md").write_text("# M\n- one\n- TWO\n")
    code, out = _run("diff", str(a), str(b), "--output-format", "json")
    assert code == 0, out
    d = json.loads(out)
    fd = d["first_difference"]
    assert fd["file"] == "MEMORY.md" and fd["line"] == 3 and fd["above_boundary"]
    res_b = P.build(P.workspace_inputs(Workspace(b, Settings())))
    offs = T.token_offsets(res_b.text)
    assert offs[fd["token_index"]] <= fd["char_offset"]
    assert d["tokens_invalidated"] == d["prefix_tokens_b"] - fd["token_index"]
    code, out = _run("diff", str(a), str(a))
    assert "no cache invalidation" in out


def test_not_a_workspace(tmp_path):
    code, out = _run(str(tmp_path / "nope"))
    assert code == 2


def test_a_folder_named_cache_does_not_hide_the_command(tmp_path, monkeypatch):
    from clawlint import cli as cli_mod

    (tmp_path / "cache").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli_mod, "_commands_loaded", False)
    monkeypatch.delitem(cli_mod.cli.commands, "cache", raising=False)  # as in a fresh process
    r = CliRunner().invoke(cli_mod.cli, ["cache", "--help"])
    assert r.exit_code == 0 and "prefix" in r.output.lower(), r.output
