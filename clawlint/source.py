"""One parsed view of a file: text with line offsets, Markdown structure, YAML frontmatter.

Everything is computed lazily and at most once, so a file that no selected rule looks at
costs only the read.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

_FM_OPEN = re.compile(r"---[ \t]*(\r\n|\n|\r)")
_FM_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$")
_FM_CLOSE_LF = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_HTML_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")


@dataclass
class YamlError:
    message: str
    line: int  # 1-based line in the file
    column: int


@dataclass
class KeyInfo:
    key: str
    line: int  # 1-based, of the key
    column: int
    value_line: int
    value_column: int
    value_end_line: int
    value_end_column: int
    value_style: str | None  # YAML scalar style ('' plain, '"', "'", '|', '>') or None
    value_tag: str
    value_text: str | None  # the scalar as written (plain scalars), None for collections


@dataclass
class FrontMatter:
    """YAML frontmatter found at byte 0 of a Markdown file."""

    text: str  # the YAML between the delimiters
    start_offset: int  # char offset of the YAML text in the file
    first_line: int  # 1-based file line of the opening `---`
    content_line: int  # 1-based file line where the YAML text begins
    end_line: int  # 1-based file line of the closing delimiter (0 if unterminated)
    body_offset: int  # char offset of the Markdown body after the closing delimiter
    data: Any = None
    error: YamlError | None = None
    keys: dict[str, KeyInfo] = field(default_factory=dict)
    duplicate_keys: list[tuple[KeyInfo, KeyInfo]] = field(default_factory=list)

    @property
    def terminated(self) -> bool:
        return self.end_line > 0


_LINE_BREAK = re.compile(r"\r\n|\n|\r")


def _line_starts(text: str) -> list[int]:
    starts = [0]
    if "\r" in text:
        starts.extend(m.end() for m in _LINE_BREAK.finditer(text))
        return starts
    # LF only (the common case): str.find is a memchr, ~4x faster than a regex scan.
    i = text.find("\n")
    while i >= 0:
        starts.append(i + 1)
        i = text.find("\n", i + 1)
    return starts


class SourceText:
    """Text plus line arithmetic. Lines and columns are 1-based; columns count code points."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def line_starts(self) -> list[int]:
        return _line_starts(self.text)

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    @property
    def line_count(self) -> int:
        return len(self.lines)

    def pos(self, offset: int) -> tuple[int, int]:
        idx = bisect.bisect_right(self.line_starts, offset) - 1
        return idx + 1, offset - self.line_starts[idx] + 1

    def offset(self, line: int, column: int = 1) -> int:
        line = max(1, min(line, len(self.line_starts)))
        return self.line_starts[line - 1] + column - 1

    def line_text(self, line: int) -> str:
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1]
        return ""

    def line_span(self, line: int) -> tuple[int, int]:
        """Offsets of a line including its line break."""
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        return start, end


@lru_cache(maxsize=1)
def _markdown_parser() -> Any:
    from markdown_it import MarkdownIt  # lazy: only files that need Markdown structure

    # One per process (building it costs ~1 ms). Block structure only: the rules read block
    # tokens and the raw `content` the block rules give each inline token, never the inline
    # children, and inline parsing was two thirds of the parse (a 7 KB AGENTS.md: ~8 ms).
    return MarkdownIt("commonmark").disable("inline")


