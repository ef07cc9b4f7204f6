"""CRD: knowledge card rules, one focused test per edge."""

from __future__ import annotations

import json

import pytest
from helpers import codes, lint

from clawlint.config import Settings
from clawlint.diagnostics import Applicability

TODAY = "2026-11-21"


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setenv("CLAWLINT_TODAY", TODAY)


def card(topic="Backup plan", *, category="infra", tags="[backups, restic]",
         created="2026-10-01", updated="2026-11-01", extra="", body="Nightly restic run.") -> str:
    lines = [f"topic: {topic}", f"category: {category}", f"tags: {tags}",
             f"created: {created}", f"updated: {updated}"]
    return "---\n" + "\n".join(x for x in lines if not x.endswith(": None")) + "\n" + extra + \
        f"---\n# {topic}\n\n{body}\n"


def run(ws, files, select, settings=None):
    root = ws(files)
    return lint(root, select=select, settings=settings)


def only(diags, code):
    return [d for d in diags if d.code == code]


# ---- CRD001 ---------------------------------------------------------------------------------


def test_clean_card_has_no_card_findings(ws):
    assert run(ws, {"memory/cards/a.md": card()}, ["CRD", "PAR", "TXT"]) == []


def test_missing_frontmatter(ws):
    d = run(ws, {"memory/cards/a.md": "# Ports\n\n- 22/tcp\n"}, ["CRD001"])
    assert codes(d) == ["CRD001"] and "no YAML frontmatter" in d[0].message


def test_frontmatter_after_blank_lines(ws):
    d = run(ws, {"memory/cards/a.md": "\n\n" + card()}, ["CRD001"])
    assert codes(d) == ["CRD001"] and "line 3" in d[0].message and d[0].line == 3


def test_frontmatter_behind_bom(ws):
    d = run(ws, {"memory/cards/a.md": "\ufeff" + card()}, ["CRD001"])
    assert codes(d) == ["CRD001"] and "byte-order mark" in d[0].message


def test_thematic_break_card_is_missing_not_broken(ws):
    d = run(ws, {"memory/cards/a.md": "---\n\ntopic: x\n---\n# x\n"}, ["CRD001", "PAR007"])
    assert codes(d) == ["CRD001"] and "thematic break" in d[0].message


def test_thematic_break_outside_cards_is_not_frontmatter(ws):
    files = {"memory/2026-11-20.md": "---\n\n# 2026-11-20\n\n- note\n",
             "MEMORY.md": "---\n\n# Index\n"}
    assert run(ws, files, ["CRD", "PAR", "LOG", "MEM", "IDX"]) == []


def test_unterminated_frontmatter_is_par007_only(ws):
    d = run(ws, {"memory/cards/a.md": "---\ntopic: x\n# no close\n"}, ["CRD", "PAR007"])
    assert codes(d) == ["PAR007"]


def test_invalid_yaml_is_par007_only(ws):
    d = run(ws, {"memory/cards/a.md": card(topic="SSH: keys")}, ["CRD", "PAR007"])
    assert codes(d) == ["PAR007"]


def test_empty_card(ws):
    d = run(ws, {"memory/cards/a.md": "\n"}, ["CRD001"])
    assert "empty" in d[0].message


def test_cards_path_setting(ws):
    files = {"memory/kb/a.md": "# no fm\n", "memory/cards/b.md": "# not a card now\n"}
    d = run(ws, files, ["CRD001"], Settings(cards_path="memory/kb"))
    assert [x.path for x in d] == ["memory/kb/a.md"]


# ---- CRD002 / CRD003 ------------------------------------------------------------------------


def test_duplicate_key_reported_at_second(ws):
    d = run(ws, {"memory/cards/a.md": card(extra="category: office\n")}, ["CRD002"])
    assert codes(d) == ["CRD002"] and d[0].line == 7 and "line 3" in d[0].message


