"""CRD: knowledge cards (tier 2, `memory/cards/**/*.md`, path = settings.cards_path).

A card is one topic with YAML frontmatter (topic, category, tags, created, updated) that
memory search uses to rank it. These rules check that the frontmatter exists, parses the way
the author meant, satisfies the card schema, and that cards stay small, fresh and distinct.
Invalid YAML and unterminated frontmatter are PAR007's; these rules skip such cards.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from clawlint.checks.text_hygiene import newline_style
from clawlint.diagnostics import Applicability, Diagnostic, Edit, Fix
from clawlint.knowledge import memory as facts
from clawlint.memory_support import as_date, parse_iso_date, plural, today
from clawlint.registry import Context, kinds_inputs, rule
from clawlint.source import FrontMatter, KeyInfo
from clawlint.tokens import count_with_method as count_tokens
from clawlint.workspace import Kind, SourceFile

CARD = {Kind.CARD}
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "data" / "card.schema.json"
_LOOSE_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_HASHTAGS = re.compile(r"#[^\s#,]+(?:[\s,]+#[^\s#,]+)*[ \t]*$")
_TEMPLATE = (
    "---\ntopic: <one topic>\ncategory: <area>\ntags: [a, b]\ncreated: YYYY-MM-DD\n"
    "updated: YYYY-MM-DD\n---"
)


# ---- shared helpers ------------------------------------------------------------------------


def card_frontmatter(f: SourceFile) -> FrontMatter | None:
    """The card's parsed frontmatter, or None when absent/broken (other rules report that)."""
    fm = f.frontmatter
    if fm is None or not fm.terminated or fm.error is not None:
        return None
    return fm


def card_data(f: SourceFile) -> dict[str, Any] | None:
    fm = card_frontmatter(f)
    if fm is None or not isinstance(fm.data, dict):
        return None
    return fm.data


def _nodes(ctx: Context, f: SourceFile) -> dict[str, tuple[Any, Any]]:
    """Top-level key -> (key node, value node) of the frontmatter, composed once per run.
    Node marks are character indexes into the frontmatter text."""

    def build() -> dict[str, tuple[Any, Any]]:
        import yaml

        fm = card_frontmatter(f)
        if fm is None:
            return {}
        try:
            root = yaml.compose(fm.text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            return {}
        out: dict[str, tuple[Any, Any]] = {}
        if isinstance(root, yaml.MappingNode):
            for k, v in root.value:
                if isinstance(k, yaml.ScalarNode):
                    out.setdefault(str(k.value), (k, v))
        return out

    return ctx.ws.memo(f"crd.nodes:{f.rel}", build)


def _span(fm: FrontMatter, node: Any) -> tuple[int, int]:
    return fm.start_offset + node.start_mark.index, fm.start_offset + node.end_mark.index


def yaml_flow_item(s: str) -> str:
    """One item of a YAML flow sequence, quoted only when YAML would misread it plain."""
    import yaml

    plain_ok = (
        s
        and re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_ ./+\-]*", s) is not None
        and not s.endswith(" ")
        and s not in facts.YAML11_BOOL_WORDS
    )
    if plain_ok:
        # Would YAML read it back as this exact string (not a number, date, bool or null)?
        try:
            if yaml.safe_load(f"[{s}]") == [s]:
                return s
        except yaml.YAMLError:
            pass
    return json.dumps(s, ensure_ascii=False)


def flow_list(items: list[str]) -> str:
    return "[" + ", ".join(yaml_flow_item(i) for i in items) + "]"


def _line_end(f: SourceFile, line: int) -> int:
    """Offset just past `line`'s last character (before its line break)."""
    start, end = f.src.line_span(line)
    text = f.src.text
    while end > start and text[end - 1] in "\r\n":
        end -= 1
    return end


def _hashtag_span(f: SourceFile, fm: FrontMatter) -> tuple[int, int, list[str]] | None:
    """`tags: #ssh #keys` (YAML reads a comment, so tags is null): span of `#ssh #keys`."""
    info = fm.keys.get("tags")
    if info is None or info.value_tag != "tag:yaml.org,2002:null" or info.value_text:
        return None
    line = info.line
    start, _ = f.src.line_span(line)
    end = _line_end(f, line)
    raw = f.src.text[start:end]
    colon = raw.find(":", info.column - 1)
    if colon < 0:
        return None
    rest = raw[colon + 1 :]
    m = _HASHTAGS.search(rest)
    if m is None or rest[: m.start()].strip():
        return None
    words = [w.lstrip("#") for w in re.split(r"[\s,]+", m.group(0).strip()) if w.lstrip("#")]
    if not words:
        return None
    a = start + colon + 1 + m.start()
    b = start + colon + 1 + len(rest.rstrip())
    return a, b, words


