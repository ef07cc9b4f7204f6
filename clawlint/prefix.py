"""One simulator of OpenClaw's bootstrap injection: which bytes of which workspace file end up
in the cached prompt prefix, where they are cut, and where the cache boundary falls.

It reproduces `buildBootstrapContextFiles` (facts §1.4-§1.5; openclaw@2026.9.6 dist and
src/agents/{pi,embedded-agent}-helpers/bootstrap.ts): content is `trimEnd()`-ed, lengths are
UTF-16 code units, each file gets `min(maxChars, remaining)`, an over-long file keeps a head and
a tail around the truncation marker, a missing file is injected as `[MISSING] Expected at:
<path>` and consumes budget, an empty file is skipped, and once the remaining budget drops below
64 characters every later file is dropped. Then it renders the Project Context block in prompt
order (`## <path>` + content), puts the dynamic files below the cache boundary, and records the
character span of every file so tokens and first differences can be attributed.

Public API: `simulate(ws, session="main") -> PrefixResult` (memoised per workspace) and
`build(inputs) -> PrefixResult` for snapshots that are not a Workspace (git revisions).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from clawlint.knowledge import bootstrap as K

if TYPE_CHECKING:
    from clawlint.workspace import SourceFile, Workspace

# ---- JavaScript string semantics ----------------------------------------------------------
# String.prototype.trim/trimEnd whitespace: WhiteSpace + LineTerminator (ECMA-262).
_JS_WS = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_JS_WS_RUN = re.compile(f"[{_JS_WS}]+")


def js_trim_end(s: str) -> str:
    return s.rstrip(_JS_WS)


def js_trim(s: str) -> str:
    return s.strip(_JS_WS)


def u16len(s: str) -> int:
    """JavaScript `.length`: UTF-16 code units."""
    if s.isascii():
        return len(s)
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


class U16:
    """A string viewed as UTF-16 code units, for slicing exactly like JavaScript."""

    def __init__(self, s: str) -> None:
        self.s = s
        self.ascii = s.isascii()
        self.b = b"" if self.ascii else s.encode("utf-16-le", "surrogatepass")
        self.n = len(s) if self.ascii else len(self.b) // 2

    def unit(self, i: int) -> int:
        if self.ascii:
            return ord(self.s[i])
        return self.b[2 * i] | (self.b[2 * i + 1] << 8)

    def slice(self, start: int, end: int) -> str:
        if end <= start:
            return ""
        if self.ascii:
            return self.s[start:end]
        return self.b[2 * start : 2 * end].decode("utf-16-le", "surrogatepass")

    def js_slice(self, start: int, end: int | None = None) -> str:
        """Plain `String.prototype.slice` (negative indexes count from the end; -0 is 0)."""
        n = self.n
        a = max(n + start, 0) if start < 0 else min(start, n)
        b = n if end is None else (max(n + end, 0) if end < 0 else min(end, n))
        return self.slice(a, b)

    def safe_range(self, start: int, end: int | None = None) -> tuple[int, int]:
        """`sliceUtf16Safe` bounds: never return half of a surrogate pair."""
        n = self.n
        a = max(n + start, 0) if start < 0 else min(start, n)
        b = n if end is None else (max(n + end, 0) if end < 0 else min(end, n))
        if b <= a:
            return a, a
        if 0 < a < n and _is_low(self.unit(a)) and _is_high(self.unit(a - 1)):
            a += 1
        if 0 < b < n and _is_high(self.unit(b - 1)) and _is_low(self.unit(b)):
            b -= 1
        return a, b

    def safe_slice(self, start: int, end: int | None = None) -> str:
        a, b = self.safe_range(start, end)
        return self.slice(a, b)

    def to_py(self, unit_offset: int) -> int:
        """Python (code point) offset of a UTF-16 offset."""
        if self.ascii:
            return unit_offset
        unit_offset = max(0, min(unit_offset, self.n))
        return len(self.b[: 2 * unit_offset].decode("utf-16-le", "surrogatepass"))


def _is_high(u: int) -> bool:
    return 0xD800 <= u <= 0xDBFF


def _is_low(u: int) -> bool:
    return 0xDC00 <= u <= 0xDFFF


def truncate_safe(s: str, limit: int) -> str:
    """`truncateUtf16Safe`."""
    limit = max(0, math.floor(limit))
    if u16len(s) <= limit:
        return s
    return U16(s).safe_slice(0, limit)


def clamp_to_budget(content: str, budget: int) -> str:
    """`clampToBudget`: cut to the remaining total budget, with a trailing ellipsis."""
    if budget <= 0:
        return ""
    if u16len(content) <= budget:
        return content
    if budget <= 3:
        return truncate_safe(content, budget)
    return truncate_safe(content, budget - 1) + "…"


# ---- per-file truncation ------------------------------------------------------------------
@dataclass
class Trimmed:
    content: str
    truncated: bool
    max_chars: int
    original_length: int  # UTF-16 units after trimEnd
    head_units: int = 0  # UTF-16 units kept from the start
    tail_units: int = 0  # UTF-16 units kept from the end


def _trim_v1(trimmed: str, name: str, max_chars: int) -> Trimmed:
    """Classic (pi-embedded-helpers, <= 2026.6): head 70 % + marker + tail 20 % of maxChars."""
    u = U16(trimmed)
    head = math.floor(max_chars * 0.7)
    tail = math.floor(max_chars * 0.2)
    head_s = u.js_slice(0, head)
    tail_s = u.js_slice(-tail) if tail else u.js_slice(0)  # JS slice(-0) keeps everything
    marker = "\n".join(
        ["", K.MARKER_LINE.format(name=name), K.KEPT_LINE.format(name=name, head=head, tail=tail,
                                                                   total=u.n), ""]
    )
    content = "\n".join([head_s, marker, tail_s])
    return Trimmed(content, True, max_chars, u.n, min(head, u.n), min(tail, u.n) if tail else u.n)


def _trim_v2(trimmed: str, name: str, max_chars: int) -> Trimmed:
    """Current (embedded-agent-helpers): 75/25 split of what the marker leaves."""
    u = U16(trimmed)
    total = u.n

    def full(h: int, t: int) -> str:
        return "\n".join(["", K.MARKER_LINE.format(name=name),
                          K.KEPT_LINE.format(name=name, head=h, tail=t, total=total), ""])

    def compact(h: int, t: int) -> str:
        return K.COMPACT_MARKER.format(head=h, tail=t, total=total)

    def sep(h: int, t: int, marker: str) -> int:
        return (int(h > 0) + int(t > 0)) if "\n" in marker else 0

    fm = full(0, 0)
    template = full if max_chars - u16len(fm) - sep(1, 1, fm) >= K.MIN_TRIMMED_CONTENT_CHARS else compact
    h = t = 0
    marker = template(h, t)
    for _ in range(3):
        budget = max(0, max_chars - u16len(marker) - sep(h, t, marker))
        nh, nt = math.floor(budget * 0.75), math.floor(budget * 0.25)
        nm = template(nh, nt)
        if nh == h and nt == t and u16len(nm) == u16len(marker):
            break
        h, t, marker = nh, nt, nm
    rendered = h + t + u16len(marker) + sep(h, t, marker)
    while rendered > max_chars and (t > 0 or h > 0):
        over = rendered - max_chars
        if t > 0:
            t = max(0, t - over)
        else:
            h = max(0, h - over)
        marker = template(h, t)
        rendered = h + t + u16len(marker) + sep(h, t, marker)
    if h == 0 and t == 0 and total > 0:
        single = template(1, 0)
        if 1 + u16len(single) + sep(1, 0, single) <= max_chars:
            h, marker = 1, single
    head_s = u.safe_slice(0, h)
    tail_s = u.safe_slice(-t) if t > 0 else ""
    joiner = "\n" if "\n" in marker else ""
    content = joiner.join(p for p in (head_s, marker, tail_s) if p)
    if u16len(content) > max_chars:
        content = truncate_safe(content, max_chars)
    return Trimmed(content, True, max_chars, total, u16len(head_s), u16len(tail_s))


@dataclass
class _Candidate:
    text: str
    high: bool


def _digest_line(line: str) -> str:
    norm = _JS_WS_RUN.sub(" ", js_trim(line))
    if u16len(norm) <= K.AGENTS_DIGEST_MAX_LINE_CHARS:
        return norm
    return truncate_safe(norm, K.AGENTS_DIGEST_MAX_LINE_CHARS - 1) + "…"


def _digest(cands: list[_Candidate], budget: int) -> tuple[str, int]:
    if budget <= 0:
        return "", 0
    chosen: set[int] = set()
    used = 0

    def pick(i: int) -> None:
        nonlocal used
        n = u16len(cands[i].text) + (1 if chosen else 0)
        if used + n <= budget:
            chosen.add(i)
            used += n

    for i, c in enumerate(cands):
        if c.high:
            pick(i)
    for i in range(len(cands)):
        if i not in chosen:
            pick(i)
    text = "\n".join(c.text for i, c in enumerate(cands) if i in chosen)
    return text, max(0, len(cands) - len(chosen))


def _trim_agents(trimmed: str, max_chars: int) -> Trimmed:
    """AGENTS.md (v2): 45 % head + a 35 % digest of policy-looking lines + 15 % tail."""
    u = U16(trimmed)
    h = math.floor(max_chars * K.AGENTS_HEAD_RATIO)
    t = math.floor(max_chars * K.AGENTS_TAIL_RATIO)
    dbudget = math.floor(max_chars * K.AGENTS_DIGEST_RATIO)
    cands: list[_Candidate] = []
    if dbudget > 0:
        last: str | None = None
        for src in re.split(r"\r?\n", trimmed):
            line = _digest_line(src)
            if not line:
                last = None
                continue
            if K.AGENTS_DIGEST_FENCE_RE.match(line):
                last = None
            elif K.AGENTS_DIGEST_LIST_RE.match(line) or K.AGENTS_DIGEST_CANDIDATE_RE.search(line):
                text = line if last is None else f"{last}\n{line}"
                cands.append(_Candidate(text, bool(K.AGENTS_DIGEST_HIGH_PRIORITY_RE.search(line))))
                last = None
            else:
                last = line
    dtext, omitted = _digest(cands, dbudget)

    def render() -> str:
        parts = [
            u.safe_slice(0, h),
            K.MARKER_LINE.format(name=K.AGENTS),
            K.AGENTS_DIGEST_HEADER if dtext else "",
            dtext,
            K.AGENTS_DIGEST_OMITTED.format(n=omitted) if omitted > 0 else "",
            K.AGENTS_KEPT_LINE.format(head=h, digest=u16len(dtext), tail=t, total=u.n),
            u.safe_slice(-t) if t > 0 else "",
        ]
        return "\n".join(p for p in parts if p)

    out = render()
    while u16len(out) > max_chars and (t > 0 or h > 1 or dbudget > 0):
        over = u16len(out) - max_chars
        if t > 0:
            t = max(0, t - over)
        elif h > 1:
            h = max(1, h - over)
        else:
            dbudget = max(0, dbudget - over)
            dtext, omitted = _digest(cands, dbudget)
        out = render()
    if u16len(out) > max_chars:
        out = truncate_safe(out, max_chars)
    ha, hb = u.safe_range(0, h)
    ta, tb = u.safe_range(-t) if t > 0 else (u.n, u.n)
    return Trimmed(out, True, max_chars, u.n, hb - ha, tb - ta)


def trim_content(content: str, name: str, max_chars: int, algorithm: str) -> Trimmed:
    """`trimBootstrapContent` of the given code version."""
    trimmed = js_trim_end(content)
    n = u16len(trimmed)
    if n <= max_chars:
        return Trimmed(trimmed, False, max_chars, n, n, 0)
    if algorithm == "v1":
        return _trim_v1(trimmed, name, max_chars)
    if name.lower() == K.AGENTS.lower():
        return _trim_agents(trimmed, max_chars)
    return _trim_v2(trimmed, name, max_chars)


# ---- inputs and results -------------------------------------------------------------------
@dataclass
class BootstrapInput:
    """One file offered to the injector, in load order."""

    name: str  # basename, e.g. "AGENTS.md"
    rel: str  # workspace-relative path
    text: str | None  # None = missing (injected as `[MISSING] ...`)
    source: Any = None  # the SourceFile, when there is one
    extra: bool = False  # added by bootstrap-extra-files


@dataclass
class PrefixInputs:
    profile: K.InjectionProfile
    max_chars: int
    total_max_chars: int
    files: list[BootstrapInput]
    session: str = "main"
    display_root: str = K.DEFAULT_DISPLAY_ROOT
    skills_block: str | None = None
    excluded: list[tuple[str, str]] = field(default_factory=list)  # (rel, why not loaded)


@dataclass
class FileVerdict:
    name: str
    rel: str
    path: str  # as shown in the prompt (`## <path>`, `[MISSING] Expected at: <path>`)
    status: str  # "ok" | "truncated" | "dropped" | "missing" | "empty"
    raw_chars: int  # UTF-16 units after trimEnd (0 when missing)
    injected_chars: int  # UTF-16 units injected (marker text included)
    limit: int  # effective per-file limit (USER.md cap applied)
    file_budget: int  # min(limit, remaining) when it was processed (0 if never reached)
    remaining_before: int
    causes: tuple[str, ...] = ()  # "per-file-limit" / "total-limit" (doctor's vocabulary)
    content: str = ""  # the injected text
    head_chars: int = 0  # Python chars of the source kept before the cut
    tail_chars: int = 0  # Python chars of the source kept after the cut
    cut_start: int | None = None  # Python offset in the source text where removed text starts
    cut_end: int | None = None  # ... and ends (exclusive)
    below_boundary: bool = False
    near_limit: bool = False
    source: Any = None
    extra: bool = False
    span: tuple[int, int] | None = None  # chars of this file's section in PrefixResult.text

    @property
    def injected(self) -> bool:
        return self.status in ("ok", "truncated", "missing")

    @property
    def truncated(self) -> bool:
        """Doctor's notion: some raw characters do not reach the prompt (dropped files too)."""
        return self.status in ("truncated", "dropped") and self.raw_chars > 0

    @property
    def cut_chars(self) -> int:
        return max(0, self.raw_chars - self._kept_units)

    _kept_units: int = 0