@pytest.mark.parametrize("extra, hits", [
    ("autoconnect: on\n", 1),
    ("autoconnect: Off\n", 1),
    ("autoconnect: \"on\"\n", 0),
    ("autoconnect: true\n", 0),
    ("status: online\n", 0),
    ("yes: 1\n", 1),
    ("flags: [wifi, NO]\n", 1),
])
def test_yaml11_booleans(ws, extra, hits):
    d = run(ws, {"memory/cards/a.md": card(extra=extra)}, ["CRD003"])
    assert len(d) == hits


def test_yaml11_boolean_inside_tags(ws):
    d = run(ws, {"memory/cards/a.md": card(tags="[wifi, on]")}, ["CRD003", "CRD005"])
    assert codes(d) == ["CRD003"]  # the bool tag is CRD003's, not reported twice
    assert d[0].line == 4 and d[0].column == 14 and d[0].end_column == 16


# ---- CRD004 / CRD005 ------------------------------------------------------------------------


def test_hashtags_reported_as_hashtags_not_missing(ws):
    d = run(ws, {"memory/cards/a.md": card(tags="#ssh #keys")}, ["CRD004", "CRD005", "CRD006"])
    assert codes(d) == ["CRD004"]
    fix = d[0].fix
    assert fix.applicability is Applicability.SAFE and fix.edits[0].content == "[ssh, keys]"


def test_hashtags_with_commas(ws):
    d = run(ws, {"memory/cards/a.md": card(tags="#ssh, #keys")}, ["CRD004"])
    assert d[0].fix.edits[0].content == "[ssh, keys]"


def test_comment_is_not_hashtags(ws):
    d = run(ws, {"memory/cards/a.md": card(tags="# none yet")}, ["CRD004", "CRD005", "CRD006"])
    assert codes(d) == ["CRD005"] and "empty" in d[0].message


def test_comma_string_tags(ws):
    d = run(ws, {"memory/cards/a.md": card(tags="backups, restic, nas")}, ["CRD005", "CRD006"])
    assert codes(d) == ["CRD005"]
    assert d[0].fix.edits[0].content == "[backups, restic, nas]"


def test_quoted_comma_string_tags(ws):
    d = run(ws, {"memory/cards/a.md": card(tags='"backups, 2026, on"')}, ["CRD005"])
    assert d[0].fix.edits[0].content == '[backups, "2026", "on"]'


def test_single_word_tags(ws):
    d = run(ws, {"memory/cards/a.md": card(tags="ssh")}, ["CRD005"])
    assert d[0].fix.edits[0].content == "[ssh]"


def test_space_separated_tags_get_no_fix(ws):
    d = run(ws, {"memory/cards/a.md": card(tags="ssh keys")}, ["CRD005"])
    assert codes(d) == ["CRD005"] and d[0].fix is None


@pytest.mark.parametrize("tags, word", [("[]", "empty list"), ("[ssh, 2026]", "`2026`"),
                                        ("{a: 1}", "not a mapping"), ("[ssh, '']", "empty tag"),
                                        ("true", "not true/false")])
def test_bad_tag_shapes(ws, tags, word):
    d = run(ws, {"memory/cards/a.md": card(tags=tags)}, ["CRD005", "CRD006"])
    assert codes(d) == ["CRD005"] and word in d[0].message and d[0].fix is None


# ---- CRD006 ---------------------------------------------------------------------------------


def test_missing_fields_each_reported(ws):
    text = "---\ntopic: Ports\ntags: [net]\n---\n# Ports\n"
    d = run(ws, {"memory/cards/a.md": text}, ["CRD006"])
    assert sorted(x.message.split("`")[1] for x in d) == ["category", "created", "updated"]
    assert all(x.fix is None for x in d)  # no created date to copy into updated


def test_missing_updated_has_unsafe_fix(ws):
    d = run(ws, {"memory/cards/a.md": card(updated=None)}, ["CRD006"])
    assert codes(d) == ["CRD006"]
    fix = d[0].fix
    assert fix.applicability is Applicability.UNSAFE
    assert fix.edits[0].content == "updated: 2026-10-01\n"