class MarkdownDoc:
    """Block structure of a Markdown file, from markdown-it-py."""

    def __init__(self, source: SourceText, body_offset: int) -> None:
        self._src = source
        self.body_offset = body_offset

    @cached_property
    def body_first_line(self) -> int:
        # Lazy: the line table is built only for files that report or parse something.
        return self._src.pos(self.body_offset)[0] if self._src.text else 1

    @cached_property
    def tokens(self) -> list[Any]:
        return _markdown_parser().parse(self._src.text[self.body_offset :])

    def _shift(self, line0: int) -> int:
        return line0 + self.body_first_line  # token.map is 0-based within the body

    @cached_property
    def code_lines(self) -> frozenset[int]:
        """File lines (1-based) inside fenced or indented code blocks, fences included."""
        lines: set[int] = set()
        for tok in self.tokens:
            if tok.type in ("fence", "code_block") and tok.map:
                start, end = tok.map
                lines.update(range(self._shift(start), self._shift(end)))
        return frozenset(lines)

    @cached_property
    def html_block_lines(self) -> frozenset[int]:
        lines: set[int] = set()
        for tok in self.tokens:
            if tok.type == "html_block" and tok.map:
                lines.update(range(self._shift(tok.map[0]), self._shift(tok.map[1])))
        return frozenset(lines)

    @cached_property
    def headings(self) -> list[tuple[int, int, str]]:
        """(line, level, text) for every ATX/setext heading."""
        out: list[tuple[int, int, str]] = []
        toks = self.tokens
        for i, tok in enumerate(toks):
            if tok.type == "heading_open" and tok.map:
                text = toks[i + 1].content if i + 1 < len(toks) else ""
                out.append((self._shift(tok.map[0]), int(tok.tag[1]), text.strip()))
        return out

    def heading_at(self, line: int) -> tuple[int, int, str] | None:
        """The nearest heading at or above `line`."""
        best = None
        for h in self.headings:
            if h[0] <= line:
                best = h
            else:
                break
        return best

    @cached_property
    def fences(self) -> list[tuple[int, int, str, str]]:
        """(first_line, last_line, info, content) for each fenced code block."""
        out = []
        for tok in self.tokens:
            if tok.type == "fence" and tok.map:
                out.append(
                    (self._shift(tok.map[0]), self._shift(tok.map[1]) - 1, tok.info, tok.content)
                )
        return out

    def in_code(self, line: int) -> bool:
        return line in self.code_lines


def mask_inline_code(line: str) -> str:
    """Replace `inline code` spans with spaces (same length, so columns stay right)."""
    return _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line)


def html_comments(text: str) -> list[tuple[int, int, str]]:
    """(start, end, inner text) for every HTML comment."""
    return [(m.start(), m.end(), m.group(1)) for m in _HTML_COMMENT.finditer(text)]


def find_frontmatter(text: str) -> FrontMatter | None:
    """Frontmatter starts at byte 0 with `---` and a non-blank next line.

    `---` followed by a blank line is a thematic break (CommonMark), not frontmatter.
    """
    m = _FM_OPEN.match(text)
    if not m:
        return None
    rest_start = m.end()
    nl_end = text.find("\n", rest_start)
    first = text[rest_start : nl_end if nl_end >= 0 else len(text)]
    if not first.strip():
        return None
    if "\r" not in text:
        # LF only: one multiline search for the closing delimiter instead of a line table of
        # the whole file (rest_start is a line start, so `^` can match there).
        close = _FM_CLOSE_LF.search(text, rest_start)
        if close is not None:
            nl = text.find("\n", close.end())
            return FrontMatter(
                text=text[rest_start : close.start()],
                start_offset=rest_start,
                first_line=1,
                content_line=2,
                end_line=text.count("\n", 0, close.start()) + 1,
                body_offset=nl + 1 if nl >= 0 else len(text),
            )
        return FrontMatter(
            text=text[rest_start:],
            start_offset=rest_start,
            first_line=1,
            content_line=2,
            end_line=0,
            body_offset=len(text),
        )
    src = SourceText(text)
    line = 2
    offset = rest_start
    n = len(src.line_starts)
    while line <= n:
        start, end = src.line_span(line)
        if _FM_CLOSE.match(text[start:end].rstrip("\r\n")):
            return FrontMatter(
                text=text[rest_start:start],
                start_offset=rest_start,
                first_line=1,
                content_line=2,
                end_line=line,
                body_offset=end,
            )
        offset = end
        line += 1
    del offset
    return FrontMatter(
        text=text[rest_start:],
        start_offset=rest_start,
        first_line=1,
        content_line=2,
        end_line=0,
        body_offset=len(text),
    )


def _scalar_text(node: Any) -> str | None:
    import yaml

    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    return None


