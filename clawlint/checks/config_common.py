"""Helpers shared by the config rule modules (CFG, MS, PAR008): diagnostics at JSON paths."""

from __future__ import annotations

import json
import re
from typing import Any

from clawlint.diagnostics import Diagnostic, Edit, Fix, Severity
from clawlint.openclaw_config import KeyPath, Loc, OpenClawConfig, format_path
from clawlint.registry import Context

__all__ = ["at", "config_of", "fmt", "severity", "string_fix", "agents_to_check", "duration_minutes"]

fmt = format_path


def config_of(ctx: Context) -> OpenClawConfig | None:
    cfg = ctx.ws.openclaw
    return cfg if isinstance(cfg, OpenClawConfig) else None


def severity(ctx: Context, level: str) -> Severity | None:
    """A per-finding severity, unless the user configured one for this code."""
    for sel in ctx.settings.severity:
        s = sel.upper()
        if s == "ALL" or ctx.code.startswith(s):
            return None
    return Severity(level)


def at(ctx: Context, cfg: OpenClawConfig, path: KeyPath, message: str, *, value: bool = False,
       level: str | None = None, fix: Fix | None = None, help: str | None = None) -> Diagnostic:
    """A diagnostic at the key of `path` (or its value), else at the closest written ancestor."""
    loc = cfg.loc(*path) or cfg.nearest_loc(*path)
    file = loc.file if loc is not None else cfg.display
    span = None
    if loc is not None:
        span = loc.value if (value and loc.value is not None) else loc.span
    if span is None:
        d = ctx.diag(file, message, line=1, fix=fix, help=help)
    else:
        d = ctx.diag(file, message, line=span.line, col=span.column, end_line=span.end_line,
                     end_col=span.end_column, fix=fix, help=help)
    if level is not None:
        d.severity = severity(ctx, level)
    return d


def string_fix(ctx: Context, cfg: OpenClawConfig, path: KeyPath, new_value: str, title: str,
               *, safe: bool = True) -> Fix | None:
    """Replace the string value at `path` when it is written literally in a workspace file."""
    loc: Loc | None = cfg.loc(*path)
    if loc is None or loc.value is None:
        return None
    f = ctx.ws.get(loc.file)
    if f is None or f.text is None:
        return None
    old = f.text[loc.value.start : loc.value.end]
    if not old or old[0] not in "\"'" or "${" in old or "\\" in old:
        return None
    quote = old[0]
    body = json.dumps(new_value)[1:-1]
    if quote == "'":
        body = body.replace('\\"', '"').replace("'", "\\'")
    from clawlint.diagnostics import Applicability

    return Fix(title, (Edit(loc.value.start, loc.value.end, quote + body + quote),),
               Applicability.SAFE if safe else Applicability.UNSAFE)


def agents_to_check(cfg: OpenClawConfig) -> list[str | None]:
    """The default agent (None) and every declared agent id, each once."""
    ids: list[str | None] = [None]
    for aid in cfg.agent_ids():
        if aid != cfg.default_agent_id():
            ids.append(aid)
    return ids


_DURATION_RE = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*)+$", re.I)
_PART_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)", re.I)
_UNIT_MIN = {"ms": 1 / 60000, "s": 1 / 60, "m": 1, "h": 60, "d": 1440}


def duration_minutes(value: Any) -> float | None:
    """`"55m"` -> 55, `"1h30m"` -> 90; anything else -> None."""
    if not isinstance(value, str) or not _DURATION_RE.match(value):
        return None
    return sum(float(n) * _UNIT_MIN[u.lower()] for n, u in _PART_RE.findall(value))