def test_wrong_types(ws):
    d = run(ws, {"memory/cards/a.md": card(topic="2026", category="''")}, ["CRD006"])
    msgs = sorted(x.message for x in d)
    assert len(d) == 2 and msgs[0].startswith("`category`") and msgs[1].startswith("`topic`")


def test_schema_defers_dates_and_tags(ws):
    d = run(ws, {"memory/cards/a.md": card(tags="a, b", created="March 3")}, ["CRD006"])
    assert d == []


def test_frontmatter_not_a_mapping(ws):
    d = run(ws, {"memory/cards/a.md": "---\n- a\n- b\n---\n# x\n"}, ["CRD006"])
    assert codes(d) == ["CRD006"] and "mapping" in d[0].message


def test_custom_schema_option(ws):
    schema = {"type": "object", "required": ["topic", "owner"],
              "properties": {"owner": {"type": "string"}}}
    files = {"card.schema.json": json.dumps(schema), "memory/cards/a.md": card()}
    settings = Settings(rules={"CRD006": {"schema": "card.schema.json"}})
    d = run(ws, files, ["CRD006"], settings)
    assert codes(d) == ["CRD006"] and "`owner`" in d[0].message


def test_bad_custom_schema_reported_once(ws):
    files = {"memory/cards/a.md": card(), "memory/cards/b.md": card(topic="B")}
    settings = Settings(rules={"CRD006": {"schema": "missing.json"}})
    d = run(ws, files, ["CRD006"], settings)
    assert len(d) == 1 and "cannot read card schema" in d[0].message


# ---- CRD007-CRD010 --------------------------------------------------------------------------


@pytest.mark.parametrize("created, needle", [
    ("2026-2-20", "write `created: 2026-02-20`"),
    ('"2026-02-30"', "not a real calendar date"),
    ("March 3", "not a date"),
    ("", "empty"),
])
def test_invalid_dates(ws, created, needle):
    d = run(ws, {"memory/cards/a.md": card(created=created)}, ["CRD007"])
    assert codes(d) == ["CRD007"] and needle in d[0].message


@pytest.mark.parametrize("created", ['"2026-02-20"', "2026-02-20 10:30:00", "2026-02-20"])
def test_valid_date_forms(ws, created):
    assert run(ws, {"memory/cards/a.md": card(created=created)}, ["CRD007", "CRD008"]) == []


def test_updated_before_created(ws):
    d = run(ws, {"memory/cards/a.md": card(created="2026-10-20", updated="2026-10-01")},
            ["CRD008"])
    assert codes(d) == ["CRD008"] and d[0].line == 6


def test_future_dates_with_grace(ws):
    files = {"memory/cards/a.md": card(updated="2026-11-22"),  # tomorrow: time zones
             "memory/cards/b.md": card(topic="B", updated="2026-11-23"),
             "memory/cards/c.md": card(topic="C", created="2099-01-01", updated="2099-01-02")}
    d = run(ws, files, ["CRD009"])
    assert [(x.path, x.line) for x in d] == [("memory/cards/b.md", 6), ("memory/cards/c.md", 5),
                                             ("memory/cards/c.md", 6)]


def test_today_option_beats_env(ws):
    files = {"memory/cards/a.md": card(updated="2026-11-23")}
    settings = Settings(rules={"CRD009": {"today": "2026-12-31"}})
    assert run(ws, files, ["CRD009"], settings) == []


def test_stale_boundary(ws):
    files = {"memory/cards/a.md": card(topic="A", updated="2026-08-23"),  # 90 days
             "memory/cards/b.md": card(topic="B", updated="2026-08-22")}  # 91 days
    d = run(ws, files, ["CRD010"])
    assert [x.path for x in d] == ["memory/cards/b.md"] and "91 days" in d[0].message


def test_stale_option(ws):
    files = {"memory/cards/a.md": card(updated="2026-11-01")}
    settings = Settings(rules={"CRD010": {"max_age_days": 7}})
    assert codes(run(ws, files, ["CRD010"], settings)) == ["CRD010"]