def _loader_class() -> Any:
    import yaml

    # libyaml's loader is ~7x faster and still records marks; fall back to pure Python.
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# ---- fast path for the common flat frontmatter ---------------------------------------------
# Most frontmatter is `key: value` lines with plain or simply quoted scalars and one-line flow
# lists of plain scalars. Those are read here with PyYAML's own resolver and constructors, so
# data and positions equal what the YAML loader produces (~10x faster than composing nodes).
# Anything else (comments, block lists, escapes, duplicate keys, odd characters) returns None
# and goes through the full loader.
_FAST_PLAIN = r"\w(?:[\w ./+()'-]*[\w./+()'-])?"
_FAST_QUOTED = r"[^\"'\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]*"
_FAST_LINE = re.compile(
    rf"(?P<key>[A-Za-z_][A-Za-z0-9_-]*):(?P<sp> +)(?:(?P<plain>{_FAST_PLAIN})"
    rf"|\"(?P<dq>{_FAST_QUOTED})\"|'(?P<sq>{_FAST_QUOTED})'|\[(?P<seq>[\w ./+()',-]*)\])"
)
_FAST_ITEM = re.compile(_FAST_PLAIN)
_STR_TAG = "tag:yaml.org,2002:str"
_fast_tools: tuple[Any, Any, str | None, frozenset[str]] | None = None
_fast_memo: dict[str, tuple[str, Any]] = {}  # plain scalar -> (tag, immutable value)


def _tools() -> tuple[Any, Any, str | None, frozenset[str]]:
    """(resolver, constructor, style of a plain scalar as the loader in use reports it,
    first characters for which PyYAML has an implicit resolver)."""
    global _fast_tools
    if _fast_tools is None:
        import yaml

        plain_style = "" if _loader_class() is getattr(yaml, "CSafeLoader", None) else None
        resolver = yaml.resolver.Resolver
        if resolver.yaml_path_resolvers or None in resolver.yaml_implicit_resolvers:
            raise RuntimeError("customised YAML resolver: use the full loader")
        firsts = frozenset(str(k) for k in resolver.yaml_implicit_resolvers)
        _fast_tools = (resolver(), yaml.constructor.SafeConstructor(), plain_style, firsts)
    return _fast_tools


def _fast_scalar(value: str, plain: bool) -> tuple[str, Any]:
    """(tag, constructed value) of a scalar, as PyYAML's SafeLoader resolves it."""
    if not plain:
        return _STR_TAG, value  # quoted scalars are never implicitly resolved
    resolver, constructor, _, firsts = _tools()
    if value[:1] not in firsts:
        return _STR_TAG, value  # no implicit resolver starts with this character
    hit = _fast_memo.get(value)
    if hit is not None:
        return hit
    import yaml

    tag = resolver.resolve(yaml.ScalarNode, value, (True, False))
    out = (tag, value)
    if tag != _STR_TAG:
        out = (tag, constructor.yaml_constructors[tag](constructor, yaml.ScalarNode(tag, value)))
    if len(_fast_memo) < 4096:  # values are immutable (str, int, float, bool, None, dates)
        _fast_memo[value] = out
    return out


def _fast_frontmatter(fm: FrontMatter) -> bool:
    """Parse flat frontmatter without the YAML loader; False when it is not that simple.
    (Every card goes through here: 10,000 cards, so the loop avoids repeated lookups.)"""
    text = fm.text
    if not text or "\r" in text:
        return False
    shift = fm.content_line  # 1-based file line of fm.text's first line
    data: dict[Any, Any] = {}
    keys: dict[str, KeyInfo] = {}
    try:
        plain_style = _tools()[2]
        fullmatch = _FAST_LINE.fullmatch
        for idx, line in enumerate(text.split("\n")):
            if not line:
                continue
            m = fullmatch(line)
            if m is None:
                return False
            key, sp, plain, dq, sq, seq = m.groups()
            if key in keys or not _plain_key(key):
                return False  # duplicate or non-string key (`yes:`, `123:`): full loader
            value_text: str | None
            if plain is not None:
                value_text = plain
                tag, value = _fast_scalar(plain, True)
                style = plain_style
            elif seq is not None:
                items: list[Any] = []
                if seq.strip(" "):
                    for part in seq.split(","):
                        item = part.strip(" ")
                        if _FAST_ITEM.fullmatch(item) is None:
                            return False
                        items.append(_fast_scalar(item, True)[1])
                tag, value, style, value_text = "tag:yaml.org,2002:seq", items, None, None
            elif dq is not None:
                tag, value, style, value_text = _STR_TAG, dq, '"', dq  # quoted: never resolved
            else:
                tag, value, style, value_text = _STR_TAG, sq, "'", sq
            line_no = idx + shift
            keys[key] = KeyInfo(key, line_no, 1, line_no, len(key) + 2 + len(sp), line_no,
                                len(line) + 1, style, tag, value_text)
            data[key] = value
    except Exception:  # noqa: BLE001 - e.g. an impossible date: the full loader reports it
        return False
    if not keys:
        return False
    fm.data = data
    fm.keys = keys
    return True


