"""Every rule is documented once, and its documented examples behave as documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import codes, lint, materialize

from clawlint.registry import ENGINE_CODES, all_codes, load_rules
from clawlint.ruledocs import REQUIRED_SECTIONS, load_all

DOCS = load_all()
CODE_RE = re.compile(r"^[A-Z]{1,3}\d{3}$")


def test_every_rule_has_a_doc_and_every_doc_a_rule():
    registered = set(load_rules()) | ENGINE_CODES
    assert registered == set(DOCS), (
        f"undocumented: {sorted(registered - set(DOCS))}; no rule: {sorted(set(DOCS) - registered)}"
    )


@pytest.mark.parametrize("code", sorted(DOCS))
def test_doc_shape(code):
    doc = DOCS[code]
    assert CODE_RE.match(code), code
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", doc.name), doc.name
    assert doc.fixable in ("none", "safe", "unsafe")
    for section in REQUIRED_SECTIONS:
        assert section in doc.sections, f"{code}: missing section {section!r}"
    assert doc.example_files("Example"), f"{code}: Example has no file= block"
    assert doc.example_files("Use instead"), f"{code}: Use instead has no file= block"


def test_names_are_unique():
    names = [d.name for d in DOCS.values()]
    assert len(names) == len(set(names))


def _fence_info(section: str) -> dict[str, str]:
    out = {}
    for m in re.finditer(r"^(?:```+|~~~+)([^\n]*)$", section, re.M):
        f = re.search(r"\bfile=(\S+)", m.group(1))
        if f:
            out[f.group(1)] = m.group(1)
    return out


def _run_section(tmp_path: Path, code: str, section: str):
    doc = DOCS[code]
    materialize(tmp_path, doc.example_files(section), _fence_info(doc.sections[section]))
    return lint(tmp_path, select=[code])


@pytest.mark.parametrize("code", sorted(DOCS))
def test_example_triggers_rule(tmp_path, code):
    diags = _run_section(tmp_path, code, "Example")
    assert code in codes(diags), f"{code}: Example did not trigger it; got {codes(diags)}"


@pytest.mark.parametrize("code", sorted(DOCS))
def test_use_instead_is_clean(tmp_path, code):
    diags = _run_section(tmp_path, code, "Use instead")
    assert code not in codes(diags), [d.message for d in diags if d.code == code]


def test_all_codes_sorted_and_grouped():
    cs = all_codes()
    assert cs == sorted(cs)


@pytest.mark.parametrize("code", sorted(DOCS))
def test_documented_fix_availability_matches_the_example(tmp_path, code):
    """`fixable:` in the doc is what the rule offers on its own Example."""
    diags = [d for d in _run_section(tmp_path, code, "Example") if d.code == code]
    kinds = {d.fix.applicability.value for d in diags if d.fix is not None}
    expected = DOCS[code].fixable
    if expected == "none":
        assert not kinds, f"{code}: doc says no fix, Example offers {kinds}"
    else:
        assert expected in kinds, f"{code}: doc says {expected} fix, Example offers {kinds or 'none'}"


def test_static_index_maps_every_documented_rule_to_its_module():
    # A run imports only the modules this text index names for the selected rules.
    from clawlint.registry import _static_index

    modules, engine = _static_index()
    assert set(modules) | engine | ENGINE_CODES == set(DOCS)


def test_rule_page_index_cache_keeps_only_recent_copies(tmp_path, monkeypatch):
    import os

    from clawlint import ruledocs

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "clawlint"
    folder.mkdir()
    for i in range(12):  # indexes left by earlier versions
        p = folder / f"ruledocs-old{i:02d}.json"
        p.write_text("{}")
        os.utime(p, (1_000_000 + i, 1_000_000 + i))
    ruledocs.load_all.cache_clear()
    try:
        docs = ruledocs.load_all()
    finally:
        ruledocs.load_all.cache_clear()
    assert "CV001" in docs
    left = sorted(p.name for p in folder.glob("ruledocs-*.json"))
    assert len(left) == ruledocs.KEEP_INDEXES
    assert [n for n in left if n.startswith("ruledocs-old")] == [
        f"ruledocs-old{i:02d}.json" for i in range(5, 12)]  # the oldest went first
