"""Skills and hooks facts (openclaw-facts.md §1.7, §5.2, §6; rules 30, 50-52).

Sources are noted per value. `src/...` paths are files of openclaw/openclaw.
"""

from __future__ import annotations

from clawlint.knowledge.versions import parse_version

# ---- discovery and file limits (src/agents/skills/workspace.ts DEFAULT_* constants; facts §6) ----
MAX_SKILL_FILE_BYTES = 256_000  # DEFAULT_MAX_SKILL_FILE_BYTES; `skills.limits.maxSkillFileBytes`
MAX_SKILLS_IN_PROMPT = 150  # DEFAULT_MAX_SKILLS_IN_PROMPT; `skills.limits.maxSkillsInPrompt`
SKILL_MAX_DEPTH = 6  # SKILL.md found up to 6 levels below a root (docs/tools/skills.md, current)

# `skills.limits.maxSkillsPromptChars` default: 30_000 in early-2026 source (issue #46623 on
# 2026.3.2 quotes 30K), 18_000 later (workspace.ts / skill-prompt-limits.ts `18_000`, compiled
# dist `18e3`; a 2026.7.1 install reports 18000). The exact release of the switch is not
# recorded; the compact fallback (PR #47553) landed 2026-03-16, so the boundary is placed at 2026.4.
MAX_SKILLS_PROMPT_CHARS_EARLY = 30_000
MAX_SKILLS_PROMPT_CHARS_LATE = 18_000
PROMPT_LIMITS_CHANGED_IN = (2026, 4, 0)

# When the full catalog is over budget, later versions first retry in compact form (name +
# location, no description) within the budget minus this reserve for the warning line
# (workspace.ts COMPACT_WARNING_OVERHEAD), then keep the largest alphabetical prefix that fits.
# Earlier versions dropped skills from the end of the alphabetical list straight away.
COMPACT_WARNING_OVERHEAD = 150


def default_prompt_chars(version: str | None) -> int:
    """OpenClaw's default `maxSkillsPromptChars` for a version (None: the current default)."""
    v = parse_version(version)
    if v is not None and v < PROMPT_LIMITS_CHANGED_IN:
        return MAX_SKILLS_PROMPT_CHARS_EARLY
    return MAX_SKILLS_PROMPT_CHARS_LATE


def has_compact_fallback(version: str | None) -> bool:
    v = parse_version(version)
    return v is None or v >= PROMPT_LIMITS_CHANGED_IN


# ---- the <available_skills> block (src/agents/skills/skill-contract.ts formatSkillsForPrompt,
# workspace.ts formatSkillsCompact). Lines are joined with "\n"; the block starts with two
# newlines. These are OpenClaw's prompt strings, kept verbatim so the estimate is exact.
_INTRO_FIRST = "\n\nThe following skills provide specialized instructions for specific tasks."
_INTRO_RESOLVE = (
    "When a skill file references a relative path, resolve it against the skill directory "
    "(parent of SKILL.md / dirname of the path) and use that absolute path in tool commands."
)
FULL_HEADER: tuple[str, ...] = (
    _INTRO_FIRST,
    "Use the read tool to load a skill's file when the task matches its description.",
    _INTRO_RESOLVE,
    "",
    "<available_skills>",
)
COMPACT_HEADER: tuple[str, ...] = (
    _INTRO_FIRST,
    "Use the read tool to load a skill's file when the task matches its name.",
    _INTRO_RESOLVE,
    "",
    "<available_skills>",
)
FOOTER = "</available_skills>"
# Per-skill wrapper: "  <skill>", "    <name>…</name>", "    <description>…</description>",
# "    <location>…</location>", "  </skill>" plus 5 line breaks = 97 chars + field lengths
# (facts §5.2 "≈ 97 chars + field lengths"); compact drops the description line (65 chars).
FULL_ENTRY_OVERHEAD = 97
COMPACT_ENTRY_OVERHEAD = 65
TRUNCATED_NOTE = (
    "⚠️ Skills truncated: included {included} of {total}{compact}. "
    "Run `openclaw skills check` to audit."
)
TRUNCATED_COMPACT_SUFFIX = " (compact format, descriptions omitted)"
COMPACT_NOTE = (
    "⚠️ Skills catalog using compact format (descriptions omitted). "
    "Run `openclaw skills check` to audit."
)

# Where the workspace lives when the config does not say (facts §1.6); skill locations in
# the prompt are absolute paths with the home directory shortened to `~`.
DEFAULT_WORKSPACE_DIR = "~/.openclaw/workspace"

# ---- SKILL.md frontmatter (facts §6, AgentSkills spec) ----
# Keys OpenClaw reads from SKILL.md frontmatter.
SKILL_FRONTMATTER_KEYS: frozenset[str] = frozenset(
    {"name", "description", "homepage", "user-invocable", "disable-model-invocation",
     "command-dispatch", "command-tool", "command-arg-mode", "metadata"}
)
SKILL_BOOLEAN_KEYS: dict[str, bool] = {  # key -> OpenClaw's default when absent or unparseable
    "user-invocable": True,
    "disable-model-invocation": False,
}
# `metadata.openclaw` keys (facts §6: always, emoji, homepage, os, requires, primaryEnv,
# install, skillKey; src/agents/skills/frontmatter.ts resolveOpenClawMetadata).
SKILL_MANIFEST_KEYS: frozenset[str] = frozenset(
    {"always", "emoji", "homepage", "os", "requires", "primaryEnv", "install", "skillKey"}
)
REQUIRES_KEYS: frozenset[str] = frozenset({"bins", "anyBins", "env", "config"})
OS_VALUES: frozenset[str] = frozenset({"darwin", "linux", "win32"})
INSTALL_KINDS: frozenset[str] = frozenset({"brew", "node", "go", "uv", "download"})
MANIFEST_KEY = "openclaw"
LEGACY_MANIFEST_KEY = "clawdbot"  # still read for skills when `openclaw` is absent (facts §6)
# parseBooleanValue: the spellings OpenClaw turns into a boolean; anything else -> default.
TRUE_WORDS: frozenset[str] = frozenset({"true", "yes", "on", "1"})
FALSE_WORDS: frozenset[str] = frozenset({"false", "no", "off", "0"})

# ---- hooks (facts §1.7, docs/automation/hooks/writing-hooks.md) ----
HOOK_MANIFEST_KEYS: frozenset[str] = frozenset(
    {"events", "export", "hookKey", "emoji", "homepage", "os", "requires", "always", "install"}
)
HOOK_EVENT_FAMILIES: frozenset[str] = frozenset({"command", "session", "agent", "gateway", "message"})
# Events named in the docs (docs/automation/hooks.md event table); used only for did-you-mean.
KNOWN_HOOK_EVENTS: tuple[str, ...] = (
    "agent:bootstrap", "command:new", "command:reset", "command:stop", "gateway:startup",
    "message:received", "session:compact:after", "session:compact:before", "session:patch",
)
# Bundled hooks: a workspace hook with the same key is ignored (facts §1.7).
BUNDLED_HOOKS: frozenset[str] = frozenset(
    {"session-memory", "command-logger", "boot-md", "bootstrap-extra-files", "compaction-notifier"}
)