@dataclass
class Segment:
    """A contiguous piece of the assembled prefix text, for the report table."""

    label: str  # file rel, "skills", "context header", "cache boundary"
    start: int
    end: int
    kind: str  # "skills" | "header" | "file" | "boundary" | "dynamic-header"
    verdict: FileVerdict | None = None


@dataclass
class PrefixResult:
    profile: K.InjectionProfile
    session: str
    max_chars: int
    total_max_chars: int
    display_root: str
    files: list[FileVerdict]  # load order, including missing/dropped
    prompt_files: list[FileVerdict]  # injected, in prompt order
    text: str  # skills block + Project Context + boundary + dynamic context
    boundary: int  # offset of the cache boundary marker in `text` (= length of the stable prefix)
    segments: list[Segment]
    warnings: list[str]
    excluded: list[tuple[str, str]]
    remaining: int  # total budget left

    @property
    def stable_text(self) -> str:
        return self.text[: self.boundary]

    def verdict(self, rel: str) -> FileVerdict | None:
        for v in self.files:
            if v.rel == rel:
                return v
        return None

    @property
    def injected_total(self) -> int:
        return sum(v.injected_chars for v in self.files)

    @property
    def raw_total(self) -> int:
        return sum(v.raw_chars for v in self.files)

    def above_boundary(self) -> list[FileVerdict]:
        return [v for v in self.prompt_files if not v.below_boundary]


