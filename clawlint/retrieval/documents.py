"""What the retrieval checks compare: card fields, OpenClaw-style chunks, comparison units."""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from clawlint.knowledge import embeddings as K

if TYPE_CHECKING:
    from clawlint.workspace import SourceFile, Workspace


@dataclass(slots=True)  # one per card: 10,000 of them without a __dict__ each
class Unit:
    """One thing that is embedded and compared: a whole card, or a chunk of another file."""

    rel: str
    text: str  # the text compared (before any model prefix)
    line: int  # 1-based line where a diagnostic goes
    end_line: int
    is_card: bool
    topic: str = ""
    tags: tuple[str, ...] = ()
    order: tuple[str, str, str] = ("", "", "")  # (updated, created, rel): larger = newer

    @property
    def sha(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def _date_text(value: Any) -> str:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip()
    return ""


_TAG_SEP = re.compile(r"[,\s]+")


def parse_tags(value: Any) -> tuple[str, ...]:
    """Tags as a YAML list, `a, b` or `#a #b`: a tuple of bare, lower-cased words."""
    items: list[str] = []
    if isinstance(value, str):
        items = _TAG_SEP.split(value)
    elif isinstance(value, (list, tuple)):
        for v in value:
            if isinstance(v, (str, int, float)) and not isinstance(v, bool):
                items.extend(_TAG_SEP.split(str(v)))
    out: list[str] = []
    for t in items:
        t = t.strip().lstrip("#").strip().lower()
        if t and t not in out:
            out.append(t)
    return tuple(out)


def card_unit(f: SourceFile) -> Unit | None:
    """The card's topic + tags + body, or None when the file has no text."""
    text = f.text
    if text is None:
        return None
    fm = f.frontmatter
    data = fm.data if (fm is not None and isinstance(fm.data, dict)) else {}
    body = text[fm.body_offset:] if (fm is not None and fm.terminated) else text
    topic = data.get("topic")
    topic = str(topic).strip() if isinstance(topic, (str, int, float)) and topic is not None else ""
    tags = parse_tags(data.get("tags"))
    line = 1
    if fm is not None and "topic" in fm.keys:
        line = fm.keys["topic"].line
    combined = "\n".join(p for p in (topic, " ".join(tags), body.strip()) if p)
    order = (_date_text(data.get("updated")) or _date_text(data.get("created")),
             _date_text(data.get("created")), f.rel)
    return Unit(f.rel, combined, line, line, True, topic, tags, order)


@dataclass
class Chunk:
    text: str
    start_line: int
    end_line: int


def chunk_markdown(content: str, tokens: int = K.CHUNK_TOKENS,
                   overlap: int = K.CHUNK_OVERLAP) -> list[Chunk]:
    """OpenClaw's line-based chunkMarkdown (facts §2.3): chunks of at most max(32, tokens*4)
    chars, carrying `overlap*4` chars (at most half a chunk) of trailing lines into the next."""
    tokens = max(1, int(tokens))
    overlap = min(max(0, int(overlap)), tokens - 1)
    max_chars = max(K.MIN_CHUNK_CHARS, tokens * K.CHARS_PER_TOKEN)
    overlap_chars = min(max(0, overlap * K.CHARS_PER_TOKEN), max_chars // 2)
    lines = content.split("\n")
    if not content:
        return []
    chunks: list[Chunk] = []
    current: list[tuple[str, int]] = []  # (segment, 1-based line)
    size = 0

    def flush() -> None:
        if not current:
            return
        chunks.append(Chunk("\n".join(s for s, _ in current), current[0][1], current[-1][1]))

    def carry() -> None:
        nonlocal current, size
        if overlap_chars <= 0 or not current:
            current, size = [], 0
            return
        kept: list[tuple[str, int]] = []
        acc = 0
        for seg, ln in reversed(current):
            acc += len(seg) + 1
            kept.insert(0, (seg, ln))
            if acc >= overlap_chars:
                break
        current, size = kept, sum(len(s) + 1 for s, _ in kept)

    for i, line in enumerate(lines, start=1):
        segments = [line[j:j + max_chars] for j in range(0, len(line), max_chars)] or [""]
        for seg in segments:
            if current and size + len(seg) + 1 > max_chars:
                flush()
                carry()
            current.append((seg, i))
            size += len(seg) + 1
    flush()
    return chunks


def chunk_units(f: SourceFile, tokens: int, overlap: int) -> list[Unit]:
    """Chunks of a non-card memory file, as comparison units (blank chunks skipped)."""
    if f.text is None:
        return []
    order_key = _daily_order(f.rel)
    out = []
    for c in chunk_markdown(f.text, tokens, overlap):
        if len(c.text.strip()) < 40:  # headings and stubs are not duplicates of anything
            continue
        out.append(Unit(f.rel, c.text, c.start_line, c.end_line, False,
                        order=(order_key, order_key, f.rel)))
    return out


def _daily_order(rel: str) -> str:
    m = re.match(r"^(\d{4}-\d{2}-\d{2})", PurePosixPath(rel).name)
    return m.group(1) if m else ""


def indexed_memory_files(ws: Workspace) -> list[SourceFile]:
    """Files OpenClaw's builtin index reads: MEMORY.md and memory/**/*.md (facts §2.2)."""
    from clawlint.workspace import Kind

    kinds = (Kind.CARD, Kind.DAILY_LOG, Kind.MEMORY_OTHER)
    files = [f for f in ws.files.values()
             if (f.kind in kinds or f.rel == K_ROOT_MEMORY) and not f.is_symlink]
    return sorted((f for f in files if f.readable), key=lambda f: f.rel)


K_ROOT_MEMORY = "MEMORY.md"
