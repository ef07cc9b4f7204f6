"""Workspace layout facts (openclaw-facts.md §1.1, §1.7, §2.1, §4, §6)."""

from __future__ import annotations

import re

# Exact, case-sensitive basenames (src/agents/workspace.ts VALID_BOOTSTRAP_NAMES).
BOOTSTRAP_FILES: tuple[str, ...] = (
    "AGENTS.md",
    "SOUL.md",
    "TOOLS.md",
    "IDENTITY.md",
    "USER.md",
    "HEARTBEAT.md",
    "BOOTSTRAP.md",
    "MEMORY.md",
)
ROOT_MEMORY = "MEMORY.md"
LEGACY_ROOT_MEMORY = "memory.md"  # never injected in current versions; doctor migrates it

# A directory is taken as an OpenClaw workspace when it holds any of these.
WORKSPACE_MARKERS: tuple[str, ...] = (
    "AGENTS.md",
    "SOUL.md",
    "MEMORY.md",
    "memory",
    "openclaw.json",
    "openclaw.json5",
)

CONFIG_FILENAMES: tuple[str, ...] = ("openclaw.json", "openclaw.json5")

# OpenClaw reads at most 2 MiB of a bootstrap file (MAX_WORKSPACE_BOOTSTRAP_FILE_BYTES).
MAX_FILE_BYTES = 2 * 1024 * 1024

MEMORY_DIR = "memory"
DEFAULT_CARDS_PATH = "memory/cards"
# Daily logs: memory/YYYY-MM-DD.md, or the session-memory hook's YYYY-MM-DD-<slug>.md
DAILY_LOG_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:-([^/]+))?\.md$")
# Names that look like an attempt at a dated log (for the "malformed name" rule).
DATE_LIKE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[-_ ].*)?\.md$")

SKILLS_DIR = "skills"
SKILL_FILENAME = "SKILL.md"
SKILL_MAX_DEPTH = 6  # SKILL.md discovered up to 6 levels below a skills root
HOOKS_DIR = "hooks"
HOOK_FILENAME = "HOOK.md"
HOOK_HANDLER_FILENAMES: tuple[str, ...] = ("handler.ts", "handler.js", "index.ts", "index.js")

# Directories clawlint never descends into.
SKIP_DIRS: frozenset[str] = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".clawlint_cache",
     ".openclaw-repair", ".pytest_cache", ".ruff_cache", ".mypy_cache"}
)


def in_skipped_dir(rel: str) -> bool:
    """A workspace-relative path inside a folder the scan skips (.git, node_modules, ...):
    clawlint does not see those files, so rules do not judge whether they exist."""
    return any(part in SKIP_DIRS for part in rel.replace("\\", "/").split("/"))