def _display_path(root: str, rel: str) -> str:
    return f"{root.rstrip('/')}/{rel}" if root else rel


def build(inp: PrefixInputs) -> PrefixResult:
    """Run the injector over `inp.files` (already filtered for the session, in load order)."""
    prof = inp.profile
    warnings: list[str] = []
    remaining = max(1, math.floor(inp.total_max_chars))
    verdicts: list[FileVerdict] = []
    stopped = False
    for f in inp.files:
        path = _display_path(inp.display_root, f.rel)
        limit = prof.file_cap(f.name, inp.max_chars)
        v = FileVerdict(name=f.name, rel=f.rel, path=path, status="dropped", raw_chars=0,
                        injected_chars=0, limit=limit, file_budget=0, remaining_before=remaining,
                        source=f.source, extra=f.extra,
                        below_boundary=f.name in prof.boundary_files)
        raw = js_trim_end(f.text) if f.text is not None else ""
        v.raw_chars = u16len(raw) if f.text is not None else 0
        v.near_limit = f.text is not None and v.raw_chars >= math.ceil(limit * K.NEAR_LIMIT_RATIO)
        verdicts.append(v)
        if stopped or remaining <= 0:
            stopped = True
            if f.text is not None and v.raw_chars > 0:
                v.causes = ("total-limit",)
                v.cut_start, v.cut_end = 0, len(raw)
            elif f.text is None:
                v.status = "dropped"
            continue
        if f.text is None:
            text = clamp_to_budget(K.MISSING_TEXT.format(path=path), remaining)
            if not text:
                stopped = True
                continue
            remaining = max(0, remaining - u16len(text))
            v.status, v.content, v.injected_chars = "missing", text, u16len(text)
            continue
        if remaining < K.MIN_FILE_BUDGET_CHARS:
            warnings.append(
                f"remaining bootstrap budget is {remaining} chars (<{K.MIN_FILE_BUDGET_CHARS}); "
                "skipping additional bootstrap files"
            )
            stopped = True
            if v.raw_chars > 0:
                v.causes = ("total-limit",)
                v.cut_start, v.cut_end = 0, len(raw)
            continue
        fmax = max(1, min(limit, remaining))
        v.file_budget = fmax
        tr = trim_content(f.text, f.name, fmax, prof.algorithm)
        within = clamp_to_budget(tr.content, remaining)
        if not within:
            v.status = "empty"
            continue
        if tr.truncated or u16len(within) < u16len(tr.content):
            warnings.append(
                f"workspace bootstrap file {f.name} is {tr.original_length} chars "
                f"(limit {tr.max_chars}); truncating in injected context"
            )
        remaining = max(0, remaining - u16len(within))
        v.content = within
        v.injected_chars = u16len(within)
        _record_cut(v, raw, tr, within)
    prompt = _prompt_order([v for v in verdicts if v.status in ("ok", "truncated", "missing")])
    text, boundary, segments = _render(inp, prof, prompt)
    return PrefixResult(
        profile=prof, session=inp.session, max_chars=inp.max_chars,
        total_max_chars=inp.total_max_chars, display_root=inp.display_root, files=verdicts,
        prompt_files=prompt, text=text, boundary=boundary, segments=segments, warnings=warnings,
        excluded=list(inp.excluded), remaining=remaining,
    )