def _json_ready(value: Any) -> Any:
    """YAML values as JSON Schema sees them: dates become ISO strings."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    return value


# ---- CRD001 ---------------------------------------------------------------------------------


@rule("CRD001", kinds=CARD)
def missing_frontmatter(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    if f.frontmatter is not None:
        return  # present; PAR007 reports unterminated or invalid YAML
    text = f.text or ""
    help_text = f"A card starts with:\n{_TEMPLATE}"
    if text.startswith("\ufeff"):
        yield ctx.diag(
            f, "card starts with a byte-order mark, so its frontmatter is not at byte 0 and is "
            "not read; save the file as UTF-8 without BOM", line=1, help=help_text,
        )
        return
    lines = text.splitlines()
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        yield ctx.diag(
            f, "card is empty; give it frontmatter (topic, category, tags, created, updated) "
            "and content, or delete it", line=1, help=help_text,
        )
        return
    if lines[first].strip() == "---":
        nxt = next((ln for ln in lines[first + 1 :] if ln.strip()), "")
        looks_yaml = re.match(r"^[A-Za-z_][\w-]*\s*:", nxt) is not None
        if first > 0 and looks_yaml:
            yield ctx.diag(
                f, f"frontmatter starts on line {first + 1}, not line 1, so it is read as text; "
                "delete the blank lines above the opening `---`", line=first + 1, end_col=4,
                help=help_text,
            )
            return
        if first == 0 and looks_yaml:
            yield ctx.diag(
                f, "a blank line follows the opening `---`, which makes it a thematic break, not "
                "frontmatter; delete the blank line so the YAML directly follows `---`",
                line=1, end_col=4, help=help_text,
            )
            return
    yield ctx.diag(
        f, "card has no YAML frontmatter; add topic, category, tags, created and updated "
        "between `---` lines at the top so memory search can rank it", line=1, help=help_text,
    )


# ---- CRD002 ---------------------------------------------------------------------------------


@rule("CRD002", kinds=CARD)
def duplicate_key(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    fm = card_frontmatter(f)
    if fm is None:
        return
    for first, dup in fm.duplicate_keys:
        yield ctx.diag(
            f, f"`{dup.key}` is set twice (also on line {first.line}); YAML silently keeps only "
            f"the last value, so line {first.line} is ignored. Merge them into one `{dup.key}`",
            line=dup.line, col=dup.column, end_col=dup.column + len(dup.key),
        )


# ---- CRD003 ---------------------------------------------------------------------------------


_BOOL_WORD_RE = re.compile(r"\b(?:yes|no|on|off)\b", re.I)


@rule("CRD003", kinds=CARD)
def yaml11_boolean(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    fm = card_frontmatter(f)
    if fm is None or not _BOOL_WORD_RE.search(fm.text):
        return
    import yaml

    bool_tag = "tag:yaml.org,2002:bool"

    def walk(node: Any, where: str) -> Iterator[tuple[Any, str]]:
        if isinstance(node, yaml.ScalarNode):
            if node.tag == bool_tag and node.style is None and node.value in facts.YAML11_BOOL_WORDS:
                yield node, where
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                yield from walk(item, where)
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                yield from walk(k, "key")
                yield from walk(v, str(getattr(k, "value", where)))

    for key, (knode, vnode) in _nodes(ctx, f).items():
        for node, where in [*walk(knode, "key"), *walk(vnode, key)]:
            a, b = _span(fm, node)
            word = node.value
            truth = "true" if word.lower() in ("yes", "on") else "false"
            what = "this key" if where == "key" else f"`{where}`"
            yield ctx.diag(
                f, f"`{word}` in {what} is read as the boolean {truth} by YAML 1.1 parsers "
                f"(PyYAML and many others), not the word `{word}`; quote it (\"{word}\") if you "
                f"mean the word, or write {truth} if you mean a boolean",
                start=a, end=b,
            )


# ---- CRD004 / CRD005: tags ------------------------------------------------------------------


@rule("CRD004", kinds=CARD)
def hashtag_tags(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    fm = card_frontmatter(f)
    if fm is None or _duplicated(fm, "tags"):
        return  # with two `tags` keys YAML ignores the first; CRD002 reports it
    found = _hashtag_span(f, fm)
    if found is None:
        return
    a, b, words = found
    new = flow_list(words)
    yield ctx.diag(
        f, f"`tags: {f.src.text[a:b]}` is a YAML comment, so the card has no tags at all; "
        f"write them as a list: `tags: {new}`",
        start=a, end=b,
        fix=Fix(f"Rewrite hashtags as `{new}`", (Edit(a, b, new),), Applicability.SAFE),
    )


def last_key(fm: FrontMatter, key: str) -> KeyInfo | None:
    """Where the value YAML keeps is written: the last occurrence of a duplicated key."""
    info = fm.keys.get(key)
    for _first, dup in fm.duplicate_keys:
        if dup.key == key:
            info = dup
    return info


def _duplicated(fm: FrontMatter, key: str) -> bool:
    """A key set twice: positions in fm.keys are the first, values the last (CRD002 reports)."""
    return any(first.key == key for first, _dup in fm.duplicate_keys)


def _tags_fix(f: SourceFile, fm: FrontMatter, value: str) -> Fix | None:
    info = fm.keys.get("tags")
    if _duplicated(fm, "tags"):
        return None
    if info is None or info.value_line != info.value_end_line or info.value_style not in (
        None, "", '"', "'"
    ):
        return None
    if "," in value:
        items = [p.strip() for p in value.split(",") if p.strip()]
    elif value.strip() and not re.search(r"\s", value.strip()):
        items = [value.strip()]
    else:
        return None  # `ssh keys`: one tag or two? Only the author knows.
    if not items:
        return None
    a = f.src.offset(info.value_line, info.value_column)
    b = f.src.offset(info.value_end_line, info.value_end_column)
    new = flow_list(items)
    return Fix(f"Rewrite tags as `{new}`", (Edit(a, b, new),), Applicability.SAFE)


@rule("CRD005", kinds=CARD)
def tags_not_list(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    fm = card_frontmatter(f)
    data = card_data(f)
    if fm is None or data is None or "tags" not in data:
        return  # a missing `tags` is the schema rule's (CRD006)
    tags = data["tags"]
    info = last_key(fm, "tags")
    pos: dict[str, Any] = {}
    if info is not None:
        pos = {"line": info.line, "col": info.column, "end_col": info.column + 4}
    if tags is None:
        if _hashtag_span(f, fm) is None:  # hashtags are CRD004's
            yield ctx.diag(f, "`tags` is empty; list the card's keywords, e.g. `tags: [ssh, keys]`",
                           **pos)
        return
    if isinstance(tags, str):
        fix = _tags_fix(f, fm, tags)
        shown = " ".join(tags.split())
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        if "," in tags:
            msg = (f"`tags` is one comma-separated string (`{shown}`), not a list, so search "
                   "sees a single tag; write a YAML list")
        else:
            msg = f"`tags` is a string (`{shown}`), not a list; write a YAML list"
        if fix is not None:
            msg += f": `tags: {fix.edits[0].content}`"
        else:
            msg += ", e.g. `tags: [ssh, keys]`"
        yield ctx.diag(f, msg, **pos, fix=fix)
        return
    if not isinstance(tags, list):
        kind = {"int": "a number", "float": "a number", "bool": "true/false", "dict": "a mapping",
                 "date": "a date", "datetime": "a date"}.get(type(tags).__name__,
                                                            f"a {type(tags).__name__}")
        yield ctx.diag(f, f"`tags` must be a list of strings, not {kind}; "
                       "write e.g. `tags: [ssh, keys]`", **pos)
        return
    if not tags:
        yield ctx.diag(f, "`tags` is an empty list; add at least one keyword so search can "
                       "match the card", **pos)
        return
    bad = [t for t in tags if not isinstance(t, str) and not isinstance(t, bool)]
    # Booleans from yes/no/on/off are CRD003's; other non-strings (numbers, dates, null,
    # nested lists) are reported here.
    if bad or any(isinstance(t, str) and not t.strip() for t in tags):
        what = ", ".join(f"`{_json_ready(t)!s}`" for t in bad[:3]) or "an empty tag"
        yield ctx.diag(
            f, f"every tag must be a non-empty string; {what} is not. Quote numbers and dates "
            "(\"2026\") and remove empty entries", **pos,
        )


# ---- CRD006: schema -----------------------------------------------------------------------


def _load_validator(ctx: Context) -> tuple[Any, str | None]:
    """(validator, error). Built once per run; the schema path comes from the `schema` option."""

    def build() -> tuple[Any, str | None]:
        import jsonschema  # lazy: only when a card is checked

        opt = str(ctx.options.get("schema") or "")
        path = SCHEMA_FILE
        if opt:
            p = Path(opt).expanduser()
            path = p if p.is_absolute() else ctx.ws.root / p
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            return cls(schema, format_checker=cls.FORMAT_CHECKER), None
        except (OSError, ValueError) as exc:
            return None, f"cannot read card schema {path}: {exc}"
        except jsonschema.exceptions.SchemaError as exc:
            return None, f"card schema {path} is not a valid JSON Schema: {exc.message}"

    return ctx.ws.memo(f"crd.validator:{ctx.options.get('schema') or ''}", build)


def _dates_handled(data: dict[str, Any], field: str) -> bool:
    """created/updated that are present are checked by CRD007-CRD010 with better messages."""
    return field in ("created", "updated") and field in data


def _tags_handled(data: dict[str, Any]) -> bool:
    tags = data.get("tags")
    return "tags" in data and (
        not isinstance(tags, list) or not tags or not all(isinstance(t, str) and t for t in tags)
    )


# Not cached with a custom `schema` file: an input the result cache cannot see (and its load
# error is reported once per run, not once per card).
@rule("CRD006", kinds=CARD, cache=lambda ctx: not ctx.options.get("schema"))
def schema(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    fm = card_frontmatter(f)
    if fm is None:
        return
    raw = fm.data
    if not ctx.options.get("schema") and _obviously_valid(raw):
        # The common case: no jsonschema pass, and no jsonschema import (~70 ms) when every
        # card passes. Only the bundled schema is skipped this way, so no load error is hidden.
        return
    validator, error = _load_validator(ctx)
    if validator is None:
        if not ctx.ws.memo("crd.schema-error-reported", lambda: [False])[0]:
            ctx.ws.memo("crd.schema-error-reported", lambda: [False])[0] = True
            yield ctx.diag(f, f"{error}; fix the CRD006 `schema` option")
        return
    instance = _json_ready(raw)
    data = raw if isinstance(raw, dict) else {}
    errors = sorted(validator.iter_errors(instance), key=lambda e: (list(e.path), e.message))
    for err in errors:
        path = list(err.absolute_path)
        if err.validator == "required" and not path:
            missing = [m for m in re.findall(r"'([^']+)' is a required property", err.message)]
            for name in missing or [err.message]:
                yield _missing_field(ctx, f, fm, data, name)
            continue
        field = str(path[0]) if path else ""
        if field == "tags" and _tags_handled(data):
            continue
        if _dates_handled(data, field):
            continue
        info = last_key(fm, field)
        where = ".".join(str(p) for p in path)
        if not path and raw is None:
            msg = "card frontmatter is empty; fill in topic, category, tags, created and updated"
        elif not path:
            msg = f"card frontmatter: {err.message}; it must be a `key: value` mapping"
        else:
            msg = f"`{where}`: {err.message}; fix the value to match the card schema"
        if info is not None:
            yield ctx.diag(f, msg, line=info.value_line, col=info.value_column,
                           end_line=info.value_end_line, end_col=info.value_end_column)
        else:
            yield ctx.diag(f, msg, line=1, end_col=4)


def _obviously_valid(data: Any) -> bool:
    """True only when `data` certainly satisfies the built-in card.schema.json (same checks,
    written out): then the jsonschema pass can be skipped. Anything unusual goes to jsonschema."""
    if not isinstance(data, dict):
        return False
    for key in ("topic", "category"):
        if not isinstance(data.get(key), str) or not data[key]:
            return False
    tags = data.get("tags")
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) and t for t in tags):
        return False
    return all(type(data.get(k)) is _dt.date for k in ("created", "updated"))


def _missing_field(ctx: Context, f: SourceFile, fm: FrontMatter, data: dict[str, Any],
                   name: str) -> Diagnostic:
    fix = None
    extra = ""
    if name == "updated":
        created = as_date(data.get("created"))
        info = fm.keys.get("created")
        if created is not None and info is not None and not _duplicated(fm, "created"):
            at = f.src.line_span(info.value_end_line)[1]
            nl = newline_style(f.src.text)
            fix = Fix(
                f"Add `updated: {created.isoformat()}` (same as created)",
                (Edit(at, at, f"updated: {created.isoformat()}{nl}"),),
                Applicability.UNSAFE,
            )
            extra = f"; if the card has not changed since it was created, `updated: {created}`"
    why = {
        "topic": "search ranks cards by topic",
        "category": "it groups cards by area",
        "tags": "tags improve search recall",
        "created": "it dates the card",
        "updated": "staleness scans read it",
    }.get(name, "the card schema requires it")
    return ctx.diag(
        f, f"card frontmatter is missing `{name}` ({why}); add it{extra}",
        line=1, end_col=4, fix=fix,
    )


# ---- CRD007-CRD010: dates -------------------------------------------------------------------

DATE_FIELDS = ("created", "updated")


def _date_pos(fm: FrontMatter, field: str) -> dict[str, int]:
    info = last_key(fm, field)
    if info is None:
        return {"line": 1}
    return {"line": info.value_line, "col": info.value_column,
            "end_line": info.value_end_line, "end_col": info.value_end_column}


def card_dates(f: SourceFile) -> dict[str, _dt.date]:
    data = card_data(f) or {}
    out = {}
    for field in DATE_FIELDS:
        d = as_date(data.get(field)) if field in data else None
        if d is not None:
            out[field] = d
    return out


@rule("CRD007", kinds=CARD)
def invalid_date(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    fm = card_frontmatter(f)
    data = card_data(f)
    if fm is None or data is None:
        return
    for field in DATE_FIELDS:
        if field not in data or as_date(data[field]) is not None:
            continue
        value = data[field]
        if value is None:
            msg = f"`{field}` is empty; set it to a date like 2026-03-06"
        else:
            shown = str(value)[:40]
            m = _LOOSE_DATE.match(shown.strip())
            fixed = None
            if m:
                try:
                    fixed = _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
                except ValueError:
                    fixed = None
            if fixed:
                msg = (f"`{field}: {shown}` is not an ISO date, so date-aware tools read it as "
                       f"text; write `{field}: {fixed}`")
            elif m or parse_iso_date(shown) is None and re.match(r"^\d{4}-\d{2}-\d{2}$", shown):
                msg = f"`{field}: {shown}` is not a real calendar date; correct it (YYYY-MM-DD)"
            else:
                msg = f"`{field}: {shown}` is not a date; write it as YYYY-MM-DD"
        yield ctx.diag(f, msg, **_date_pos(fm, field))


@rule("CRD008", kinds=CARD)
def updated_before_created(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    fm = card_frontmatter(f)
    dates = card_dates(f)
    if fm is None or "created" not in dates or "updated" not in dates:
        return
    if dates["updated"] < dates["created"]:
        yield ctx.diag(
            f, f"`updated` ({dates['updated']}) is before `created` ({dates['created']}); one of "
            "them is wrong. Fix the dates (updated is the last edit, created the first)",
            **_date_pos(fm, "updated"),
        )


@rule("CRD009", kinds=CARD)
def future_date(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    fm = card_frontmatter(f)
    if fm is None:
        return
    now = today(ctx.options)
    limit = now + _dt.timedelta(days=int(ctx.options.get("grace_days", 1)))
    for field, d in card_dates(f).items():
        if d > limit:
            yield ctx.diag(
                f, f"`{field}` ({d}) is in the future (today is {now}); use the real date, or "
                "staleness and recency checks will trust this card too long",
                **_date_pos(fm, field),
            )


@rule("CRD010", kinds=CARD)
def stale_card(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    fm = card_frontmatter(f)
    if fm is None:
        return
    updated = card_dates(f).get("updated")
    if updated is None:
        return
    now = today(ctx.options)
    max_age = int(ctx.options.get("max_age_days", facts.CARD_STALE_DAYS))
    age = (now - updated).days
    if age > max_age:
        yield ctx.diag(
            f, f"card was last updated {plural(age, 'day')} ago ({updated}; limit {max_age}); "
            "review it: refresh what changed and bump `updated`, or archive the card if it no "
            "longer holds",
            **_date_pos(fm, "updated"),
        )


# ---- CRD011-CRD013: size and topics ---------------------------------------------------------


_LETTERS_SPACE = bytes(range(ord("a"), ord("z") + 1)) + bytes(range(ord("A"), ord("Z") + 1)) + b" \n"


def may_exceed(text: str, max_tokens: int) -> bool:
    """Cheap screen before exact tokenization (which costs ~0.15 ms per card).

    A token is at least one byte, so text of at most `max_tokens` UTF-8 bytes cannot exceed
    the limit. ASCII prose (>= 10% whitespace, <= 20% digits and symbols) runs at 3.5-4.5
    characters per cl100k token; 3 is used as a safe floor. Anything else (non-ASCII, hex,
    base64, code) is tokenized exactly: random strings reach 1.4 characters per token."""
    raw = text.encode("utf-8")
    if len(raw) <= max_tokens:
        return False
    if not text.isascii():
        return True
    spaces = raw.count(b" ") + raw.count(b"\n")
    other = len(raw.translate(None, _LETTERS_SPACE))
    if spaces * 10 >= len(raw) and other * 5 <= len(raw):
        return len(raw) > max_tokens * 3
    return True


@rule("CRD011", kinds=CARD)
def too_large(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    text = f.text or ""
    max_tokens = int(ctx.options.get("max_tokens", facts.CARD_WARN_TOKENS))
    if not may_exceed(text, max_tokens):
        return
    n, method = count_tokens(text)
    if n <= max_tokens:
        return
    yield ctx.diag(
        f, f"card is {n:,} tokens ({method}), over the {max_tokens:,}-token limit (the guide "
        f"aims for ~{facts.CARD_TARGET_TOKENS}); split it into one card per sub-topic so a "
        "search hit returns the whole answer",
        line=1,
        help=f"Memory search indexes ~{facts.CHUNK_TOKENS_DEFAULT}-token chunks "
        f"({facts.CHUNK_CHARS_DEFAULT:,} characters); a larger card is split across chunks.",
    )


_H1_CANDIDATE = re.compile(r"^ {0,3}#(?:[ \t]|$)|^ {0,3}=+[ \t]*$", re.M)


@rule("CRD012", kinds=CARD)
def multiple_topics(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    text = f.text or ""
    fm = f.frontmatter
    body = fm.body_offset if (fm is not None and fm.terminated) else 0  # = markdown.body_offset
    if text.count("#", body) < 2 and "=" not in text[body:]:
        return  # at most one `#` and no setext underline: one H1 at most (C-speed check)
    if len(_H1_CANDIDATE.findall(text, body)) < 2:
        return  # fewer than two lines that could be H1s: skip the Markdown parse
    h1 = [(line, text) for line, level, text in f.markdown.headings if level == 1]
    if len(h1) < 2:
        return
    first = h1[0]
    for line, text in h1[1:]:
        yield ctx.diag(
            f, f"second top-level heading `# {text}` (the first is `# {first[1]}` on line "
            f"{first[0]}); a card holds one topic, so move this section into its own card or "
            "make it a `##` subsection",
            line=line, end_col=len(f.src.line_text(line)) + 1,
        )


_SPACES = re.compile(r"\s+")


def _norm_topic(value: str) -> str:
    return _SPACES.sub(" ", value).strip().strip(".:;!").casefold()


@rule("CRD013", inputs=kinds_inputs(Kind.CARD))
def duplicate_topic(ctx: Context) -> Iterator[Diagnostic]:
    seen: dict[str, list[SourceFile]] = {}
    for f in sorted(ctx.ws.of_kind(Kind.CARD), key=lambda x: x.rel):
        if not f.readable:
            continue
        data = card_data(f)
        topic = data.get("topic") if data else None
        if isinstance(topic, str) and _norm_topic(topic):
            seen.setdefault(_norm_topic(topic), []).append(f)
    from clawlint.checks.index_noise import backup_reason

    def keep_first(x: SourceFile) -> tuple[bool, str]:
        # The original stays first; a `-copy`/`-old` file is the one reported.
        return backup_reason(x.rel, lambda rel: ctx.ws.get(rel) is not None) is not None, x.rel

    for files in seen.values():
        if len(files) < 2:
            continue
        files.sort(key=keep_first)
        for f in files[1:]:
            fm = card_frontmatter(f)
            info = last_key(fm, "topic") if fm else None
            topic = (card_data(f) or {}).get("topic")
            pos: dict[str, int] = {"line": 1}
            if info is not None:
                pos = {"line": info.value_line, "col": info.value_column,
                       "end_line": info.value_end_line, "end_col": info.value_end_column}
            others = ", ".join(x.rel for x in files if x is not f)
            yield ctx.diag(
                f, f"topic `{topic}` is also the topic of {others}; search returns both and "
                "they drift apart. Merge them into one card, or give each a distinct topic",
                **pos,
            )
