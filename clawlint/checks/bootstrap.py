"""BS: what OpenClaw injects from the workspace bootstrap files, as the prefix simulator sees it.

Verdicts come from clawlint/prefix.py (an exact port of `buildBootstrapContextFiles`), so the
truncation and drop findings match `openclaw doctor --lint` for the same era and caps.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterator

from clawlint import prefix as P
from clawlint.diagnostics import Diagnostic
from clawlint.knowledge import bootstrap as K
from clawlint.registry import Context, rule
from clawlint.workspace import SourceFile, Workspace


def _n(x: int) -> str:
    return f"{x:,}"


def _cap_hint(ws: Workspace, v: P.FileVerdict, res: P.PrefixResult, total: bool) -> str:
    if v.name == K.USER and res.profile.user_max_chars is not None and v.limit == res.profile.user_max_chars:
        return ("; USER.md has a fixed 4,000-character cap that bootstrapMaxChars cannot raise, "
                "so keep only durable directives there")
    key = "bootstrapTotalMaxChars" if total else "bootstrapMaxChars"
    where = "agents.entries.<id>" if res.profile.era == K.CURRENT else "agents.list[]"
    return f" or raise `agents.defaults.{key}` (per agent: `{where}.{key}`)"


def _section(f: SourceFile, offset: int) -> tuple[int, str]:
    line = f.src.pos(min(offset, len(f.src.text)))[0]
    h = f.markdown.heading_at(line)
    where = f"section `{'#' * h[1]} {h[2]}`" if h is not None else "the text before the first heading"
    return line, where


@rule("BS001", inputs=P.prefix_inputs)
def bootstrap_file_truncated(ctx: Context) -> Iterator[Diagnostic]:
    res = P.simulate(ctx.ws)
    for v in res.files:
        if v.status != "truncated" or v.source is None or v.source.text is None:
            continue
        f: SourceFile = v.source
        start = v.cut_start or 0
        end = v.cut_end if v.cut_end is not None else len(f.text or "")
        cut = max(0, end - start)
        line, where = _section(f, start)
        total = "total-limit" in v.causes and "per-file-limit" not in v.causes
        if total:
            why = (f"only {_n(v.file_budget)} of the {_n(res.total_max_chars)}-char total "
                   "bootstrap budget is left when it is loaded")
        else:
            why = f"over its {_n(v.limit)}-char bootstrap cap"
        kept = "the head and tail are kept" if v.tail_chars else "only the head is kept"
        msg = (
            f"{v.rel} is {_n(v.raw_chars)} chars, {why}: OpenClaw cuts {_n(cut)} chars "
            f"starting at line {line} in {where} ({kept}); the model never sees that text. "
            f"Shorten the file (move detail into memory/ cards or daily logs)"
            f"{_cap_hint(ctx.ws, v, res, total)}"
        )
        yield ctx.diag(f, msg, start=start, end=min(end, start + max(1, len(f.src.line_text(line)))))


@rule("BS002", inputs=P.prefix_inputs)
def bootstrap_file_near_cap(ctx: Context) -> Iterator[Diagnostic]:
    ratio = float(ctx.options.get("near_ratio", K.NEAR_LIMIT_RATIO))
    res = P.simulate(ctx.ws)
    for v in res.files:
        if v.status != "ok" or v.source is None or v.limit <= 0:
            continue
        if v.raw_chars >= math.ceil(v.limit * ratio):
            pct = round(100 * v.raw_chars / v.limit)
            yield ctx.diag(
                v.source,
                f"{v.rel} is {_n(v.raw_chars)} chars, {pct}% of its {_n(v.limit)}-char bootstrap "
                f"cap; {_n(v.limit - v.raw_chars)} more chars and OpenClaw starts cutting its "
                "middle. Trim it now (move detail into memory/ cards or daily logs)",
                line=1,
            )
    injected = res.injected_total
    if not any(v.truncated for v in res.files) and injected >= math.ceil(res.total_max_chars * ratio):
        biggest = max((v for v in res.files if v.source is not None), key=lambda v: v.injected_chars,
                      default=None)
        if biggest is not None:
            pct = round(100 * injected / res.total_max_chars)
            yield ctx.diag(
                biggest.source,
                f"bootstrap files use {_n(injected)} of the {_n(res.total_max_chars)}-char total "
                f"budget ({pct}%); the next file to grow gets cut or dropped. Shrink the largest "
                f"file ({biggest.rel}, {_n(biggest.injected_chars)} chars)",
                line=1,
            )


@rule("BS003", inputs=P.prefix_inputs)
def bootstrap_file_dropped(ctx: Context) -> Iterator[Diagnostic]:
    res = P.simulate(ctx.ws)
    before: list[P.FileVerdict] = []
    for v in res.files:
        if v.status == "dropped" and v.source is not None and v.raw_chars > 0:
            used = ", ".join(f"{b.rel} {_n(b.injected_chars)}" for b in before if b.injected_chars)
            left = v.remaining_before
            why = (f"only {_n(left)} chars were left (OpenClaw skips every later file below "
                   f"{K.MIN_FILE_BUDGET_CHARS})" if left > 0 else "no budget was left")
            yield ctx.diag(
                v.source,
                f"{v.rel} ({_n(v.raw_chars)} chars) is not injected at all: the "
                f"{_n(res.total_max_chars)}-char total bootstrap budget is spent by the files "
                f"loaded before it ({used or 'none'}) and {why}. Shrink those files or raise "
                "`agents.defaults.bootstrapTotalMaxChars`",
                line=1,
            )
        before.append(v)


_ROLE = {K.AGENTS: "operating instructions", K.TOOLS: "local tool notes"}


@rule("BS004", inputs=P.prefix_inputs)
def missing_required_bootstrap_file(ctx: Context) -> Iterator[Diagnostic]:
    res = P.simulate(ctx.ws)
    for v in res.files:
        if v.status == "missing" and v.name in K.REQUIRED[res.profile.era] and not v.extra:
            yield ctx.diag(
                v.rel,
                f"{v.rel} is missing: OpenClaw injects `{v.content}` in its place on every turn "
                f"and the agent runs without its {_ROLE.get(v.name, 'instructions')}. Create "
                f"{v.rel} at the workspace root",
            )


@rule("BS005", inputs=P.prefix_inputs)
def legacy_bootstrap_file(ctx: Context) -> Iterator[Diagnostic]:
    res = P.simulate(ctx.ws)
    if res.profile.era != K.CURRENT:
        return
    tools = ctx.ws.files.get(K.TOOLS)
    if tools is not None and tools.rel == K.TOOLS:
        agents = ctx.ws.files.get(K.AGENTS)
        merged = P.u16len(P.js_trim_end((agents.text or "") if agents else "")) + P.u16len(
            P.js_trim_end(tools.text or "")) + len("\n\n## Tools\n\n")
        cap = res.max_chars
        extra = ""
        if merged > cap:
            extra = (f" Merged, AGENTS.md would be about {_n(merged)} chars, over its "
                     f"{_n(cap)}-char cap: trim it first or the tail gets cut (issue #136348).")
        yield ctx.diag(
            tools,
            "TOOLS.md is not injected in the Current era (OpenClaw >= 2026.8 reads local tool "
            "notes from the `## Tools` section of AGENTS.md); the model never sees this file. "
            "Move its content under `## Tools` in AGENTS.md (`openclaw doctor --fix` migrates "
            f"it) and delete TOOLS.md.{extra}",
            line=1,
        )
    hb = ctx.ws.files.get(K.HEARTBEAT)
    if hb is not None and hb.rel == K.HEARTBEAT:
        yield ctx.diag(
            hb,
            "HEARTBEAT.md is no longer a bootstrap file in the Current era: heartbeat context "
            "moved to the cron heartbeat monitor, so this text reaches neither the system prompt "
            "nor heartbeat runs. Run `openclaw doctor --fix` to create the monitor, move the "
            "checklist into it, and delete HEARTBEAT.md",
            line=1,
        )


@rule("BS006", inputs=P.prefix_inputs)
def root_memory_not_injected(ctx: Context) -> Iterator[Diagnostic]:
    ws = ctx.ws
    lower = ws.files.get(K.LEGACY_MEMORY)
    upper = ws.files.get(K.MEMORY)
    if lower is not None and lower.rel == K.LEGACY_MEMORY:
        both = upper is not None and upper.rel == K.MEMORY
        msg = (
            "lowercase memory.md is never injected (OpenClaw matches `MEMORY.md` exactly, even "
            "on case-insensitive file systems); it is legacy input for `openclaw doctor --fix`. "
        )
        msg += ("Merge it into MEMORY.md and delete it: two root memory files drift apart"
                if both else "Rename it to MEMORY.md")
        yield ctx.diag(lower, msg, line=1)
    if upper is not None and upper.rel == K.MEMORY and upper.is_symlink:
        yield ctx.diag(
            upper,
            "MEMORY.md is a symlink: OpenClaw only injects and indexes a real MEMORY.md file, so "
            "none of it reaches the prompt. Replace the link with the file itself",
            line=1,
        )


def _onboarding_signals(ws: Workspace) -> list[str]:
    """Besides the prefix files, BS007 depends on whether memory/ has anything."""
    return [f"memory-present:{_memory_present(ws)}"]


def _memory_present(ws: Workspace) -> bool:
    return any(rel.startswith("memory/") for rel in ws.files) or os.path.isdir(ws.root / "memory")


def _onboarded(ws: Workspace) -> list[str]:
    """Evidence that first-run setup already happened (OpenClaw's own completion signals)."""
    ev: list[str] = []
    if _memory_present(ws):
        ev.append("memory/ exists")
    m = ws.files.get(K.MEMORY)
    if m is not None and m.rel == K.MEMORY:
        ev.append("MEMORY.md exists")
    for name in (K.IDENTITY, K.USER, K.SOUL):
        f = ws.files.get(name)
        if f is not None and f.text and not K.PROFILE_TEMPLATE_HEADINGS[name].search(f.text):
            ev.append(f"{name} is filled in")
    return ev


@rule("BS007", inputs=lambda ws: [*P.prefix_inputs(ws), *_onboarding_signals(ws)])
def stale_bootstrap_md(ctx: Context) -> Iterator[Diagnostic]:
    f = ctx.ws.files.get(K.BOOTSTRAP)
    if f is None or f.rel != K.BOOTSTRAP or not f.text:
        return
    hit = next((m for rx in K.BOOTSTRAP_TEMPLATE_MARKERS if (m := rx.search(f.text))), None)
    if hit is None:
        return
    ev = _onboarded(ctx.ws)
    if not ev:
        return
    res = P.simulate(ctx.ws)
    v = res.verdict(K.BOOTSTRAP)
    size = f" ({_n(v.injected_chars)} chars per turn)" if v is not None and v.injected_chars else ""
    yield ctx.diag(
        f,
        f"the stock first-run BOOTSTRAP.md is still here although onboarding is done "
        f"({', '.join(ev[:3])}): it is injected into every prompt{size} and tells the agent to "
        "start the \"who am I\" ritual again. Delete BOOTSTRAP.md",
        start=hit.start(),
        end=hit.end(),
    )


_WS = re.compile(r"\s+")


@rule("BS008", inputs=P.prefix_inputs)
def unfilled_template_placeholder(ctx: Context) -> Iterator[Diagnostic]:
    for name in (K.IDENTITY, K.USER):
        f = ctx.ws.files.get(name)
        if f is None or f.rel != name or not f.text:
            continue
        text = f.text
        found: list[tuple[int, int, str]] = []
        for m in K.TEMPLATE_PROMPT_RE.finditer(text):
            found.append((m.start(), m.end(), m.group(0)))
        for i, line in enumerate(f.src.lines, start=1):
            if f.markdown.in_code(i):
                continue
            m = K.FIELD_PLACEHOLDER_RE.match(line)
            if m:
                s = f.src.offset(i) + m.start("ph")
                found.append((s, s + len(m.group("ph")), m.group("ph")))
        if name == K.USER:
            for m in K.USER_TEMPLATE_DIRECTIVE_RE.finditer(text):
                line = f.src.pos(m.start())[0]
                if not f.markdown.in_code(line):
                    found.append((m.start(), m.end(), m.group(0).strip()))
        for s, e, ph in sorted(set(found)):
            line = f.src.pos(s)[0]
            if f.markdown.in_code(line):
                continue
            yield ctx.diag(
                f,
                f"unfilled template placeholder `{_WS.sub(' ', ph)[:60]}` in {name}: it is "
                "injected into every prompt as if it were a real value. Replace it with the "
                "real value or delete the line",
                start=s,
                end=e,
            )