def _record_cut(v: FileVerdict, raw: str, tr: Trimmed, within: str) -> None:
    """Which source characters were removed, as Python offsets (for 'the cut falls in ...')."""
    u = U16(raw)
    if not tr.truncated and within == tr.content:
        v.status = "ok"
        v._kept_units = u.n
        return
    v.status = "truncated"
    causes = []
    if tr.truncated:
        causes.append("per-file-limit" if v.raw_chars > v.limit else "total-limit")
    if u16len(within) < u16len(tr.content):
        if "total-limit" not in causes:
            causes.append("total-limit")
    if not tr.truncated:
        # Cut only by the total budget: the head survives up to the ellipsis.
        kept = u16len(within) - 1 if within.endswith("…") else u16len(within)
        head_units, tail_units = min(kept, u.n), 0
    else:
        head_units, tail_units = tr.head_units, tr.tail_units
        if within != tr.content:
            # The clamp cut into the rendered text: the tail (and maybe part of the head) is gone.
            tail_units = 0
            head_units = min(head_units, max(0, u16len(within) - 1))
    head_units = min(head_units, u.n)
    tail_units = min(tail_units, u.n - head_units)
    v.causes = tuple(causes)
    v.head_chars = u.to_py(head_units)
    v.tail_chars = len(raw) - u.to_py(u.n - tail_units)
    v.cut_start = v.head_chars
    v.cut_end = len(raw) - v.tail_chars
    v._kept_units = head_units + tail_units