def test_no_date_rules_on_bad_values(ws):
    d = run(ws, {"memory/cards/a.md": card(created="soon", updated="later")},
            ["CRD008", "CRD009", "CRD010"])
    assert d == []


# ---- CRD011-CRD013 --------------------------------------------------------------------------


def big_body(n: int) -> str:
    return "\n".join(f"- service {i} listens on port {8000 + i} behind Caddy." for i in range(n))


def test_card_too_large(ws):
    d = run(ws, {"memory/cards/a.md": card(body=big_body(80)), "memory/cards/b.md":
                 card(topic="B", body=big_body(10))}, ["CRD011"])
    assert [x.path for x in d] == ["memory/cards/a.md"] and "tiktoken" in d[0].message


def test_card_size_estimate_when_tokenizer_missing(ws, monkeypatch):
    import clawlint.tokens as tk

    def unavailable():
        raise tk.TokenizerUnavailable("no tokenizer in this test")

    monkeypatch.setattr(tk, "encoding", unavailable)
    d = run(ws, {"memory/cards/a.md": card(body=big_body(80))}, ["CRD011"])
    assert "characters / 4" in d[0].message


def test_card_size_option(ws):
    settings = Settings(rules={"CRD011": {"max_tokens": 5000}})
    assert run(ws, {"memory/cards/a.md": card(body=big_body(80))}, ["CRD011"], settings) == []


def test_two_h1s(ws):
    body = "- ssh\n\n```\n# not a heading\n```\n\n## fine\n\nSecond\n======\n\n# Backups\n"
    d = run(ws, {"memory/cards/a.md": card(body=body)}, ["CRD012"])
    assert [x.line for x in d] == [18, 21]  # setext "Second" and "# Backups"


def test_one_h1_with_other_hash_signs_is_fine(ws):
    # Hashtags, `#` in code and an `==` comparison: still one top-level heading.
    body = "Tags: #ssh #keys\n\n```\n# comment\nif a == b:\n```\n\nx == y in prose\n"
    assert run(ws, {"memory/cards/a.md": card(body=body)}, ["CRD012"]) == []


def test_duplicate_topics(ws):
    files = {"memory/cards/a.md": card(topic="Backup plan"),
             "memory/cards/b.md": card(topic="backup  PLAN."),
             "memory/cards/sub/c.md": card(topic="Backup plan"),
             "memory/cards/d.md": card(topic="Restore drill")}
    d = run(ws, files, ["CRD013"])
    assert [x.path for x in d] == ["memory/cards/b.md", "memory/cards/sub/c.md"]
    assert "memory/cards/a.md" in d[0].message and d[0].line == 2


def test_rules_skip_non_cards(ws):
    files = {"memory/notes.md": "# a\n\n# b\n", "MEMORY.md": "# Index\n"}
    assert run(ws, files, ["CRD"]) == []


@pytest.mark.parametrize("data", [
    {"topic": "A", "category": "b", "tags": ["x"], "created": __import__("datetime").date(2026, 1, 1),
     "updated": __import__("datetime").date(2026, 1, 2)},
    {"topic": "A", "category": "b", "tags": ["x"], "created": "2026-01-01", "updated": "2026-01-02"},
    {"topic": "", "category": "b", "tags": ["x"]},
    {"topic": "A", "category": "b", "tags": [], "created": "x", "updated": "y"},
    {"topic": "A", "category": 3, "tags": ["x", 1]},
    ["not", "a", "mapping"],
    None,
])
def test_fast_path_never_disagrees_with_the_schema(data):
    import jsonschema

    from clawlint.checks.cards import SCHEMA_FILE, _json_ready, _obviously_valid

    schema = json.loads(SCHEMA_FILE.read_text())
    cls = jsonschema.validators.validator_for(schema)
    valid = cls(schema, format_checker=cls.FORMAT_CHECKER).is_valid(_json_ready(data))
    assert not _obviously_valid(data) or valid