_plain_keys: dict[str, bool] = {}


def _plain_key(key: str) -> bool:
    """Whether a key written plain resolves to a string (not `yes`, `null`, `123`)."""
    ok = _plain_keys.get(key)
    if ok is None:
        ok = _fast_scalar(key, True)[0] == _STR_TAG
        if len(_plain_keys) < 4096:
            _plain_keys[key] = ok
    return ok


MAX_YAML_DEPTH = 100  # flow brackets; libyaml's C parser recurses and crashes near 30,000
MAX_YAML_NODES = 100_000  # values after alias expansion (billion laughs)


def _hostile_yaml(text: str) -> str | None:
    """Nesting deep enough to crash the C parser, found before it runs (a cheap upper bound:
    brackets inside quoted strings count too, so the limit is generous)."""
    if "[" not in text and "{" not in text:
        return None
    depth = top = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            if depth > top:
                top = depth
                if top > MAX_YAML_DEPTH:
                    return (f"the YAML nests more than {MAX_YAML_DEPTH} levels deep; flatten "
                            "it (frontmatter holds a few flat keys)")
        elif ch in "]}" and depth:
            depth -= 1
    return None


def _expanded_size(node: Any) -> int:
    """How many nodes the document has once aliases are expanded, counting up to just past
    MAX_YAML_NODES (shared nodes are counted each time they are used)."""
    count = 0
    stack = [node]
    while stack and count <= MAX_YAML_NODES:
        n = stack.pop()
        count += 1
        value = n.value
        if isinstance(value, list):
            for item in value:
                if isinstance(item, tuple):
                    stack.extend(item)
                else:
                    stack.append(item)
    return count


def parse_frontmatter_yaml(fm: FrontMatter) -> None:
    """Fill data/keys/duplicates/error. Positions are converted to 1-based file lines."""
    import yaml

    if _fast_frontmatter(fm):
        return
    problem = _hostile_yaml(fm.text)
    if problem is not None:
        fm.error = YamlError(problem, fm.content_line, 1)
        return
    shift = fm.content_line - 1  # PyYAML marks are 0-based within fm.text
    loader = _loader_class()(fm.text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = (mark.line + 1 + shift) if mark else fm.content_line
            col = (mark.column + 1) if mark else 1
            problem = exc.problem or str(exc)
            if exc.context:
                problem = f"{problem} ({exc.context})"
            fm.error = YamlError(problem, line, col)
            return
        except yaml.YAMLError as exc:  # pragma: no cover - non-marked errors are rare
            fm.error = YamlError(str(exc), fm.content_line, 1)
            return
        if node is None:
            fm.data = None
            return
        if _expanded_size(node) > MAX_YAML_NODES:
            fm.error = YamlError(
                f"the YAML aliases expand to more than {MAX_YAML_NODES:,} values (an alias "
                "bomb); write the values out or remove the anchors", fm.content_line, 1)
            return
        try:
            fm.data = loader.construct_document(node)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            # e.g. an impossible date such as 2026-02-30 fails at construction time
            mark = getattr(exc, "problem_mark", None)
            line = (mark.line + 1 + shift) if mark else fm.content_line
            fm.error = YamlError(getattr(exc, "problem", None) or str(exc), line, 1)
            return
    finally:
        loader.dispose()
    if isinstance(node, yaml.MappingNode):
        for knode, vnode in node.value:
            key = str(knode.value) if isinstance(knode, yaml.ScalarNode) else repr(knode.value)
            info = KeyInfo(
                key=key,
                line=knode.start_mark.line + 1 + shift,
                column=knode.start_mark.column + 1,
                value_line=vnode.start_mark.line + 1 + shift,
                value_column=vnode.start_mark.column + 1,
                value_end_line=vnode.end_mark.line + 1 + shift,
                value_end_column=vnode.end_mark.column + 1,
                value_style=getattr(vnode, "style", None),
                value_tag=vnode.tag,
                value_text=_scalar_text(vnode),
            )
            if key in fm.keys:
                fm.duplicate_keys.append((fm.keys[key], info))
            else:
                fm.keys[key] = info