def _prompt_order(files: list[FileVerdict]) -> list[FileVerdict]:
    def key(v: FileVerdict) -> tuple[int, str, str]:
        base = v.path.replace("\\", "/").rsplit("/", 1)[-1].lower()
        return K.PROMPT_ORDER.get(base, K.UNKNOWN_PROMPT_RANK), base, v.path

    return sorted(files, key=key)


def sanitize_for_prompt(content: str) -> str:
    """`sanitizeContextFileContentForPrompt`."""
    out = K.DEFAULT_HEARTBEAT_PROMPT_BLOCK_RE.sub("", content)
    return re.sub(r"\n{3,}", "\n\n", out)


def _render(inp: PrefixInputs, prof: K.InjectionProfile,
            prompt: list[FileVerdict]) -> tuple[str, int, list[Segment]]:
    stable = [v for v in prompt if not v.below_boundary]
    dynamic = [v for v in prompt if v.below_boundary]
    pieces: list[str] = []
    segments: list[Segment] = []
    pos = 0

    def add(label: str, kind: str, lines: list[str], verdict: FileVerdict | None = None) -> None:
        # Lines are joined with "\n" after dropping empty ones (`lines.filter(Boolean)`).
        nonlocal pos
        body = "\n".join(s for s in lines if s)
        if not body:
            return
        chunk = ("\n" if pieces else "") + body
        pieces.append(chunk)
        segments.append(Segment(label, pos, pos + len(chunk), kind, verdict))
        if verdict is not None:
            verdict.span = (pos, pos + len(chunk))
        pos += len(chunk)

    if inp.skills_block:
        add("skills", "skills", [inp.skills_block])
    if stable:
        bases = {v.name.lower() for v in stable}
        if prof.era == K.CURRENT:
            head = [K.PROJECT_CONTEXT_HEADING, K.CURRENT_CONTEXT_INTRO,
                    K.CURRENT_SOUL_LINE if "soul.md" in bases else "",
                    K.CURRENT_MEMORY_LINE if "memory.md" in bases else "",
                    K.CURRENT_USER_LINE if "user.md" in bases else ""]
        else:
            head = [K.PROJECT_CONTEXT_HEADING, K.CLASSIC_CONTEXT_INTRO,
                    K.CLASSIC_SOUL_LINE if "soul.md" in bases else ""]
        add("context header", "header", head)
        for v in stable:
            add(v.rel, "file", [f"## {v.path}", sanitize_for_prompt(v.content)], v)
    boundary = pos
    pieces.append(K.CACHE_BOUNDARY)
    segments.append(Segment("cache boundary", pos, pos + len(K.CACHE_BOUNDARY), "boundary"))
    pos += len(K.CACHE_BOUNDARY)
    if dynamic:
        body = "\n".join([K.DYNAMIC_CONTEXT_HEADING, K.CLASSIC_DYNAMIC_INTRO])
        pieces.append(body)
        segments.append(Segment("dynamic header", pos, pos + len(body), "dynamic-header"))
        pos += len(body)
        for v in dynamic:
            chunk = "\n" + "\n".join(s for s in (f"## {v.path}", sanitize_for_prompt(v.content)) if s)
            pieces.append(chunk)
            segments.append(Segment(v.rel, pos, pos + len(chunk), "file", v))
            v.span = (pos, pos + len(chunk))
            pos += len(chunk)
    return "".join(pieces), boundary, segments


