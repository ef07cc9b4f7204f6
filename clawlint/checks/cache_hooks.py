"""Hooks that change what gets injected: `agent:bootstrap` handlers that read the clock, random
values or the environment (CV006), and `bootstrap-extra-files` paths OpenClaw will refuse (BS009).

Facts §1.7: handlers may mutate `context.bootstrapFiles`; discovery takes the first of
handler.ts, handler.js, index.ts, index.js; the extra-files hook only loads recognised bootstrap
basenames that resolve inside the workspace.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from clawlint import prefix as P
from clawlint.diagnostics import Diagnostic
from clawlint.knowledge import bootstrap as K
from clawlint.knowledge.workspace_files import HOOK_HANDLER_FILENAMES, in_skipped_dir
from clawlint.paths import is_within
from clawlint.registry import Context, rule
from clawlint.workspace import Kind, SourceFile

_NONDETERMINISTIC: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bnew\s+Date\s*\(\s*\)|\bDate\.now\s*\(|\bperformance\.now\s*\(|"
                r"\bprocess\.hrtime\b|\bnew\s+Date\s*\(\s*Date\.now"), "the clock"),
    (re.compile(r"\bMath\.random\s*\(|\brandomBytes\s*\(|\bgetRandomValues\s*\(|"
                r"\brandomInt\s*\("), "random values"),
    (re.compile(r"\brandomUUID\s*\(|\buuid(?:v[1-7])?\s*\(|\bv[1-7]\s*\(\s*\)|\bnanoid\s*\("),
     "a fresh UUID"),
    (re.compile(r"\bprocess\.env\b|\bDeno\.env\b|\bBun\.env\b|\bos\.hostname\s*\(|"
                r"\bprocess\.pid\b"), "the environment"),
)
_LINE_COMMENT = re.compile(r"//.*$")
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_STRING = re.compile(r"'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\"")


def _handler(ctx: Context, hook: SourceFile) -> SourceFile | None:
    folder = str(PurePosixPath(hook.rel).parent)
    for name in HOOK_HANDLER_FILENAMES:  # discovery order
        f = ctx.ws.files.get(f"{folder}/{name}")
        if f is not None:
            return f if f.text is not None else None
    return None


def _code_only(text: str) -> str:
    """Blank out comments and string literals, keeping offsets."""
    blank = lambda m: re.sub(r"[^\n]", " ", m.group(0))  # noqa: E731
    text = _BLOCK_COMMENT.sub(blank, text)
    text = _STRING.sub(blank, text)
    return "\n".join(_LINE_COMMENT.sub(lambda m: " " * len(m.group(0)), ln) for ln in text.split("\n"))


@rule("CV006")
def nondeterministic_bootstrap_hook(ctx: Context) -> Iterator[Diagnostic]:
    # Events and enablement read the way HK001/HK007 read them (OpenClaw's frontmatter and
    # JSON5 metadata; explicit opt-in): a hook that never runs cannot break the cache.
    from clawlint.checks.hooks_meta import _events, _hook, hook_state

    for hook in ctx.ws.of_kind(Kind.HOOK):
        hk = _hook(ctx, hook)
        if hk is None or "agent:bootstrap" not in (_events(hk) or []):
            continue
        if hook_state(ctx, hk) in ("internal-off", "not-enabled"):
            continue
        name = hk.hook_key
        handler = _handler(ctx, hook)
        if handler is None or handler.text is None:
            continue
        code = _code_only(handler.text)
        for i, line in enumerate(code.split("\n"), start=1):
            for rx, what in _NONDETERMINISTIC:
                m = rx.search(line)
                if m is None:
                    continue
                start = handler.src.offset(i, m.start() + 1)
                yield ctx.diag(
                    handler,
                    f"`{m.group(0).strip()}` in the `agent:bootstrap` handler of hook "
                    f"`{name}` reads {what}, so the files it injects differ between turns and "
                    "every turn misses the prompt cache. Inject static text only; put the time "
                    "or per-run values in the user message (or rely on `session_status`)",
                    start=start,
                    end=start + len(m.group(0)),
                )
                break


@rule("BS009")
def bootstrap_extra_files_paths(ctx: Context) -> Iterator[Diagnostic]:
    cfg = P.openclaw_config(ctx.ws)
    entry: Any = P.extra_files_entry(cfg)  # the simulator's reading: only a hook that runs
    if entry is None:
        return
    key = P.extra_patterns_key(entry)  # the key the simulator (and the hook) reads
    if key is None:
        return
    single = isinstance(entry[key], str)
    prof = P.settings_for(ctx.ws)[0]
    valid = K.VALID_EXTRA_BASENAMES[prof.era]
    root = os.path.realpath(ctx.ws.root)
    where_file = cfg.rel or cfg.display
    values = [entry[key]] if single else entry[key]
    for i, pat in enumerate(values):
        if not isinstance(pat, str) or not pat.strip():
            continue
        pat = pat.strip()
        where = ("hooks", "internal", "entries", K.EXTRA_FILES_HOOK, key)
        pos = cfg.position(*where) if single else cfg.position(*where, i)
        line, col = (pos[1], pos[2]) if pos else (1, 1)
        problems: list[str] = []
        expanded = os.path.expanduser(pat)
        target = os.path.realpath(os.path.join(root, expanded))
        if not is_within(target, root):
            problems.append("resolves outside the workspace, so OpenClaw refuses it "
                                "(`security`); copy the file into the workspace")
        base = PurePosixPath(pat.replace("\\", "/")).name
        if not K.GLOB_CHARS_RE.search(base) and base not in valid:
            problems.append(
                f"basename `{base}` is not a bootstrap file name, so it is skipped "
                f"(`invalid-bootstrap-filename`); only {', '.join(sorted(valid))} load: rename "
                "the file to one of them or remove the entry")
        elif K.GLOB_CHARS_RE.search(pat) and is_within(target, root):
            matched = P.resolve_extra_patterns(ctx.ws, [pat])
            bad = [m for m in matched if PurePosixPath(m).name not in valid]
            if bad:
                problems.append(
                    f"it matches {', '.join(bad[:3])}{' …' if len(bad) > 3 else ''}, whose "
                    "basename is not a bootstrap file name (skipped as "
                    "`invalid-bootstrap-filename`); narrow the pattern")
        elif (not K.GLOB_CHARS_RE.search(pat) and is_within(target, root)
              and not in_skipped_dir(os.path.relpath(target, root)) and not os.path.exists(target)):
            problems.append("no such file (OpenClaw reports it as `missing`); fix the path")
        for p in problems:
            yield ctx.diag(
                where_file,
                f"bootstrap-extra-files path `{pat}`: {p}",
                line=line,
                col=col,
            )
