"""How OpenClaw injects workspace bootstrap files into the system prompt (facts §1, §5.2).

Everything the prefix simulator (clawlint/prefix.py) and the BS/CV rules need: file names,
load and prompt order, which session kinds receive which files, the cache boundary, the
per-file/total caps of each version range and the truncation constants of each code version.

Sources (openclaw-facts.md):
- Classic load order, session allowlists: src/agents/workspace.ts@0033b70 (§1.2, §1.3).
- Current load order (`WORKSPACE_BOOTSTRAP_FILENAMES`), allowlists, USER.md cap, truncation:
  openclaw@2026.9.6 dist (workspace-bootstrap-policy.ts, workspace.ts, bootstrap.ts,
  bootstrap-budget.ts), cross-checked with src/agents/embedded-agent-helpers/bootstrap.ts@0487131.
- Classic truncation (0.7/0.2, 20000/150000): src/agents/pi-embedded-helpers/bootstrap.ts@004e913.
- 12000/60000 defaults around 2026.4.2x-2026.6: issues #71782, #78211, pinchy PR #459 (§8.2, §10).
- HEARTBEAT.md below the cache boundary from 2026.4.5 (PR #61236); not a bootstrap file in
  Current (TOOLS.md retired by PR #113966, shipped 2026.8.1) (§1.1, §10).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from clawlint.knowledge.versions import era_for_version, parse_version

AGENTS = "AGENTS.md"
SOUL = "SOUL.md"
TOOLS = "TOOLS.md"
IDENTITY = "IDENTITY.md"
USER = "USER.md"
HEARTBEAT = "HEARTBEAT.md"
BOOTSTRAP = "BOOTSTRAP.md"
MEMORY = "MEMORY.md"
LEGACY_MEMORY = "memory.md"  # never injected in Current; doctor --fix migrates it

CLASSIC = "classic"
CURRENT = "current"

# loadWorkspaceBootstrapFiles order (also the order budgets are spent in).
LOAD_ORDER: dict[str, tuple[str, ...]] = {
    CLASSIC: (AGENTS, SOUL, TOOLS, IDENTITY, USER, HEARTBEAT, BOOTSTRAP, MEMORY),
    CURRENT: (AGENTS, SOUL, IDENTITY, USER, BOOTSTRAP, MEMORY),  # WORKSPACE_BOOTSTRAP_FILENAMES
}
# Files that are skipped (not injected as `[MISSING]`) when absent.
SKIP_WHEN_ABSENT: dict[str, frozenset[str]] = {
    CLASSIC: frozenset({MEMORY}),
    CURRENT: frozenset({MEMORY, USER}),  # "Optional USER.md and MEMORY.md files are omitted when absent"
}
# Files whose absence is worth a finding (the rest are optional personas/profiles).
REQUIRED: dict[str, tuple[str, ...]] = {CLASSIC: (AGENTS, TOOLS), CURRENT: (AGENTS,)}
MISSING_TEXT = "[MISSING] Expected at: {path}"

# sortContextFilesForPrompt / prepareContextFilesForPrompt (lower-cased basename -> rank);
# unknown basenames (hook extras) sort last, ties by basename then path.
PROMPT_ORDER: dict[str, int] = {
    "agents.md": 10,
    "soul.md": 20,
    "identity.md": 30,
    "user.md": 40,
    "tools.md": 50,
    "bootstrap.md": 60,
    "memory.md": 70,
}
UNKNOWN_PROMPT_RANK = 2**53 - 1  # Number.MAX_SAFE_INTEGER

CACHE_BOUNDARY = "\n<!-- OPENCLAW_CACHE_BOUNDARY -->\n"  # SYSTEM_PROMPT_CACHE_BOUNDARY
PROJECT_CONTEXT_HEADING = "# Project Context"
DYNAMIC_CONTEXT_HEADING = "# Dynamic Project Context"
# Intro lines of the Project Context block (current system-prompt-context-files.ts).
CURRENT_CONTEXT_INTRO = "Loaded project context:"
CURRENT_SOUL_LINE = "SOUL.md: persona/tone. Follow it unless higher-priority instructions override."
CURRENT_MEMORY_LINE = (
    "MEMORY.md: durable non-profile facts and decisions; use when relevant unless "
    "higher-priority instructions override."
)
CURRENT_USER_LINE = (
    "USER.md: durable user preferences and profile directives; follow unless higher-priority "
    "instructions override."
)
CLASSIC_CONTEXT_INTRO = "The following project context files have been loaded:"
CLASSIC_SOUL_LINE = (
    "If SOUL.md is present, embody its persona and tone. Avoid stiff, generic replies; follow "
    "its guidance unless higher-priority instructions override it."
)
CLASSIC_DYNAMIC_INTRO = (
    "The following frequently-changing project context files are kept below the cache boundary "
    "when possible:"
)
# sanitizeContextFileContentForPrompt strips this exact quote from injected files.
DEFAULT_HEARTBEAT_PROMPT_BLOCK_RE = re.compile(
    r"Default heartbeat prompt:\r?\n`(?:Read HEARTBEAT\.md if it exists|Follow the heartbeat "
    r"monitor scratch context when provided\.)[^`\r\n]*HEARTBEAT_OK\.`"
)

# ---- truncation constants -----------------------------------------------------------------
MIN_FILE_BUDGET_CHARS = 64  # MIN_BOOTSTRAP_FILE_BUDGET_CHARS: below this, later files are dropped
NEAR_LIMIT_RATIO = 0.85  # DEFAULT_BOOTSTRAP_NEAR_LIMIT_RATIO (doctor "near the limit")
MARKER_LINE = "[...truncated, read {name} for full content...]"
KEPT_LINE = "…(truncated {name}: kept {head}+{tail} chars of {total})…"
COMPACT_MARKER = "[…truncated {head}+{tail}/{total}]"
MIN_TRIMMED_CONTENT_CHARS = 16  # below this the compact marker is used (v2)
# AGENTS.md special case (v2): head + policy digest + tail.
AGENTS_DIGEST_RATIO = 0.35
AGENTS_HEAD_RATIO = 0.45
AGENTS_TAIL_RATIO = 0.15
AGENTS_DIGEST_MAX_LINE_CHARS = 240
AGENTS_DIGEST_HEADER = "[Policy digest from AGENTS.md]"
AGENTS_DIGEST_OMITTED = "[...{n} more policy lines omitted...]"
AGENTS_KEPT_LINE = "…(truncated AGENTS.md: kept {head}+policy {digest}+{tail} chars of {total})…"
AGENTS_DIGEST_CANDIDATE_RE = re.compile(
    r"\b(?:AGENTS\.md|scoped|required|must|never|do not|before subtree|read scoped|owner|"
    r"security|secret|credential|test|validation|command|commit|push|github|pr)\b|"
    r"(?:🔴|禁止|嚴禁|不得|絕不|絕對不|切勿|必須|務必|一律|紅線)",
    re.I,
)
AGENTS_DIGEST_HIGH_PRIORITY_RE = re.compile(
    r"\b(?:AGENTS\.md|scoped|required|must|never|do not|before subtree|read scoped|security|"
    r"secret|credential)\b|(?:🔴|禁止|嚴禁|不得|絕不|絕對不|切勿)",
    re.I,
)
AGENTS_DIGEST_LIST_RE = re.compile(r"^(?:#{1,6}|\s*[-*+]|\s*\d+[.)])\s+\S")
AGENTS_DIGEST_FENCE_RE = re.compile(r"^\s*(?:`{3,}|~{3,})")

# ---- sessions ------------------------------------------------------------------------------
SESSION_KINDS = ("main", "subagent", "cron", "group", "heartbeat")
# None = every loaded file; a set = allowlist (filterBootstrapFilesForSession).
_CLASSIC_SESSIONS: dict[str, frozenset[str] | None] = {
    "main": None,
    "subagent": frozenset({AGENTS, TOOLS}),
    "cron": frozenset({AGENTS, TOOLS, SOUL, IDENTITY, USER}),
    "group": frozenset({AGENTS, TOOLS, SOUL, IDENTITY, USER, HEARTBEAT, BOOTSTRAP}),
    "heartbeat": frozenset({HEARTBEAT}),  # heartbeat.lightContext: only HEARTBEAT.md
}
_CURRENT_SESSIONS: dict[str, frozenset[str] | None] = {
    "main": None,
    "subagent": frozenset({AGENTS}),
    "cron": frozenset({AGENTS, SOUL, IDENTITY, USER}),
    "group": frozenset({AGENTS, SOUL, IDENTITY, USER, BOOTSTRAP}),  # root MEMORY.md withheld
    "heartbeat": frozenset(),  # lightweight context mode injects no bootstrap files
}
SESSION_FILES: dict[str, dict[str, frozenset[str] | None]] = {
    CLASSIC: _CLASSIC_SESSIONS,
    CURRENT: _CURRENT_SESSIONS,
}

# bootstrap-extra-files: basenames the loader accepts (VALID_BOOTSTRAP_NAMES of each era).
VALID_EXTRA_BASENAMES: dict[str, frozenset[str]] = {
    CLASSIC: frozenset(LOAD_ORDER[CLASSIC]),
    CURRENT: frozenset(LOAD_ORDER[CURRENT]),
}
EXTRA_FILES_HOOK = "bootstrap-extra-files"
EXTRA_FILES_KEYS = ("paths", "patterns", "files")  # first non-empty wins
GLOB_CHARS_RE = re.compile(r"[?*{}]")  # `[` stays literal

DEFAULT_DISPLAY_ROOT = "~/.openclaw/workspace"  # default workspace location (§1.6)


# ---- version profiles ----------------------------------------------------------------------
@dataclass(frozen=True)
class InjectionProfile:
    """Everything version-dependent about injection, for one OpenClaw version range."""

    label: str
    era: str
    max_chars: int  # default bootstrapMaxChars
    total_max_chars: int  # default bootstrapTotalMaxChars
    user_max_chars: int | None  # fixed USER.md cap (Current >= 2026.8.2), None = none
    algorithm: str  # "v1": head 0.7/tail 0.2; "v2": 0.75/0.25 of (max - marker), AGENTS digest
    heartbeat_dynamic: bool  # HEARTBEAT.md rendered below the cache boundary
    head_ratio: float
    tail_ratio: float
    load_order: tuple[str, ...] = field(default=())
    version: tuple[int, int, int] | None = None

    @property
    def boundary_files(self) -> frozenset[str]:
        """Files rendered below the cache boundary."""
        return frozenset({HEARTBEAT}) if self.heartbeat_dynamic else frozenset()

    def file_cap(self, name: str, max_chars: int) -> int:
        if name == USER and self.user_max_chars is not None:
            return min(max_chars, self.user_max_chars)
        return max_chars


# Version boundaries (approximate, facts §10): per-file 20000 (<= 2026.4.1x) -> 12000
# (~2026.4.2x-2026.6.x) -> 20000 (>= 2026.7); total 150000 -> 60000 at ~2026.4.2x.
V_HEARTBEAT_DYNAMIC = (2026, 4, 5)  # PR #61236
V_SMALL_CAPS = (2026, 4, 20)
V_NEW_TRUNCATION = (2026, 7, 0)
V_USER_CAP = (2026, 8, 2)  # USER_BOOTSTRAP_MAX_CHARS = 4000 (#136733)
USER_MAX_CHARS = 4000


def profile_for(era: str | None, version: str | None) -> InjectionProfile:
    """The injection profile for a version (preferred) or, without one, the newest of the era."""
    v = parse_version(version)
    if era not in (CLASSIC, CURRENT):
        era = era_for_version(version) or CURRENT
    if v is None:
        # Unknown version: assume the newest release of the era.
        v = (2026, 9, 6) if era == CURRENT else (2026, 7, 1)
    if v < V_SMALL_CAPS:
        max_c, total_c = 20_000, 150_000
    elif v < V_NEW_TRUNCATION:
        max_c, total_c = 12_000, 60_000
    else:
        max_c, total_c = 20_000, 60_000
    algo = "v2" if v >= V_NEW_TRUNCATION else "v1"
    head, tail = (0.75, 0.25) if algo == "v2" else (0.7, 0.2)
    user_cap = USER_MAX_CHARS if (era == CURRENT and v >= V_USER_CAP) else None
    label = f"{era} {v[0]}.{v[1]}.{v[2]}"
    return InjectionProfile(
        label=label,
        era=era,
        max_chars=max_c,
        total_max_chars=total_c,
        user_max_chars=user_cap,
        algorithm=algo,
        heartbeat_dynamic=era == CLASSIC and v >= V_HEARTBEAT_DYNAMIC,
        head_ratio=head,
        tail_ratio=tail,
        load_order=LOAD_ORDER[era],
        version=v,
    )


# ---- onboarding templates ------------------------------------------------------------------
# Stock first-run BOOTSTRAP.md (docs/reference/templates/BOOTSTRAP.md, several versions).
BOOTSTRAP_TEMPLATE_MARKERS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^#\s*BOOTSTRAP\.md\s*[-–—]\s*(?:Hello,? World|Birth Sequence)\b", re.M | re.I),
    re.compile(r"^_?You just woke up\.", re.M),
    re.compile(r"There is no memory yet\. This is a fresh workspace"),
    re.compile(r"OpenClaw only seeds this file into a brand-new workspace"),
)
# Template headings of IDENTITY.md / USER.md (their presence means the file was never rewritten).
PROFILE_TEMPLATE_HEADINGS: dict[str, re.Pattern[str]] = {
    IDENTITY: re.compile(r"^#\s*IDENTITY\.md\s*[-–—]\s*Who Am I\?", re.M),
    USER: re.compile(r"^#\s*USER\.md\s*[-–—]\s*(?:About Your Human|User Model)\b", re.M),
    SOUL: re.compile(r"^#\s*SOUL\.md\s*[-–—]\s*Who You Are\b", re.M),
}
# Placeholder text the templates ship with; left in place it reaches every prompt.
# Italic parenthetical prompts of IDENTITY.md/USER.md templates, e.g. `_(pick something you like)_`.
TEMPLATE_PROMPT_RE = re.compile(
    r"_\((?:pick something you like|AI\? robot\? familiar\?[^)]*|how do you come across\?[^)]*|"
    r"your signature[^)]*|workspace-relative path, http\(s\) URL, or data URI|optional|"
    r"What do they care about\?[^)]*)\)_",
    re.I,
)
# A labelled field whose value is a fill-in hint: `- Vibe: [describe your vibe]`, `<your name>`.
FIELD_PLACEHOLDER_RE = re.compile(
    r"^\s*[-*+]\s+(?:\*\*)?[\w ./'-]{1,30}:(?:\*\*)?\s*"
    r"(?P<ph>\[(?:describe|your|insert|add|fill(?: in)?|enter|name|tbd|todo)\b[^\]]*\]|"
    r"<(?:your|insert|add|fill|enter)\b[^>]*>|\{\{?\s*(?:name|your[_ ]\w+)\s*\}?\})\s*$",
    re.I,
)
# USER.md (Current template): a directive still dated `YYYY-MM-DD` or the literal `Prefer ...`.
USER_TEMPLATE_DIRECTIVE_RE = re.compile(
    r"<!--\s*observed:\s*YYYY-MM-DD\b[^>]*-->|^\s*[-*+]\s+Prefer \.\.\.\s*$", re.M
)