# ---- from a workspace ---------------------------------------------------------------------
def openclaw_config(ws: Workspace) -> Any:
    """The loaded OpenClaw config, or None (never raises)."""
    return ws.openclaw_or_none()


def settings_for(ws: Workspace) -> tuple[K.InjectionProfile, int, int, str]:
    """(profile, maxChars, totalMaxChars, display root) for this workspace and its config."""
    cfg = openclaw_config(ws)
    version = ws.settings.openclaw_version or (getattr(cfg, "version", None) if cfg else None)
    era = getattr(cfg, "era", None) if cfg is not None else None
    prof = K.profile_for(era, version)
    max_c, total_c = prof.max_chars, prof.total_max_chars
    display = K.DEFAULT_DISPLAY_ROOT
    if cfg is not None:
        try:
            cm, ct = cfg.bootstrap_caps(ws.settings.agent)
            max_c = cm if cm is not None else max_c
            total_c = ct if ct is not None else total_c
            wsdir = cfg.agent_setting("workspace", ws.settings.agent)
            if isinstance(wsdir, str) and wsdir.strip():
                display = wsdir.strip()
        except Exception:
            pass
    return prof, max_c, total_c, display


def _file_text(f: SourceFile) -> str | None:
    """What Node's readFileSync(…, "utf-8") would return (invalid bytes become U+FFFD)."""
    if f.text is not None:
        return f.text
    if f.problem is not None and f.problem.code in ("PAR002", "PAR003"):
        try:
            return f.path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return None
    return None


