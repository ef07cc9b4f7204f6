"""A JSON5 parser that remembers where every key and value is.

OpenClaw reads `openclaw.json` as JSON5 (facts §4: comments, trailing commas, unquoted keys,
single quotes). Rules must point at the exact line of a key, so this parser returns plain
Python values plus a position index keyed by JSON path (a tuple of str keys / int indexes).

Lines and columns are 1-based; columns count code points. Line breaks are `\\r\\n`, `\\n` and
`\\r` (the same convention as `clawlint.source.SourceText`, so offsets map to the same
positions); U+2028/U+2029 are whitespace/line terminators for the grammar but do not start a
new reported line.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

Path = tuple[str | int, ...]

__all__ = ["JSON5Error", "Span", "Duplicate", "Document", "parse", "loads"]

_MAX_DEPTH = 200  # deeper nesting is reported, not a RecursionError

# JSON5 WhiteSpace + LineTerminator (spec 5.1 / ES5.1 7.2-7.3); other Zs are added by category.
_WS = frozenset("\t\n\v\f\r \u00a0\u2028\u2029\ufeff")
_LINE_TERMINATORS = frozenset("\n\r\u2028\u2029")
_HEX = frozenset("0123456789abcdefABCDEF")
_DIGITS = frozenset("0123456789")
_SINGLE_ESCAPES = {
    "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
    "'": "'", '"': '"', "\\": "\\",
}
_ID_START_CATS = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nl"})
_ID_PART_CATS = _ID_START_CATS | {"Mn", "Mc", "Nd", "Pc"}
_LINE_RE = re.compile(r"\r\n|\n|\r")


class JSON5Error(ValueError):
    """A syntax error at a 1-based line/column (offset = character offset into the text)."""

    def __init__(self, message: str, line: int, column: int, offset: int = 0) -> None:
        super().__init__(f"{message} at {line}:{column}")
        self.message = message
        self.line = line
        self.column = column
        self.offset = offset


@dataclass(frozen=True)
class Span:
    """Character offsets [start, end) plus the 1-based line/column of both ends."""

    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Duplicate:
    """A key written twice in one object; JSON5 (like JavaScript) keeps the last value."""

    path: Path
    first: Span
    second: Span


@dataclass
class Document:
    value: Any
    text: str
    keys: dict[Path, Span] = field(default_factory=dict)  # key token of each object member
    values: dict[Path, Span] = field(default_factory=dict)  # every value, incl. the root ()
    duplicates: list[Duplicate] = field(default_factory=list)

    def key_span(self, path: Path) -> Span | None:
        """Span of the key at `path`; for array items (and the root) the value's span."""
        path = tuple(path)
        return self.keys.get(path) or self.values.get(path)

    def value_span(self, path: Path) -> Span | None:
        return self.values.get(tuple(path))


class _Lines:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in _LINE_RE.finditer(text)]

    def pos(self, offset: int) -> tuple[int, int]:
        idx = bisect.bisect_right(self.starts, offset) - 1
        return idx + 1, offset - self.starts[idx] + 1


def _is_ws(ch: str) -> bool:
    return ch in _WS or unicodedata.category(ch) == "Zs"


def _id_start(ch: str) -> bool:
    return ch in "$_" or unicodedata.category(ch) in _ID_START_CATS


def _id_part(ch: str) -> bool:
    return (
        ch in "$_\u200c\u200d" or unicodedata.category(ch) in _ID_PART_CATS
    )


def _describe(ch: str) -> str:
    if ch == "":
        return "end of input"
    if ch in _LINE_TERMINATORS:
        return "line break"
    if ch.isprintable() and not ch.isspace():
        return f"character {ch!r}"
    return f"character U+{ord(ch):04X}"


