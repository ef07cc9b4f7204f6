from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

# Tests must never reach the network or a developer's real OpenClaw/Ollama setup.
for var in ("OPENCLAW_CONFIG_PATH", "OPENCLAW_STATE_DIR", "OLLAMA_HOST", "CLAWLINT_OUTPUT_FORMAT"):
    os.environ.pop(var, None)
# Command-line runs in tests must not leave replay records in the developer's cache;
# tests/test_replay.py turns replay on with its own cache directory.
os.environ["CLAWLINT_NO_REPLAY"] = "1"


@pytest.fixture
def ws(tmp_path: Path):
    """Factory: ws({"AGENTS.md": "...", ...}) -> workspace root path."""
    from helpers import write_files

    def make(files: dict[str, str | bytes]) -> Path:
        write_files(tmp_path, files)
        return tmp_path

    return make
