"""LOG: daily logs (tier 3): `memory/YYYY-MM-DD.md` and the session-memory hook's
`memory/YYYY-MM-DD-<slug>.md`.

Only names in exactly that form count as dated: temporal decay ages them and the agent's
"today and yesterday" lookups find them. Anything else in `memory/` is evergreen.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from clawlint.diagnostics import Applicability, Diagnostic, Fix
from clawlint.knowledge import memory as facts
from clawlint.knowledge import workspace_files as wf
from clawlint.memory_support import plural, today
from clawlint.registry import Context, kinds_inputs, rule
from clawlint.workspace import Kind, SourceFile


@dataclass
class LogName:
    file: SourceFile
    year: int
    month: int
    day: int
    slug: str | None
    canonical: bool  # already YYYY-MM-DD[-slug].md

    @property
    def date(self) -> _dt.date | None:
        try:
            return _dt.date(self.year, self.month, self.day)
        except ValueError:
            return None

    def canonical_name(self) -> str | None:
        d = self.date
        if d is None:
            return None
        slug = ""
        if self.slug:
            cleaned = re.sub(r"[\s_.]+", "-", self.slug.strip()).strip("-")
            slug = f"-{cleaned}" if cleaned else ""
        return f"{d.isoformat()}{slug}.md"


def parse_log_name(f: SourceFile) -> LogName | None:
    """A top-level memory/ file whose name carries a date, canonical or not."""
    parts = f.rel.split("/")
    if len(parts) != 2 or parts[0] != wf.MEMORY_DIR:
        return None
    name = parts[1]
    m = wf.DAILY_LOG_RE.match(name)
    if m:
        return LogName(f, int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4), True)
    m = facts.LOOSE_DATE_NAME_RE.match(name)
    if not m:
        return None
    if not m.group("sep") and (len(m.group("m")) != 2 or len(m.group("d")) != 2):
        return None  # `2026111.md`: 1 Nov or 11 Jan? Not a date we can read.
    return LogName(f, int(m.group("y")), int(m.group("m")), int(m.group("d")),
                   m.group("slug"), False)


def daily_logs(ctx: Context) -> list[LogName]:
    def build() -> list[LogName]:
        out = []
        for f in sorted(ctx.ws.of_kind(Kind.DAILY_LOG, Kind.MEMORY_OTHER), key=lambda x: x.rel):
            ln = parse_log_name(f)
            if ln is not None:
                out.append(ln)
        return out

    return ctx.ws.memo("log.names", build)


@rule("LOG001")  # not scoped: it tests files on disk that `exclude` hides
def non_canonical_name(ctx: Context) -> Iterator[Diagnostic]:
    for ln in daily_logs(ctx):
        if ln.canonical or ln.date is None:
            continue  # impossible dates are LOG002's
        new = ln.canonical_name()
        if new is None:
            continue
        target = f"{wf.MEMORY_DIR}/{new}"
        taken = ctx.ws.get(target) is not None or os.path.exists(ctx.ws.root / target)
        fix = None
        if not taken:
            fix = Fix(f"Rename to {target}", (), Applicability.UNSAFE, rename_to=target)
        clash = f" ({target} already exists: merge the two)" if taken else ""
        yield ctx.diag(
            ln.file,
            f"`{ln.file.name}` is not a dated log name (YYYY-MM-DD.md or YYYY-MM-DD-<slug>.md), "
            "so OpenClaw treats it as evergreen: temporal decay never ages it and the "
            f"today/yesterday lookup misses it. Rename it to `{new}`{clash}",
            line=1,
            fix=fix,
        )


@rule("LOG002", inputs=kinds_inputs(Kind.DAILY_LOG, Kind.MEMORY_OTHER))
def impossible_date(ctx: Context) -> Iterator[Diagnostic]:
    for ln in daily_logs(ctx):
        if ln.date is None:
            yield ctx.diag(
                ln.file,
                f"`{ln.file.name}` names a date that does not exist "
                f"({ln.year}-{ln.month:02d}-{ln.day:02d}); rename it to the day the notes are "
                "from (YYYY-MM-DD.md)",
                line=1,
            )


@rule("LOG003", inputs=kinds_inputs(Kind.DAILY_LOG, Kind.MEMORY_OTHER))
def future_date(ctx: Context) -> Iterator[Diagnostic]:
    now = today(ctx.options)
    limit = now + _dt.timedelta(days=int(ctx.options.get("grace_days", 1)))
    for ln in daily_logs(ctx):
        d = ln.date
        if d is not None and d > limit:
            yield ctx.diag(
                ln.file,
                f"`{ln.file.name}` is dated {d}, in the future (today is {now}); recency "
                "ranking treats it as the newest memory. Rename it to the day the notes are from",
                line=1,
            )


@rule("LOG004", inputs=kinds_inputs(Kind.DAILY_LOG, Kind.MEMORY_OTHER))
def old_logs(ctx: Context) -> Iterator[Diagnostic]:
    now = today(ctx.options)
    max_age = int(ctx.options.get("max_age_days", facts.DAILY_LOG_ARCHIVE_DAYS))
    old = [ln for ln in daily_logs(ctx) if ln.date is not None and (now - ln.date).days > max_age]
    if not old:
        return
    old.sort(key=lambda ln: (ln.date, ln.file.rel))
    oldest = old[0]
    yield ctx.diag(
        oldest.file,
        f"{plural(len(old), 'daily log')} older than {max_age} days (oldest {oldest.date}); "
        "distill what lasts into knowledge cards, then archive the logs outside memory/ "
        "(a subfolder of memory/ is still indexed, and there the logs lose their date)",
        line=1,
        help="The guide's maintenance pass: read recent logs, update cards, trim MEMORY.md, "
        f"archive daily logs older than {max_age} days (max_age_days).",
    )


@rule("LOG005", inputs=kinds_inputs(Kind.DAILY_LOG, Kind.MEMORY_OTHER))
def large_log(ctx: Context) -> Iterator[Diagnostic]:
    max_chars = int(ctx.options.get("max_chars", facts.MEMORY_GET_MAX_CHARS))
    for ln in daily_logs(ctx):
        text = ln.file.text or ""
        n = len(text)
        if n <= max_chars:
            continue
        line = ln.file.src.pos(max_chars)[0]
        yield ctx.diag(
            ln.file,
            f"daily log is {n:,} characters, over {max_chars:,}: memory_get returns at most "
            f"{facts.MEMORY_GET_MAX_CHARS:,} characters per call and search chunks split it "
            "into many near-identical hits. Keep raw transcripts and pasted output out; write "
            "the decisions and outcomes",
            line=line,
        )
