"""Optional differential test against the real OpenClaw CLI (Current era).

Runs only when the CLI is available: set OPENCLAW_BIN to the `openclaw` executable (see
../shared/reference/README.md for installing it locally); otherwise skipped. For each
config, clawlint's verdict on the memory-search block (CFG007/CFG008 findings) must agree
with `openclaw config validate --json` (issues under `memory.search`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import lint

OPENCLAW = os.environ.get("OPENCLAW_BIN") or shutil.which("openclaw")

CONFIGS = {
    "valid-ollama": {"provider": "ollama", "model": "nomic-embed-text"},
    "unknown-key": {"provider": "ollama", "fallbackRemote": "openai"},
    "minscore-too-big": {"query": {"minScore": 1.4}},
    "negative-tokens": {"chunking": {"tokens": -5}},
    "bad-source": {"sources": ["memory", "bogus"]},
    "bad-tokenizer": {"store": {"fts": {"tokenizer": "porter"}}},
    "valid-hybrid": {"query": {"maxResults": 8, "hybrid": {"vectorWeight": 0.6, "textWeight": 0.4,
                                                           "mmr": {"enabled": True, "lambda": 0.5}}}},
    "string-max-results": {"query": {"maxResults": "6"}},
    "valid-extra-paths": {"extraPaths": ["notes", {"path": "docs", "pattern": "**/*.md"}]},
    "lambda-out-of-range": {"query": {"hybrid": {"mmr": {"lambda": 2}}}},
    "valid-remote": {"provider": "openai", "model": "text-embedding-3-small",
                     "remote": {"baseUrl": "http://127.0.0.1:11434/v1", "apiKey": "${OPENAI_API_KEY}"}},
    "bad-cache": {"cache": {"enabled": "yes"}},
}


def openclaw_verdict(config: dict, tmp: Path) -> bool:
    state = tmp / "state"
    state.mkdir(parents=True, exist_ok=True)
    (state / "openclaw.json").write_text(json.dumps(config))
    env = {**os.environ, "HOME": str(tmp / "home"), "OPENCLAW_STATE_DIR": str(state),
           "OPENAI_API_KEY": "sk-test"}
    (tmp / "home").mkdir(exist_ok=True)
    proc = subprocess.run([OPENCLAW, "config", "validate", "--json"], capture_output=True,
                          text=True, env=env, timeout=120)
    data = json.loads(proc.stdout[proc.stdout.index("{"):])
    issues = [i for i in data.get("issues", []) if i.get("path", "").startswith("memory.search")]
    return not issues


@pytest.mark.skipif(OPENCLAW is None, reason="OpenClaw CLI not installed (set OPENCLAW_BIN)")
@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_memory_search_verdict_matches_openclaw(name, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    config = {"meta": {"lastTouchedVersion": "2026.9.6"}, "memory": {"search": CONFIGS[name]}}
    expected = openclaw_verdict(config, tmp_path / "oc")
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "AGENTS.md").write_text("# Agents\n")
    (ws / "openclaw.json").write_text(json.dumps(config, indent=2))
    found = [d for d in lint(ws, ["CFG007", "CFG008"]) if "memory.search" in d.message]
    assert (not found) == expected, (name, [d.message for d in found])
