"""MEM: the root MEMORY.md (tier 1), a slim index injected into every main-session prompt.

Truncation against bootstrapMaxChars is the prompt-cache rules' job (clawlint/prefix.py);
these rules keep MEMORY.md small, index-like, pointing at files that exist, and unique.
Lowercase root `memory.md` is also the prompt-cache rules' (legacy file).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from urllib.parse import unquote

from clawlint.diagnostics import Diagnostic
from clawlint.didyoumean import closest
from clawlint.knowledge import memory as facts
from clawlint.knowledge import workspace_files as wf
from clawlint.memory_support import plural
from clawlint.registry import Context, rule
from clawlint.tokens import count_with_method as count_tokens
from clawlint.workspace import Kind, SourceFile, Workspace


def root_memory(ctx: Context) -> SourceFile | None:
    f = ctx.ws.bootstrap(wf.ROOT_MEMORY)
    return f if f is not None and f.readable else None


def memory_md_only(ws: Workspace) -> list[SourceFile]:
    """Inputs of the MEM rules that read only MEMORY.md (see Rule.inputs)."""
    f = ws.files.get(wf.ROOT_MEMORY)
    return [f] if f is not None else []


def memory_md_and(*kinds: Kind) -> Callable[[Workspace], list[SourceFile]]:
    """Inputs: MEMORY.md and every file of `kinds`."""

    def inputs(ws: Workspace) -> list[SourceFile]:
        return [*memory_md_only(ws), *ws.of_kind(*kinds)]

    return inputs


def utf16_len(text: str) -> int:
    """OpenClaw measures bootstrap files in UTF-16 code units (JS `.length`)."""
    return len(text.encode("utf-16-le")) // 2


# ---- MEM001: size ---------------------------------------------------------------------------


@rule("MEM001", inputs=memory_md_only)
def memory_md_size(ctx: Context) -> Iterator[Diagnostic]:
    f = root_memory(ctx)
    if f is None:
        return
    text = (f.text or "").rstrip()  # OpenClaw trimEnd()s before measuring
    max_chars = int(ctx.options.get("max_chars", facts.MEMORY_MD_WARN_CHARS))
    max_tokens = int(ctx.options.get("max_tokens", facts.MEMORY_MD_WARN_TOKENS))
    target = int(ctx.options.get("target_chars", facts.MEMORY_MD_TARGET_CHARS))
    chars = utf16_len(text)
    if chars <= max_chars and len(text.encode("utf-8")) <= max_tokens:
        return
    tokens, method = count_tokens(text)
    if chars <= max_chars and tokens <= max_tokens:
        return
    over = []
    if chars > max_chars:
        over.append(f"the {max_chars:,}-character limit")
    if tokens > max_tokens:
        over.append(f"the {max_tokens:,}-token limit")
    # Point at the line where the budget runs out: what follows is what to move.
    cut = min(len(text), max_chars) if chars > max_chars else 0
    line = f.src.pos(cut)[0] if cut else 1
    yield ctx.diag(
        f,
        f"MEMORY.md is {chars:,} characters (~{tokens:,} tokens, {method}), over "
        f"{' and '.join(over)} (target ~{target:,} characters); it is injected into every main-session "
        "prompt. Keep pointers and durable decisions here, move details to knowledge cards "
        f"({ctx.settings.cards_path}/) and history to daily logs ({facts.DAILY_LOG_HINT})",
        line=line,
        help="Truncation at bootstrapMaxChars is reported separately (BS001 "
        f"bootstrap-file-truncated); this is the guide's earlier budget: ~{target:,} characters "
        f"as the target, a warning above {max_chars:,} characters or {max_tokens:,} tokens "
        "(target_chars, max_chars, max_tokens).",
    )


# ---- MEM002: a log instead of an index -----------------------------------------------------

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATED_HEADING = re.compile(
    rf"(?:\b\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTHS}\b|\b{_MONTHS}\s+\d{{1,2}}\b)",
    re.I,
)
_TASK = re.compile(r"^\s{0,3}(?:[-*+]|\d+[.)])\s+\[( |x|X)\]\s")
_STATUS_HEADING = re.compile(
    r"^(?:current\s+|project\s+)?(?:status|progress|in[\s-]progress|today|this\s+week|"
    r"session\s+(?:log|notes?)|log|work\s*log|changelog|journal|diary|recent(?:\s+(?:changes|"
    r"activity|work))?|to-?dos?|tasks?|next\s+steps|open\s+items|scratch(?:pad)?|"
    r"what\s+i(?:'m| am)\s+working\s+on|currently)$",
    re.I,
)


def _heading_words(text: str) -> str:
    return re.sub(r"[^\w\s'-]", " ", text).strip()


@rule("MEM002", inputs=memory_md_only)
def memory_md_as_log(ctx: Context) -> Iterator[Diagnostic]:
    f = root_memory(ctx)
    if f is None:
        return
    md = f.markdown
    min_dated = int(ctx.options.get("min_dated_headings", 2))
    min_tasks = int(ctx.options.get("min_tasks", 3))
    log_hint = f"daily logs ({facts.DAILY_LOG_HINT})"

    dated = [(ln, txt) for ln, _lvl, txt in md.headings if _DATED_HEADING.search(txt)]
    if min_dated > 0 and len(dated) >= min_dated:
        shown = ", ".join(f"`{t}`" for _, t in dated[:3]) + (", ..." if len(dated) > 3 else "")
        ln = dated[0][0]
        yield ctx.diag(
            f,
            f"MEMORY.md has {plural(len(dated), 'dated section')} ({shown}): it is being used "
            f"as a log, not an index. Move each day's notes to the {log_hint} and keep only "
            "durable facts and pointers here",
            line=ln, end_col=len(f.src.line_text(ln)) + 1,
        )

    tasks = []
    for i, line in enumerate(f.src.lines, start=1):
        m = _TASK.match(line)
        if m and not md.in_code(i):
            tasks.append((i, m.group(1) == " "))
    if min_tasks > 0 and len(tasks) >= min_tasks:
        open_n = sum(1 for _, o in tasks if o)
        ln = tasks[0][0]
        yield ctx.diag(
            f,
            f"MEMORY.md holds {plural(len(tasks), 'checkbox task')} ({open_n} open); task lists "
            "change every session and each edit rewrites the cached prompt prefix. Track tasks "
            f"in today's daily log ({facts.DAILY_LOG_HINT}) or a tasks card, not in MEMORY.md",
            line=ln, end_col=len(f.src.line_text(ln)) + 1,
        )

    if ctx.options.get("status_sections", True):
        for ln, _lvl, txt in md.headings:
            if _STATUS_HEADING.match(_heading_words(txt)):
                yield ctx.diag(
                    f,
                    f"`{txt}` section in MEMORY.md: status and progress notes go stale within "
                    f"days and churn the cached prefix. Write them to the {log_hint} and keep "
                    "only the lasting outcome (as a pointer or a one-line decision) here",
                    line=ln, end_col=len(f.src.line_text(ln)) + 1,
                )


# ---- MEM003: links to files that do not exist ------------------------------------------------

_MD_LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
# Bare relative paths with a folder: `memory/cards/ssh.md`, `./skills/x/SKILL.md`.
_BARE_PATH = re.compile(r"(?<![\w/.\-~:])((?:\./)?[A-Za-z0-9_\-][\w.\-]*(?:/[\w.\-]+)+\.md)(?![\w/])")
_TEMPLATE_CHARS = re.compile(r"YYYY|MM-DD|[*?<>{}$…]|\.\.\.|\bX{2,}\b", re.I)


def _link_target(raw: str) -> str | None:
    target = raw.split("#", 1)[0].split("?", 1)[0]
    if not target or re.match(r"^[a-z][a-z0-9+.\-]*:", target, re.I):
        return None  # URL, mailto:, or a pure #anchor
    if target.startswith(("/", "~")) or _TEMPLATE_CHARS.search(target):
        return None
    return unquote(target)


# Cacheable: the cross-file inputs hash covers every path in the workspace, not only tracked files.
def _pointers(f: SourceFile, in_code_too: bool = False) -> Iterator[tuple[int, int, str, str]]:
    """(line, column offset, raw text, normalised path) of each path MEMORY.md points to
    inside the workspace (links, reference definitions, bare paths; not in code, unless
    `in_code_too`: a superset that needs no Markdown parse)."""
    seen: set[tuple[int, str]] = set()
    for i, line in enumerate(f.src.lines, start=1):
        if not in_code_too and f.markdown.in_code(i):
            continue
        refs: list[tuple[int, str]] = []
        for m in _MD_LINK.finditer(line):
            refs.append((m.start(1), m.group(1)))
        if m := _REF_DEF.match(line):
            refs.append((m.start(1), m.group(1)))
        linked = {pos for pos, _ in refs}
        for m in _BARE_PATH.finditer(line):
            if not any(p <= m.start(1) < p + len(r) for p, r in refs) and m.start(1) not in linked:
                refs.append((m.start(1), m.group(1)))
        for col0, raw in refs:
            target = _link_target(raw)
            if target is None or (i, target) in seen:
                continue
            seen.add((i, target))
            norm = os.path.normpath(target).replace(os.sep, "/")
            if norm.startswith("../") or norm == ".." or wf.in_skipped_dir(norm):
                continue  # outside the workspace or the scan (.git, node_modules): not ours
            yield i, col0, raw, norm


def _md_names(ws: Workspace) -> dict[str, str]:
    return {k.rsplit("/", 1)[-1]: k for k in ws.files if k.endswith(".md")}


def _pointer_inputs(ws: Workspace) -> list[SourceFile | str]:
    """MEM003's inputs: MEMORY.md, whether each path it points to exists on disk (a folder
    link may lead outside the workspace, where the scan does not look), and the Markdown file
    names its suggestions come from."""
    import hashlib

    f = ws.files.get(wf.ROOT_MEMORY)
    if f is None:
        return []
    out: list[SourceFile | str] = [f]
    if f.kind is Kind.BOOTSTRAP and f.readable:
        # Paths in code blocks too: a superset keeps the key right, and building the key
        # (every run that is not a replay) then needs no Markdown parser.
        for _i, _col0, _raw, norm in _pointers(f, in_code_too=True):
            out.append(f"exists:{norm}:{os.path.exists(ws.root / norm)}")
    names = "\n".join(f"{k}\t{v}" for k, v in sorted(_md_names(ws).items()))
    out.append("names:" + hashlib.sha256(names.encode()).hexdigest())
    return out


@rule("MEM003", inputs=_pointer_inputs)
def memory_md_broken_link(ctx: Context) -> Iterator[Diagnostic]:
    f = root_memory(ctx)
    if f is None:
        return
    root = ctx.ws.root
    names: dict[str, str] | None = None
    for i, col0, raw, norm in _pointers(f):
        if os.path.exists(root / norm):  # False, not an error, for a name too long
            continue
        start = f.src.offset(i, col0 + 1)
        hint = ""
        # Suggest a file with the same or a very similar name (a renamed card).
        names = names if names is not None else _md_names(ctx.ws)
        near = closest(norm.rsplit("/", 1)[-1], names, 0.85)
        if near is not None:
            hint = f" (did you mean `{names[near]}`?)"
        yield ctx.diag(
            f,
            f"MEMORY.md points to `{norm}`, which does not exist{hint}; the agent follows "
            "this pointer and finds nothing. Fix the path, create the file, or remove the "
            "pointer",
            start=start, end=start + len(raw),
        )


# ---- MEM004: a second MEMORY.md inside memory/ ------------------------------------------------


# A workspace rule, not per-file: the message depends on whether the root MEMORY.md exists.
@rule("MEM004", inputs=memory_md_and(Kind.MEMORY_OTHER))
def nested_memory_md(ctx: Context) -> Iterator[Diagnostic]:
    for f in ctx.ws.of_kind(Kind.MEMORY_OTHER):
        if f.rel.lower() != "memory/memory.md":
            continue
        if ctx.ws.get(wf.ROOT_MEMORY) is not None:
            msg = (f"`{f.rel}` is a second MEMORY.md: it is indexed as an ordinary memory file, "
                   "never injected, and drifts from the root MEMORY.md. Merge what is still true "
                   "into the root MEMORY.md and delete this copy")
        else:
            msg = (f"`{f.rel}` is not the root MEMORY.md: OpenClaw injects only `MEMORY.md` at the "
                   "workspace root, so this file is only searched. Move it to the workspace root")
        yield ctx.diag(f, msg, line=1)


# ---- MEM005: paragraphs injected twice ------------------------------------------------------


def _norm_para(text: str) -> str:
    text = re.sub(r"[*_`~]+", "", text)
    text = re.sub(r"\s+", " ", text).strip().casefold()
    return text.rstrip(".;:!")


def paragraphs(f: SourceFile) -> list[tuple[int, int, str]]:
    """(first line, last line, normalized text) for each paragraph, list items included."""
    md = f.markdown
    toks = md.tokens
    out = []
    for i, tok in enumerate(toks):
        if tok.type == "paragraph_open" and tok.map and i + 1 < len(toks):
            a, b = tok.map
            out.append((a + md.body_first_line, b - 1 + md.body_first_line,
                        _norm_para(toks[i + 1].content)))
    return out


@rule("MEM005", inputs=memory_md_and(Kind.BOOTSTRAP))
def repeated_paragraph(ctx: Context) -> Iterator[Diagnostic]:
    f = root_memory(ctx)
    if f is None:
        return
    min_chars = int(ctx.options.get("min_chars", 40))
    index: dict[str, tuple[str, int]] = {}
    for other in sorted(ctx.ws.of_kind(Kind.BOOTSTRAP), key=lambda x: x.rel):
        if other is f or not other.readable:
            continue
        for a, _b, text in paragraphs(other):
            if len(text) >= min_chars:
                index.setdefault(text, (other.rel, a))
    if not index:
        return
    for a, b, text in paragraphs(f):
        hit = index.get(text) if len(text) >= min_chars else None
        if hit is None:
            continue
        rel, line = hit
        yield ctx.diag(
            f,
            f"this paragraph is also in {rel} (line {line}); both files are injected into every "
            "prompt, so it is paid for twice and the copies drift. Keep it in one file (USER.md "
            "for facts about the user, AGENTS.md for instructions) and delete the other",
            line=a, end_line=b, end_col=len(f.src.line_text(b)) + 1,
        )