class _Parser:
    def __init__(self, text: str) -> None:
        self.t = text
        self.n = len(text)
        self.i = 0
        self.lines = _Lines(text)
        self.doc = Document(None, text)

    # ---- helpers ---------------------------------------------------------------------
    def error(self, message: str, offset: int | None = None) -> JSON5Error:
        off = self.i if offset is None else offset
        off = min(off, self.n)
        line, col = self.lines.pos(off)
        return JSON5Error(message, line, col, off)

    def unexpected(self, what: str = "") -> JSON5Error:
        ch = self.t[self.i] if self.i < self.n else ""
        suffix = f"; expected {what}" if what else ""
        if ch == "":
            return self.error(f"unexpected end of input{suffix}")
        return self.error(f"unexpected {_describe(ch)}{suffix}")

    def span(self, start: int, end: int) -> Span:
        line, col = self.lines.pos(start)
        eline, ecol = self.lines.pos(end)
        return Span(start, end, line, col, eline, ecol)

    def skip(self) -> None:
        """Skip whitespace and comments."""
        t, n = self.t, self.n
        while self.i < n:
            ch = t[self.i]
            if _is_ws(ch):
                self.i += 1
            elif ch == "/" and self.i + 1 < n and t[self.i + 1] == "/":
                self.i += 2
                while self.i < n and t[self.i] not in _LINE_TERMINATORS:
                    self.i += 1
            elif ch == "/" and self.i + 1 < n and t[self.i + 1] == "*":
                end = t.find("*/", self.i + 2)
                if end < 0:
                    raise self.error("unterminated block comment (missing `*/`)", self.i)
                self.i = end + 2
            elif ch == "/":
                self.i += 1
                raise self.error(
                    f"unexpected {_describe(t[self.i] if self.i < n else '')} after `/`; "
                    "comments start with `//` or `/*`"
                )
            else:
                return

    # ---- grammar -----------------------------------------------------------------------
    def parse_document(self) -> Document:
        self.skip()
        if self.i >= self.n:
            raise self.error("empty document: expected a JSON5 value")
        self.doc.value = self.value((), 0)
        self.skip()
        if self.i < self.n:
            raise self.unexpected("end of input after the top-level value")
        return self.doc

    def value(self, path: Path, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise self.error(f"nesting deeper than {_MAX_DEPTH} levels")
        start = self.i
        if self.i >= self.n:
            raise self.unexpected("a value")
        ch = self.t[self.i]
        if ch == "{":
            v: Any = self.obj(path, depth)
        elif ch == "[":
            v = self.arr(path, depth)
        elif ch in "\"'":
            v = self.string()
        elif ch in "+-.0123456789" or ch in "IN":
            v = self.number()
        elif ch == "t" and self.t.startswith("true", self.i):
            v = self.literal("true", True)
        elif ch == "f" and self.t.startswith("false", self.i):
            v = self.literal("false", False)
        elif ch == "n" and self.t.startswith("null", self.i):
            v = self.literal("null", None)
        else:
            raise self.unexpected("a value")
        self.doc.values[path] = self.span(start, self.i)
        return v

    def literal(self, word: str, value: Any) -> Any:
        end = self.i + len(word)
        if end < self.n and _id_part(self.t[end]):
            raise self.error(f"unexpected {_describe(self.t[end])} after `{word}`", end)
        self.i = end
        return value

    def obj(self, path: Path, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        self.i += 1  # {
        while True:
            self.skip()
            if self.i >= self.n:
                raise self.unexpected("a key or `}`")
            if self.t[self.i] == "}":
                self.i += 1
                return out
            kstart = self.i
            key = self.key()
            kspan = self.span(kstart, self.i)
            self.skip()
            if self.i >= self.n or self.t[self.i] != ":":
                raise self.unexpected("`:` after the key")
            self.i += 1
            self.skip()
            sub = (*path, key)
            if key in out:
                first = self.doc.keys.get(sub)
                if first is not None:
                    self.doc.duplicates.append(Duplicate(sub, first, kspan))
                self._forget(sub)  # the key keeps its first place, as in JavaScript
            self.doc.keys[sub] = kspan
            out[key] = self.value(sub, depth + 1)
            self.skip()
            if self.i < self.n and self.t[self.i] == ",":
                self.i += 1
                continue
            if self.i < self.n and self.t[self.i] == "}":
                self.i += 1
                return out
            raise self.unexpected("`,` or `}`")

    def arr(self, path: Path, depth: int) -> list[Any]:
        out: list[Any] = []
        self.i += 1  # [
        while True:
            self.skip()
            if self.i >= self.n:
                raise self.unexpected("a value or `]`")
            if self.t[self.i] == "]":
                self.i += 1
                return out
            out.append(self.value((*path, len(out)), depth + 1))
            self.skip()
            if self.i < self.n and self.t[self.i] == ",":
                self.i += 1
                continue
            if self.i < self.n and self.t[self.i] == "]":
                self.i += 1
                return out
            raise self.unexpected("`,` or `]`")

    def _forget(self, prefix: Path) -> None:
        """Drop index entries of an overridden duplicate member (and everything under it)."""
        k = len(prefix)
        for table in (self.doc.keys, self.doc.values):
            for p in [p for p in table if p[:k] == prefix]:
                del table[p]

    def key(self) -> str:
        ch = self.t[self.i]
        if ch in "\"'":
            return self.string()
        if ch == "\\" or _id_start(ch):
            return self.identifier()
        raise self.unexpected("a key (a string or an identifier)")

    def identifier(self) -> str:
        chars: list[str] = []
        first = True
        while self.i < self.n:
            ch = self.t[self.i]
            if ch == "\\":
                at = self.i
                if not self.t.startswith("\\u", self.i):
                    raise self.error("only `\\uXXXX` escapes are allowed in identifiers", at)
                self.i += 2
                c = self.hex_digits(4)
                ok = _id_start(c) if first else _id_part(c)
                if not ok:
                    raise self.error(f"escaped {_describe(c)} is not valid in an identifier", at)
                chars.append(c)
            elif (_id_start(ch) if first else _id_part(ch)):
                chars.append(ch)
                self.i += 1
            else:
                break
            first = False
        return "".join(chars)

    def hex_digits(self, count: int) -> str:
        digits = self.t[self.i : self.i + count]
        if len(digits) < count or any(c not in _HEX for c in digits):
            bad = next((k for k, c in enumerate(digits) if c not in _HEX), len(digits))
            self.i += bad
            raise self.unexpected(f"{count} hexadecimal digits")
        self.i += count
        return chr(int(digits, 16))

    def string(self) -> str:
        quote = self.t[self.i]
        start = self.i
        self.i += 1
        parts: list[str] = []
        t, n = self.t, self.n
        while True:
            if self.i >= n:
                raise self.error("unterminated string", start)
            ch = t[self.i]
            if ch == quote:
                self.i += 1
                return _join_surrogates("".join(parts))
            if ch in "\n\r":
                raise self.error(
                    "line break inside a string; escape it as `\\n` or end the line with `\\`"
                )
            if ch != "\\":
                # Copy a run of plain characters at once.
                j = self.i
                while j < n and t[j] not in (quote, "\\", "\n", "\r"):
                    j += 1
                parts.append(t[self.i : j])
                self.i = j
                continue
            esc_at = self.i
            self.i += 1
            if self.i >= n:
                raise self.error("unterminated string", start)
            c = t[self.i]
            if c in _SINGLE_ESCAPES:
                parts.append(_SINGLE_ESCAPES[c])
                self.i += 1
            elif c == "0":
                self.i += 1
                if self.i < n and t[self.i] in _DIGITS:
                    raise self.error("octal escapes are not allowed in JSON5 strings", esc_at)
                parts.append("\0")
            elif c in "123456789":
                raise self.error(f"invalid escape `\\{c}` in a string", esc_at)
            elif c == "x":
                self.i += 1
                parts.append(self.hex_digits(2))
            elif c == "u":
                self.i += 1
                parts.append(self.hex_digits(4))
            elif c == "\r":  # line continuation: \CR, \CRLF
                self.i += 2 if t.startswith("\r\n", self.i) else 1
            elif c in "\n\u2028\u2029":
                self.i += 1
            else:  # any other escaped character stands for itself
                parts.append(c)
                self.i += 1

    def number(self) -> int | float:
        t, n = self.t, self.n
        start = self.i
        sign = 1
        if t[self.i] in "+-":
            sign = -1 if t[self.i] == "-" else 1
            self.i += 1
        if t.startswith("Infinity", self.i):
            self.i += len("Infinity")
            self._no_ident_after()
            return sign * math.inf
        if t.startswith("NaN", self.i):
            self.i += len("NaN")
            self._no_ident_after()
            return math.nan
        if t.startswith(("0x", "0X"), self.i):
            self.i += 2
            j = self.i
            while j < n and t[j] in _HEX:
                j += 1
            if j == self.i:
                raise self.unexpected("hexadecimal digits after `0x`")
            value = int(t[self.i : j], 16)
            self.i = j
            self._no_ident_after()
            return sign * value
        int_start = self.i
        while self.i < n and t[self.i] in _DIGITS:
            self.i += 1
        int_digits = t[int_start : self.i]
        if len(int_digits) > 1 and int_digits[0] == "0":
            raise self.error("numbers cannot have leading zeros", int_start + 1)
        is_float = False
        frac_digits = ""
        if self.i < n and t[self.i] == ".":
            is_float = True
            self.i += 1
            f0 = self.i
            while self.i < n and t[self.i] in _DIGITS:
                self.i += 1
            frac_digits = t[f0 : self.i]
        if not int_digits and not frac_digits:
            if self.i == start or (self.i == start + 1 and t[start] in "+-"):
                raise self.unexpected("a number")
            raise self.error("a number needs digits before or after the `.`", start)
        if self.i < n and t[self.i] in "eE":
            is_float = True
            self.i += 1
            if self.i < n and t[self.i] in "+-":
                self.i += 1
            e0 = self.i
            while self.i < n and t[self.i] in _DIGITS:
                self.i += 1
            if e0 == self.i:
                raise self.unexpected("exponent digits")
        self._no_ident_after()
        body = t[start : self.i]
        if body[0] == "+":
            body = body[1:]
        if is_float:
            return float(body)
        try:
            return int(body)
        except ValueError:  # over Python's 4,300-digit limit: a JS Number is a float too
            return float(body)

    def _no_ident_after(self) -> None:
        if self.i < self.n and (_id_part(self.t[self.i]) or self.t[self.i] == "\\"):
            raise self.unexpected()


_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def _join_surrogates(s: str) -> str:
    """`\\ud83d\\ude00` escapes arrive as two surrogates; combine them as JavaScript would.

    Lone surrogates stay as they are (JavaScript strings can hold them too).
    """
    if not any("\ud800" <= c <= "\udfff" for c in s):
        return s
    return _SURROGATE_PAIR.sub(
        lambda m: chr(0x10000 + ((ord(m[0][0]) - 0xD800) << 10) + (ord(m[0][1]) - 0xDC00)), s
    )


def parse(text: str) -> Document:
    """Parse JSON5 text; raises JSON5Error with the position of the first syntax error."""
    if not isinstance(text, str):
        raise TypeError("parse() expects str")
    return _Parser(text).parse_document()


def loads(text: str) -> Any:
    return parse(text).value
