"""IDX: noise in the indexed path. OpenClaw walks `memory/` recursively and indexes every
`.md` file (facts §2.2), so backups, pasted dumps and transcript envelopes there compete with
real memories for the top search results; non-Markdown files are silently skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath

from clawlint.diagnostics import Diagnostic
from clawlint.knowledge import memory as facts
from clawlint.knowledge import workspace_files as wf
from clawlint.memory_support import plural
from clawlint.registry import Context, kinds_inputs, rule
from clawlint.workspace import Kind, SourceFile

MEMORY_MD_KINDS = (Kind.DAILY_LOG, Kind.CARD, Kind.MEMORY_OTHER)
_MONOLITH = re.compile(r"^MEMORY[-_. ]")  # MEMORY-backup.md, MEMORY_2026-02.md, MEMORY.old.md


def _openclaw_owned(rel: str) -> bool:
    return rel.startswith(facts.OPENCLAW_OWNED_PREFIXES)


_DOT_BACKUP = re.compile(r"\.(?:bak|orig|old|backup)\d*$|~$", re.I)
_COPY_OF = re.compile(r"^(?P<base>.+?)[-_ ](?:backup|bak|old|orig|copy)(?:[-_ ]?\d[\d-]*)?$", re.I)
_DATED_BACKUP = re.compile(r"^(?:backup|bak)[-_ ]?\d{4}[-_]?\d{2}[-_]?\d{2}", re.I)


def backup_reason(rel: str, exists: Callable[[str], bool]) -> str | None:
    """Why a Markdown file under memory/ looks like a backup or an old copy, or None.

    Only unambiguous shapes: `notes.md.bak.md`, `MEMORY-backup.md`, `backup-2026-03-01.md`, or
    `<name>-old.md` / `<name>-copy.md` next to an existing `<name>.md`. A card called
    `nas-backup.md` is a topic, not a backup.
    """
    p: PurePosixPath | None = None
    if "//" in rel or "/./" in rel or rel.startswith(("./", "/")) or rel.endswith(("/", "/.")):
        p = PurePosixPath(rel)  # unusual spelling: let pathlib normalise it
        name, parent = p.name, ""
    else:  # string split: the same result without building a path object per file
        parent, _, name = rel.rpartition("/")
    stem = name[: -len(".md")] if name.endswith(".md") else name
    if rel.lower() == "memory/memory.md":
        return None  # MEM004's
    if _MONOLITH.match(stem):
        return "a copy of MEMORY.md"
    if _DOT_BACKUP.search(stem.removesuffix(".md")) or _DATED_BACKUP.match(stem):
        return "a backup copy"
    m = _COPY_OF.match(stem)
    if m:
        base_md = f"{m.group('base')}.md"
        if p is not None:
            sibling = str(p.parent / base_md)
        else:
            sibling = f"{parent}/{base_md}" if parent else base_md
        if exists(sibling):
            return f"an old copy of `{sibling}`"
        if f"{m.group('base')}.md" in wf.BOOTSTRAP_FILES:
            return f"a copy of {m.group('base')}.md"
    return None


def _exists(ctx: Context) -> Callable[[str], bool]:
    return lambda rel: ctx.ws.get(rel) is not None


@rule("IDX001", inputs=kinds_inputs(Kind.CARD, Kind.DAILY_LOG, Kind.MEMORY_OTHER, Kind.MEMORY_NON_MD))
def indexed_backup(ctx: Context) -> Iterator[Diagnostic]:
    for f in sorted(ctx.ws.of_kind(*MEMORY_MD_KINDS), key=lambda x: x.rel):
        if _openclaw_owned(f.rel):
            continue
        why = backup_reason(f.rel, _exists(ctx))
        if why is None:
            continue
        size = f" ({len(f.text):,} characters)" if f.text is not None else ""
        yield ctx.diag(
            f,
            f"`{f.rel}` looks like {why}{size}; everything under memory/ is indexed, so its "
            "outdated text competes with current memories in search. Move it out of memory/ "
            "(or out of the workspace) and never load it in a session",
            line=1,
        )


def _code_ratio(f: SourceFile) -> float:
    lines = f.src.lines
    nonblank = [i for i, ln in enumerate(lines, start=1) if ln.strip()]
    if not nonblank:
        return 0.0
    code = f.markdown.code_lines
    return sum(1 for i in nonblank if i in code) / len(nonblank)


@rule("IDX002", inputs=kinds_inputs(Kind.CARD, Kind.DAILY_LOG, Kind.MEMORY_OTHER, Kind.MEMORY_NON_MD))
def large_dump(ctx: Context) -> Iterator[Diagnostic]:
    max_chars = int(ctx.options.get("max_chars", facts.LARGE_DUMP_CHARS))
    min_chars = int(ctx.options.get("dump_min_chars", 4000))
    ratio = float(ctx.options.get("dump_code_ratio", 0.6))
    for f in sorted(ctx.ws.of_kind(*MEMORY_MD_KINDS), key=lambda x: x.rel):
        text = f.text
        if text is None or _openclaw_owned(f.rel) or backup_reason(f.rel, _exists(ctx)):
            continue  # backups are IDX001's
        n = len(text)
        if f.kind is Kind.MEMORY_OTHER and n > max_chars:
            yield ctx.diag(
                f,
                f"`{f.rel}` is {n:,} characters of indexed memory; a file this large floods "
                "search with chunks of itself. Split what matters into knowledge cards and move "
                "the rest out of memory/",
                line=1,
            )
            continue
        if f.kind is Kind.CARD or n < min_chars:
            continue
        r = _code_ratio(f)
        if r >= ratio:
            yield ctx.diag(
                f,
                f"`{f.rel}` is {round(r * 100)}% pasted code or data ({n:,} characters); raw "
                "dumps are indexed as memory and crowd out the notes. Keep the conclusion in "
                "prose and move the dump out of memory/",
                line=1,
            )


_FENCE_OPEN = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


def metadata_blocks(f: SourceFile) -> list[int]:
    """1-based lines of inbound-message metadata envelopes (marker + fenced JSON)."""
    text = f.text or ""
    if "untrusted" not in text:
        return []
    lines = f.src.lines
    out = []
    for i, line in enumerate(lines):
        stripped = re.sub(r"^\s*(?:[-*>]\s*)?(?:\*\*)?(?:user|assistant|system)?(?:\*\*)?:?\s*",
                          "", line, flags=re.I)
        if not any(stripped.startswith(m) for m in facts.SESSION_METADATA_MARKERS):
            continue
        nxt = next((ln for ln in lines[i + 1 : i + 3] if ln.strip()), "")
        if _FENCE_OPEN.match(nxt) or nxt.lstrip().startswith("{"):
            out.append(i + 1)
    return out


@rule("IDX003", inputs=kinds_inputs(Kind.CARD, Kind.DAILY_LOG, Kind.MEMORY_OTHER, Kind.MEMORY_NON_MD))
def session_metadata(ctx: Context) -> Iterator[Diagnostic]:
    min_blocks = int(ctx.options.get("min_blocks", 1))
    for f in sorted(ctx.ws.of_kind(*MEMORY_MD_KINDS), key=lambda x: x.rel):
        if _openclaw_owned(f.rel):
            continue
        blocks = metadata_blocks(f)
        if len(blocks) < max(1, min_blocks):
            continue
        first = blocks[0]
        yield ctx.diag(
            f,
            f"{plural(len(blocks), 'session metadata block')} (`Sender`/`Conversation info "
            "(untrusted metadata)` + JSON) copied from transcripts; they are indexed with "
            "their IDs and timestamps and crowd search results. Delete the envelopes and keep "
            "the messages",
            line=first, end_col=len(f.src.line_text(first)) + 1,
        )


@rule("IDX004", inputs=kinds_inputs(Kind.CARD, Kind.DAILY_LOG, Kind.MEMORY_OTHER, Kind.MEMORY_NON_MD))
def non_markdown(ctx: Context) -> Iterator[Diagnostic]:
    files = sorted(
        (f for f in ctx.ws.of_kind(Kind.MEMORY_NON_MD)
         if not _openclaw_owned(f.rel) and f.name not in facts.IGNORED_NON_MD_NAMES),
        key=lambda x: x.rel,
    )
    if not files:
        return
    shown = ", ".join(f"`{f.rel}`" for f in files[:3]) + (", ..." if len(files) > 3 else "")
    backups = [f for f in files if f.name.endswith(facts.BACKUP_SUFFIXES)]
    extra = f" ({plural(len(backups), 'backup')} among them: delete those)" if backups else ""
    yield ctx.diag(
        files[0],
        f"{wf.MEMORY_DIR}/ holds {plural(len(files), 'non-Markdown file')} ({shown}){extra}; "
        "memory search indexes only .md files, so the agent never finds their content. Convert "
        "what should be searchable to Markdown and move the rest out of memory/",
        line=1,
    )