def _unreadable_marker(f: SourceFile, era: str) -> str | None:
    """Current injects `[UNREADABLE: …]` for files it cannot open (not missing)."""
    if era == K.CURRENT and f.problem is not None and f.problem.code in ("PAR001", "PAR004"):
        return f"[UNREADABLE: {f.problem.message}]"
    return None


def workspace_inputs(ws: Workspace, session: str = "main",
                     skills: bool = True) -> PrefixInputs:
    prof, max_c, total_c, display = settings_for(ws)
    allow = K.SESSION_FILES[prof.era].get(session) if session in K.SESSION_KINDS else None
    excluded: list[tuple[str, str]] = []
    files: list[BootstrapInput] = []
    for name in prof.load_order:
        sf = ws.files.get(name)
        present = sf is not None and sf.rel == name
        if allow is not None and name not in allow:
            if present:
                excluded.append((name, f"not injected into {session} sessions"))
            continue
        if name == K.BOOTSTRAP and not present:
            # Onboarding finished (BOOTSTRAP.md deleted): OpenClaw stops listing it.
            continue
        if not present:
            if name in K.SKIP_WHEN_ABSENT[prof.era]:
                continue
            files.append(BootstrapInput(name, name, None))
            continue
        assert sf is not None
        if name == K.MEMORY and sf.is_symlink:
            excluded.append((name, "MEMORY.md is a symlink; OpenClaw only injects a real file"))
            continue
        text = _file_text(sf)
        if text is None:
            text = _unreadable_marker(sf, prof.era)
        if text is None and sf.problem is not None and sf.problem.code in ("PAR005", "PAR006"):
            text = None  # broken or escaping symlink: treated as missing
        files.append(BootstrapInput(name, name, text, source=sf))
    for rel in sorted(ws.files):
        if "/" not in rel and rel.endswith(".md") and rel not in prof.load_order:
            if rel in K.LOAD_ORDER[K.CLASSIC] or rel == K.LEGACY_MEMORY:
                excluded.append((rel, f"not a bootstrap file in the {prof.era} era"))
    files.extend(_extra_inputs(ws, prof, allow))
    block = None
    if skills and session in ("main", "group", "cron"):
        block = _skills_block(ws)
    return PrefixInputs(profile=prof, max_chars=max_c, total_max_chars=total_c, files=files,
                        session=session, display_root=display, skills_block=block,
                        excluded=excluded)


def prefix_inputs(ws: Workspace) -> list[SourceFile]:
    """Every workspace file the prompt prefix can hold: bootstrap files, a legacy memory.md,
    the skills (their block) and whatever the bootstrap-extra-files hook matches. Rule.inputs of
    the rules that judge the prefix."""
    from clawlint.workspace import Kind

    out = ws.of_kind(Kind.BOOTSTRAP, Kind.LEGACY_MEMORY, Kind.SKILL)  # unreadable ones too
    entry = extra_files_entry(openclaw_config(ws))
    if entry is not None:
        out += [sf for rel in resolve_extra_patterns(ws, extra_patterns(entry))
                if (sf := ws.files.get(rel)) is not None]
    return out