def test_size_screen_is_conservative():
    import random
    import string

    from clawlint.checks.cards import may_exceed
    from clawlint.tokens import count

    rnd = random.Random(3)
    samples = [
        "The NAS keeps seven daily restic snapshots and four weekly ones. " * 30,
        "".join(rnd.choice(string.ascii_letters + string.digits) for _ in range(1500)),
        "记忆卡片" * 300,
        "- port 8080, 8081, 8082; 10.0.0.1-10.0.0.254 (/24)\n" * 30,
    ]
    for text in samples:
        if count(text) > 600:
            assert may_exceed(text, 600), text[:40]


def test_duplicate_topic_reported_on_the_copy(ws):
    files = {"memory/cards/backup-plan.md": card(), "memory/cards/backup-plan-copy.md": card()}
    d = run(ws, files, ["CRD013"])
    assert [x.path for x in d] == ["memory/cards/backup-plan-copy.md"]


# ---- fast frontmatter path (clawlint.source) equals the YAML loader -------------------------

_FM_KEYS = ["topic", "category", "tags", "created", "updated", "yes", "on", "a-b", "_x", "null",
            "123"]
_FM_VALUES = [
    "backup", "Zürich 日本 x", "2026-01-02", "2026-02-30", "2026-1-2", "yes", "No", "on", "123",
    "0x1F", "1.5", "1e3", "1_000", "null", "~", "true", "a b", "Sam's notes", "x (y)", "a/b",
    "[a, b]", "[]", "[ ]", "[a,b]", "[ a , b ]", "[yes, 2026-01-01, 3]", "[a,, b]", "[a, b,]",
    '"quoted: x"', "'single # x'", '""', "''", "a  b", "a #c", "x:y", "-5", ".5", "foo ",
    "[a b, c]", "é", "2026-01-02 10:00:00", "1:20", "0o17", "+12", ".inf", "=", "<<", "a\tb",
    '"a\\"b"', "\u00a0x", "x²", "😀", '"😀 x"',
]


def _parsed(text: str, fast: bool):
    from clawlint import source

    fm = source.FrontMatter(text=text, start_offset=4, first_line=1, content_line=2,
                            end_line=9, body_offset=0)
    if fast:
        return fm if source._fast_frontmatter(fm) else None
    saved = source._fast_frontmatter
    source._fast_frontmatter = lambda _fm: False
    try:
        source.parse_frontmatter_yaml(fm)
    finally:
        source._fast_frontmatter = saved
    return fm


def test_fast_frontmatter_equals_yaml_loader():
    import random

    rng = random.Random(3)
    taken = 0
    for _ in range(6000):
        lines = []
        for _ in range(rng.randint(0, 4)):
            r = rng.random()
            if r < 0.05:
                lines.append("")
            elif r < 0.08:
                lines.append(rng.choice(["# note", "  - item"]))
            else:
                lines.append(f"{rng.choice(_FM_KEYS)}:{rng.choice([' ', '  ', ''])}"
                             f"{rng.choice(_FM_VALUES)}")
        text = "\n".join(lines) + rng.choice(["\n", "", "\n\n"])
        fast = _parsed(text, True)
        if fast is None:
            continue
        taken += 1
        slow = _parsed(text, False)
        assert (fast.keys, fast.duplicate_keys, fast.error) == (
            slow.keys, slow.duplicate_keys, slow.error), text
        assert repr(fast.data) == repr(slow.data), text
    assert taken > 200  # the fast path is actually exercised


def test_fast_frontmatter_declines_what_it_cannot_read():
    for text in ("topic: a\ntopic: b\n", "topic: a # note\n", "tags:\n  - a\n", "d: 2026-02-30\n",
                 "yes: 1\n", 'q: "a\\tb"\n', "topic: a\r\n", ""):
        assert _parsed(text, True) is None, text
    assert _parsed("topic: a\ntags: [x, y]\n", True).data == {"topic": "a", "tags": ["x", "y"]}
