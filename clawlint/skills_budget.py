"""The `<available_skills>` block OpenClaw puts in the cached prompt prefix, and its budget.

OpenClaw renders every eligible skill (sorted by name) as a `<skill>` element of about
97 characters plus the escaped name, description and location (facts §5.2). When the block is
longer than `skills.limits.maxSkillsPromptChars`, later versions switch to a compact form
without descriptions and, if that still does not fit, keep the largest alphabetical prefix;
earlier versions dropped skills from the end straight away. At most `maxSkillsInPrompt` (150)
skills are listed. Only workspace skills are known here, so the estimate is a lower bound:
bundled and managed skills share the same budget.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from clawlint.knowledge import skills as K
from clawlint.skillset import (
    Skill,
    collation_key,
    config_get,
    openclaw_config,
    openclaw_version,
    positive_int,
    workspace_skills,
)

if TYPE_CHECKING:
    from clawlint.workspace import Workspace


def escape_xml(s: str) -> str:
    return (
        s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


@dataclass(frozen=True)
class Entry:
    """One skill as it appears in the prompt."""

    name: str
    description: str
    location: str
    rel: str = ""  # workspace-relative SKILL.md, for reporting

    @property
    def full_chars(self) -> int:
        return (
            K.FULL_ENTRY_OVERHEAD
            + len(escape_xml(self.name))
            + len(escape_xml(self.description))
            + len(escape_xml(self.location))
        )

    @property
    def compact_chars(self) -> int:
        return K.COMPACT_ENTRY_OVERHEAD + len(escape_xml(self.name)) + len(escape_xml(self.location))


def format_full(entries: Sequence[Entry]) -> str:
    if not entries:
        return ""
    lines = list(K.FULL_HEADER)
    for e in entries:
        lines += [
            "  <skill>",
            f"    <name>{escape_xml(e.name)}</name>",
            f"    <description>{escape_xml(e.description)}</description>",
            f"    <location>{escape_xml(e.location)}</location>",
            "  </skill>",
        ]
    lines.append(K.FOOTER)
    return "\n".join(lines)


def format_compact(entries: Sequence[Entry]) -> str:
    if not entries:
        return ""
    lines = list(K.COMPACT_HEADER)
    for e in entries:
        lines += [
            "  <skill>",
            f"    <name>{escape_xml(e.name)}</name>",
            f"    <location>{escape_xml(e.location)}</location>",
            "  </skill>",
        ]
    lines.append(K.FOOTER)
    return "\n".join(lines)


def sort_entries(entries: Sequence[Entry]) -> list[Entry]:
    """OpenClaw sorts prompt skills with `name.localeCompare(other, "en")`."""
    return sorted(entries, key=lambda e: collation_key(e.name))


@dataclass
class BudgetResult:
    entries: list[Entry]  # eligible skills in prompt order (before any cut)
    limit_chars: int
    limit_from_config: bool
    max_count: int
    compact_fallback: bool  # this version retries without descriptions before dropping
    full_chars: int  # length of the full block with every eligible skill (count-capped)
    included: list[Entry] = field(default_factory=list)
    compact: bool = False  # descriptions omitted
    block: str = ""

    @property
    def dropped(self) -> list[Entry]:
        names = {id(e) for e in self.included}
        return [e for e in self.entries if id(e) not in names]

    @property
    def over_count(self) -> bool:
        return len(self.entries) > self.max_count

    @property
    def over_budget(self) -> bool:
        return self.compact or bool(self.dropped)


def _largest_prefix(items: list[Entry], fits: Any) -> int:
    lo, hi = 0, len(items)
    while lo < hi:  # same binary search as OpenClaw (fits() is monotonic in the prefix length)
        mid = (lo + hi + 1) // 2
        if fits(items[:mid]):
            lo = mid
        else:
            hi = mid - 1
    return lo


def apply_limits(
    entries: Sequence[Entry], limit_chars: int, max_count: int, compact_fallback: bool,
    *, limit_from_config: bool = False,
) -> BudgetResult:
    """Reproduce OpenClaw's count cap, char budget and fallback; render the final block."""
    ordered = sort_entries(entries)
    by_count = ordered[: max(0, max_count)]
    full = format_full(by_count)
    res = BudgetResult(
        entries=ordered, limit_chars=limit_chars, limit_from_config=limit_from_config,
        max_count=max_count, compact_fallback=compact_fallback, full_chars=len(full),
    )
    included = by_count
    compact = False
    if len(full) > limit_chars:
        if compact_fallback:
            compact = True
            budget = limit_chars - K.COMPACT_WARNING_OVERHEAD
            if len(format_compact(by_count)) > budget:
                n = _largest_prefix(by_count, lambda s: len(format_compact(s)) <= budget)
                included = by_count[:n]
        else:
            n = _largest_prefix(by_count, lambda s: len(format_full(s)) <= limit_chars)
            included = by_count[:n]
    res.included, res.compact = list(included), compact
    truncated = len(included) < len(ordered)
    note = ""
    if truncated:
        note = K.TRUNCATED_NOTE.format(
            included=len(included), total=len(ordered),
            compact=K.TRUNCATED_COMPACT_SUFFIX if compact else "",
        )
    elif compact:
        note = K.COMPACT_NOTE
    catalog = format_compact(included) if compact else format_full(included)
    res.block = "\n".join(p for p in (note, catalog) if p)
    return res