def _extra_inputs(ws: Workspace, prof: K.InjectionProfile,
                  allow: frozenset[str] | None) -> list[BootstrapInput]:
    """Files the bundled bootstrap-extra-files hook adds (literal paths and globs)."""
    entry = extra_files_entry(openclaw_config(ws))
    if entry is None:
        return []
    patterns = extra_patterns(entry)
    out: list[BootstrapInput] = []
    seen = set(prof.load_order)
    for rel in resolve_extra_patterns(ws, patterns):
        base = rel.rsplit("/", 1)[-1]
        if rel in seen or base not in K.VALID_EXTRA_BASENAMES[prof.era]:
            continue
        if allow is not None and base not in allow:
            continue
        seen.add(rel)
        sf = ws.files.get(rel)
        text = _file_text(sf) if sf is not None else None
        if text is None:
            continue
        out.append(BootstrapInput(base, rel, text, source=sf, extra=True))
    return out


def extra_files_entry(cfg: Any) -> dict[str, Any] | None:
    """The bundled bootstrap-extra-files hook's config entry when the hook runs (present, not
    `enabled: false`, internal hooks not switched off); None otherwise."""
    if cfg is None:
        return None
    try:
        entry = cfg.hook_entry(K.EXTRA_FILES_HOOK)
        if not entry or entry.get("enabled") is False or cfg.get("hooks", "internal", "enabled") is False:
            return None
    except Exception:  # noqa: BLE001 - an odd config: the hook is not assumed to run
        return None
    return entry


def extra_patterns_key(entry: dict[str, Any]) -> str | None:
    """The key the hook reads its patterns from: the first of paths/patterns/files holding a
    non-blank string (alone or in a list)."""
    for key in K.EXTRA_FILES_KEYS:
        val = entry.get(key)
        if isinstance(val, str):
            val = [val]
        if isinstance(val, list) and any(isinstance(p, str) and p.strip() for p in val):
            return key
    return None


def extra_patterns(entry: dict[str, Any]) -> list[str]:
    key = extra_patterns_key(entry)
    if key is None:
        return []
    val = entry[key]
    return [p.strip() for p in ([val] if isinstance(val, str) else val)
            if isinstance(p, str) and p.strip()]


def resolve_extra_patterns(ws: Workspace, patterns: list[str]) -> list[str]:
    """Workspace-relative files the patterns select (only files clawlint discovered)."""
    out: list[str] = []
    for pat in patterns:
        norm = pat.replace("\\", "/")
        while norm.startswith("./"):
            norm = norm[2:]
        if K.GLOB_CHARS_RE.search(norm):
            rx = _glob_to_re(norm)
            out.extend(rel for rel in sorted(ws.files) if rx.fullmatch(rel) and rel not in out)
        elif norm in ws.files and norm not in out:
            out.append(norm)
    return out


def _glob_to_re(pat: str) -> re.Pattern[str]:
    """Minimatch-like: `**` spans folders, `*`/`?` stay in one, `{a,b}` alternates."""
    i, out = 0, []
    while i < len(pat):
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
            continue
        if pat.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "{":
            j = pat.find("}", i)
            if j > i:
                alts = pat[i + 1 : j].split(",")
                out.append("(?:" + "|".join(re.escape(a) for a in alts) + ")")
                i = j + 1
                continue
            out.append(re.escape(c))
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out))


def _skills_block(ws: Workspace) -> str | None:
    """The `<available_skills>` block from the skills helper, when that module is present."""
    try:
        from clawlint import skills_budget  # owned by the skills helper
    except Exception:
        return None
    fn: Callable[[Any], str] | None = getattr(skills_budget, "skills_prompt_block", None)
    if fn is None:
        return None
    try:
        block = fn(ws)
    except Exception:
        return None
    return block if isinstance(block, str) and block.strip() else None


def simulate(ws: Workspace, session: str = "main", skills: bool = True) -> PrefixResult:
    """The prefix for this workspace and session, computed once per run."""
    return ws.memo(f"prefix:{session}:{int(skills)}",
                   lambda: build(workspace_inputs(ws, session, skills)))


def prefix_files(ws: Workspace) -> list[FileVerdict]:
    """Injected files above the cache boundary in the main session (for the CV rules)."""
    return [v for v in simulate(ws).prompt_files if not v.below_boundary and v.source is not None]