# ---- from a workspace ----------------------------------------------------------------------
def _agent_id(ws: Workspace) -> str | None:
    if ws.settings.agent:
        return ws.settings.agent
    cfg = openclaw_config(ws)
    try:
        return cfg.default_agent_id() if cfg is not None else None
    except Exception:  # noqa: BLE001
        return None


def _agent_setting(ws: Workspace, key: str) -> Any:
    cfg = openclaw_config(ws)
    if cfg is None:
        return None
    try:
        return cfg.agent_setting(key, _agent_id(ws))
    except Exception:  # noqa: BLE001
        return None


def workspace_dir(ws: Workspace) -> str:
    """Where OpenClaw sees this workspace: the configured path, else its default."""
    v = _agent_setting(ws, "workspace")
    if isinstance(v, str) and v.strip():
        return v.strip().rstrip("/") or "/"
    return K.DEFAULT_WORKSPACE_DIR


def skill_filter(ws: Workspace) -> list[str] | None:
    """The agent's skill allowlist (None = all skills)."""
    v = _agent_setting(ws, "skills")
    if not isinstance(v, list):
        return None
    return [s.strip() for s in v if isinstance(s, str) and s.strip()]


def _disabled_in_config(ws: Workspace, sk: Skill) -> bool:
    for key in dict.fromkeys((sk.skill_key, sk.name)):
        if config_get(ws, "skills", "entries", key, "enabled") is False:
            return True
    return False


def eligible(ws: Workspace | None, skills: Sequence[Skill]) -> list[Skill]:
    """The resolved `skills` that reach the prompt: loaded, winning their name, described, not
    excluded from model invocation and, with the workspace's config (`ws`), not disabled in
    `skills.entries` and allowed for the agent. Host checks (`requires.bins`, `os`, env) are
    not evaluated: the estimate assumes they pass. The one test for the budget rules, the
    prefix simulation and the skills churn of past revisions."""
    allow = skill_filter(ws) if ws is not None else None
    out = []
    for sk in skills:
        if not sk.loadable or sk.shadowed_by is not None or sk.description is None:
            continue
        if sk.disable_model_invocation or (ws is not None and _disabled_in_config(ws, sk)):
            continue
        if allow is not None and sk.name not in allow:
            continue
        out.append(sk)
    return out


def eligible_skills(ws: Workspace) -> list[Skill]:
    """This workspace's skills that reach the prompt (see `eligible`)."""
    return eligible(ws, workspace_skills(ws))


def prompt_entries(ws: Workspace) -> list[Entry]:
    return _entries(ws, eligible_skills(ws))


def _entries(ws: Workspace | None, skills: Sequence[Skill]) -> list[Entry]:
    base = workspace_dir(ws) if ws is not None else K.DEFAULT_WORKSPACE_DIR
    return [Entry(sk.name, sk.description or "", f"{base}/{sk.rel}", sk.rel) for sk in skills]


def budget_for(ws: Workspace | None, skills: Sequence[Skill]) -> BudgetResult:
    """The skills block OpenClaw renders from resolved `skills` under the workspace's limits
    and version (defaults without a workspace)."""
    version = openclaw_version(ws) if ws is not None else None
    configured = (positive_int(config_get(ws, "skills", "limits", "maxSkillsPromptChars"))
                  if ws is not None else None)
    limit = configured if configured is not None else K.default_prompt_chars(version)
    count = (positive_int(config_get(ws, "skills", "limits", "maxSkillsInPrompt"))
             if ws is not None else None)
    return apply_limits(
        _entries(ws, eligible(ws, skills)), limit,
        count if count is not None else K.MAX_SKILLS_IN_PROMPT,
        K.has_compact_fallback(version), limit_from_config=configured is not None,
    )


def budget(ws: Workspace) -> BudgetResult:
    """The skills block for this workspace under the configured or default limits (memoized)."""
    return ws.memo("skills_budget.budget", lambda: budget_for(ws, workspace_skills(ws)))


def skills_prompt_block(ws: Workspace) -> str:
    """The estimated `<available_skills>` section text, as OpenClaw would render it for the
    workspace's own skills (deterministic: sorted like OpenClaw, locations under the configured
    workspace path). Empty string when no skill reaches the prompt."""
    return budget(ws).block


def block_hash(block: str) -> str:
    return hashlib.sha256(block.encode("utf-8")).hexdigest()
