"""Workspace rules with declared inputs (Rule.inputs) reuse a cached result while those files
are unchanged, even when other files changed. A declaration that misses a file the rule
depends on would replay stale findings, so every declaration is checked two ways:

- while the rule runs, it touches the content of no file outside its inputs;
- changing, deleting or adding a file outside its inputs (keeping the key) never changes its
  findings.
"""

from __future__ import annotations

import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import lint, materialize, write_files

from clawlint.config import Settings
from clawlint.engine import _config_files, scoped_inputs
from clawlint.registry import Context, iter_rules, load_rules
from clawlint.ruledocs import load_all
from clawlint.workspace import SourceFile, Workspace

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

load_rules()
SCOPED = sorted(r.code for r in iter_rules(set(load_all())) if r.inputs is not None)
# What a rule can learn about a file besides its name and kind.
CONTENT = frozenset({
    "text", "readable", "sha256", "src", "frontmatter", "markdown", "may_have_directives",
    "size", "problem", "_text", "_load", "path", "abspath", "stat_full", "is_symlink",
})

ADDED = {
    "TOOLS.md": "# Tools\n\nUse rsync for backups; never rm -rf.\n",
    "HEARTBEAT.md": "# Heartbeat\n\n- check the backup log\n",
    "memory/cards/added-card.md": (
        "---\ntopic: Backup drill\ncategory: ops\ntags: [backup, restic]\ncreated: 2026-01-02\n"
        "updated: 2026-01-02\n---\n\nRestic nightly snapshot at 02:00, keep 7 daily.\n"),
    "memory/2026-10-01.md": "# 2026-10-01\n\n- Restic nightly snapshot at 02:00, keep 7 daily.\n",
    "memory/projects/notes.md": "# Notes\n\nRestic nightly snapshot at 02:00, keep 7 daily.\n",
    "skills/added/SKILL.md": "---\nname: added\ndescription: Adds things.\n---\n\nDo it.\n",
    "notes/elsewhere.md": "# Elsewhere\n\nLast updated: 2026-11-22 10:00\n",
}


def test_the_heavy_workspace_rules_declare_inputs():
    assert {"DUP001", "DUP002", "DUP003", "MEM001", "MEM002", "MEM004", "MEM005"} <= set(SCOPED)


def _rule(code: str):
    return next(iter(iter_rules({code})))


def _workspace(root: Path) -> Workspace:
    return Workspace(root, Settings(no_cache=True, embeddings="lexical"), None)


def _key(code: str, root: Path) -> tuple[str | None, set[str]]:
    """The rule's scoped cache key and what it covers: its declared inputs and the OpenClaw
    config files (openclaw.json and its includes key every cached result)."""
    ws = _workspace(root)
    rule = _rule(code)
    assert rule.inputs is not None
    config = {f.rel for f in ws.files.values()
              if any(os.path.samefile(f.abspath, c) for c in _config_files(ws) if os.path.exists(c))}
    files = {f.rel for f in rule.inputs(ws) if not isinstance(f, str)}
    return scoped_inputs(ws, rule), files | config


@contextmanager
def _touched():
    """Names of the files whose content is read inside the block."""
    seen: set[str] = set()

    def getattribute(self: SourceFile, name: str):
        if name in CONTENT:
            seen.add(object.__getattribute__(self, "rel"))
        return object.__getattribute__(self, name)

    SourceFile.__getattribute__ = getattribute  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        del SourceFile.__getattribute__


def _findings(code: str, root: Path, track: bool = False):
    ws = _workspace(root)
    rule = _rule(code)
    ctx = Context(rule, ws, ws.settings.options_for(code, rule.doc.options))
    from clawlint.memory_support import pinned_today

    with pinned_today():
        if not track:
            out = list(rule.func(ctx))
            touched: set[str] = set()
        else:
            with _touched() as touched:
                out = list(rule.func(ctx))
                touched = set(touched)
    return sorted((d.path, d.line, d.column, d.message) for d in out), touched


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*")
                  if p.is_file() and ".clawlint_cache" not in p.parts and not p.is_symlink())


def _check_root(code: str, root: Path) -> None:
    key, inputs = _key(code, root)
    assert key is not None
    base, touched = _findings(code, root, track=True)
    outside = touched - inputs
    assert not outside, f"{code} read {sorted(outside)}, outside its declared inputs"
    for p in _files(root):
        rel = p.relative_to(root).as_posix()
        if rel in inputs:
            continue
        saved = p.read_bytes()
        try:
            for changed in (saved + b"\nLast updated: 2026-11-22 09:00\nnew line\n", b""):
                p.write_bytes(changed)
                if _key(code, root)[0] == key:
                    got = _findings(code, root)[0]
                    assert got == base, f"{code}: editing {rel} (not an input) changed its findings"
            p.unlink()
            if _key(code, root)[0] == key:
                assert _findings(code, root)[0] == base, f"{code}: deleting {rel} changed them"
        finally:
            p.write_bytes(saved)
    for rel, text in ADDED.items():
        p = root / rel
        if p.exists():
            continue
        write_files(root, {rel: text})
        try:
            if _key(code, root)[0] == key:
                assert _findings(code, root)[0] == base, f"{code}: adding {rel} changed them"
        finally:
            p.unlink()


@pytest.fixture(scope="module")
def example_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("example") / "ws"
    shutil.copytree(REPO / "examples" / "workspace", root,
                    ignore=shutil.ignore_patterns(".clawlint_cache"))
    return root


@pytest.fixture(scope="module")
def generated_root(tmp_path_factory) -> Path:
    from bench import generate

    root = tmp_path_factory.mktemp("generated")
    generate(root, 12, seed=11)
    return root


@pytest.mark.parametrize("code", SCOPED)
def test_declared_inputs_hold_on_the_example_workspace(code, example_root):
    _check_root(code, example_root)


@pytest.mark.parametrize("code", SCOPED)
def test_declared_inputs_hold_on_a_generated_workspace(code, generated_root):
    _check_root(code, generated_root)


# Dependencies the other workspaces do not exercise: files the bootstrap-extra-files hook
# adds to the prompt (any kind, chosen by globs), and a first run with no memory/ at all.
SPECIAL = {
    "extra-files": {
        "openclaw.json": (
            '{ hooks: { internal: { enabled: true, entries: { "bootstrap-extra-files": '
            '{ enabled: true, paths: ["packages/*/AGENTS.md", "notes/MEMORY.md"] } } } } }\n'),
        "AGENTS.md": "# Agents\n\nRead SOUL.md first.\n",
        "packages/api/AGENTS.md": "# API\n\nLast updated: 2026-11-21 14:02 by the agent\n",
        "packages/web/AGENTS.md": "# Web\n\nRun `pnpm dev` on port 5173.\n",
        "notes/MEMORY.md": "# Notes\n\nSession id: 7f3c9a2e-1b4d-4c8e-9f00-123456789abc\n",
        "memory/cards/x.md": ("---\ntopic: X\ncategory: ops\ntags: [x]\ncreated: 2026-01-01\n"
                              "updated: 2026-01-01\n---\n\nText.\n"),
    },
    "first-run": {
        "AGENTS.md": "# Agents\n\nRead SOUL.md first.\n",
        "BOOTSTRAP.md": ("# BOOTSTRAP.md - Hello, World\n\n_You just woke up. Time to figure out "
                         "who you are._\n"),
    },
}


@pytest.mark.parametrize("code", SCOPED)
@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_declared_inputs_hold_on_special_workspaces(code, name, tmp_path):
    write_files(tmp_path, SPECIAL[name])
    _check_root(code, tmp_path)


def test_special_workspaces_exercise_what_they_are_for(tmp_path):
    """The extra file's stamp is reported (so editing it must re-run CV001), and the first-run
    workspace has a stock BOOTSTRAP.md that BS007 reports only once memory/ appears."""
    a = tmp_path / "a"
    write_files(a, SPECIAL["extra-files"])
    assert any(d.path == "packages/api/AGENTS.md" for d in lint(a, select=["CV001"]))
    b = tmp_path / "b"
    write_files(b, SPECIAL["first-run"])
    before = [d.code for d in lint(b, select=["BS007"])]
    write_files(b, {"memory/2026-11-01.md": "# 2026-11-01\n\n- set up\n"})
    assert before == [] and [d.code for d in lint(b, select=["BS007"])] == ["BS007"]


@pytest.mark.parametrize("code", SCOPED)
@pytest.mark.parametrize("section", ["Example", "Use instead"])
def test_declared_inputs_hold_on_the_rule_doc_examples(code, section, tmp_path):
    import re

    doc = load_all()[code]
    info = {}
    for m in re.finditer(r"^(?:```+|~~~+)([^\n]*)$", doc.sections[section], re.M):
        if f := re.search(r"\bfile=(\S+)", m.group(1)):
            info[f.group(1)] = m.group(1)
    materialize(tmp_path, doc.example_files(section), info)
    _check_root(code, tmp_path)


def test_a_scoped_result_survives_an_edit_elsewhere_and_not_one_of_its_inputs(tmp_path):
    """End to end through the result cache: editing AGENTS.md keeps MEM001's cached result
    (its marker survives); editing MEMORY.md re-runs it."""
    from clawlint.engine import RunOptions, lint_workspace

    write_files(tmp_path, {
        "AGENTS.md": "# Agents\n\nBe brief.\n",
        "MEMORY.md": "# Memory\n\n" + "- a durable pointer to a card in memory/cards\n" * 120,
    })

    def run() -> list[str]:
        ws = Workspace(tmp_path, Settings(embeddings="lexical"), None)
        res = lint_workspace(ws, RunOptions(active={"MEM001", "CV001"}))
        return [d.message for d in res.diagnostics if d.code == "MEM001"]

    first = run()
    assert first
    import json

    cache_file = next((tmp_path / ".clawlint_cache").rglob("*.json"))
    cache_file = next(p for p in (tmp_path / ".clawlint_cache").rglob("*.json")
                      if "scoped" in json.loads(p.read_text()))
    data = json.loads(cache_file.read_text())
    data["scoped"]["MEM001"]["diags"][0]["message"] = "MARKER"
    cache_file.write_text(json.dumps(data))
    (tmp_path / "AGENTS.md").write_text("# Agents\n\nBe brief. Be kind.\n")
    assert run() == ["MARKER"]  # served from the cache: AGENTS.md is not an input
    (tmp_path / "MEMORY.md").write_text("# Memory\n\n" + "- pointer\n" * 400)
    again = run()
    assert again and again != ["MARKER"]
    assert lint(tmp_path, select=["MEM001"])


# ---- end to end: a cached run after an edit equals a fresh run ------------------------------
# Cases found by a review of the declarations: files that cannot be read as text still count
# (they are injected as markers, reported, or tested for existence), and rules that look at the
# disk must not be keyed by the workspace's file list alone.

def _base(root: Path) -> None:
    write_files(root, {
        "AGENTS.md": "# AGENTS.md\nYou are Juno.\n", "SOUL.md": "# SOUL.md\nBe kind.\n",
        "USER.md": "# USER.md\n- Name: Sam\n", "IDENTITY.md": "# IDENTITY.md\n- Name: Juno\n",
        "MEMORY.md": "# MEMORY.md\n- Sam prefers short answers.\n",
        "memory/2026-11-19.md": "# 2026-11-19\n- Set up restic.\n",
        "hooks/greet/HOOK.md": ('---\nname: greet\ndescription: Greets.\nmetadata: {"openclaw": '
                                '{"events": ["command:new"]}}\n---\n'),
        "hooks/greet/handler.ts": "export default async function h() {}\n",
        "openclaw.json": '{ agents: { defaults: { workspace: "~/.openclaw/workspace" } } }\n',
    })


def _b(root: Path, rel: str, data: bytes) -> None:
    write_files(root, {rel: data})


def _outside_link(root: Path) -> None:
    notes = root.parent / f"{root.name}-notes"
    notes.mkdir()
    (root / "MEMORY.md").rename(notes / "MEMORY.md")
    (root / "MEMORY.md").symlink_to(notes / "MEMORY.md")


def _rm(rel: str):
    return lambda root: (root / rel).unlink()


STALE_CASES = {
    "binary file added to memory/": (
        lambda r: None, lambda r: _b(r, "memory/scan.pdf", b"%PDF-1.4\n\x00\x01")),
    "oversized old log archived": (
        lambda r: _b(r, "memory/2026-01-05.md", b"# log\n" + (b"x" * 100 + b"\n") * 22000),
        lambda r: (r / "memory/2026-01-05.md").rename(r.parent / f"{r.name}-2026-01-05.md")),
    "non-UTF-8 AGENTS.md grows": (
        lambda r: (_b(r, "openclaw.json", b"{ agents: { defaults: { bootstrapMaxChars: 4000 } } }\n"),
                   _b(r, "AGENTS.md", b"# AGENTS.md\nCaf\xe9 rules.\n")),
        lambda r: _b(r, "AGENTS.md", b"# AGENTS.md\nCaf\xe9 rules.\n"
                     + b"- always double-check the backup logs.\n" * 90)),
    "non-UTF-8 AGENTS.md deleted": (
        lambda r: _b(r, "AGENTS.md", b"# AGENTS.md\nCaf\xe9 rules.\n"), _rm("AGENTS.md")),
    "MEMORY.md link outside removed": (_outside_link, _rm("MEMORY.md")),
    "binary handler deleted": (
        lambda r: _b(r, "hooks/greet/handler.ts", b"export default async function h() {}\n\x00"),
        _rm("hooks/greet/handler.ts")),
    "non-UTF-8 HOOK.md deleted": (
        lambda r: _b(r, "hooks/greet/HOOK.md", b'---\nname: greet\ndescription: Gr\xfc\xdft.\n'
                     b'metadata: {"openclaw": {"events": ["command:new"]}}\n---\n'),
        _rm("hooks/greet/HOOK.md")),
    "non-UTF-8 original of a backup deleted": (
        lambda r: (_b(r, "memory/notes.md", b"# notes\n\xe9\n"),
                   _b(r, "memory/notes-old.md", b"# old notes\n")),
        _rm("memory/notes.md")),
    "non-UTF-8 rename target deleted": (
        lambda r: (_b(r, "memory/2026-03-06.md", b"# 2026-03-06\n\xe9t\xe9\n"),
                   _b(r, "memory/2026-3-6.md", b"# notes\n")),
        _rm("memory/2026-03-06.md")),
    "cp1252 TOOLS.md deleted": (
        lambda r: _b(r, "TOOLS.md", b"# TOOLS.md\n- NAS \x96 nas.local\n"), _rm("TOOLS.md")),
    "excluded handler deleted": (
        lambda r: _b(r, ".clawlint.toml", b'exclude = ["hooks/*/handler.ts"]\n'),
        _rm("hooks/greet/handler.ts")),
    "oversized bootstrap file resized": (
        lambda r: _b(r, "TOOLS.md", b"# T\n" + b"y" * (2 * 1024 * 1024 + 10)),
        lambda r: _b(r, "TOOLS.md", b"# T\n" + b"y" * (3 * 1024 * 1024))),
    "non-UTF-8 $include edited": (
        lambda r: (_b(r, "openclaw.json", b'{ $include: "extra.json5" }\n'),
                   _b(r, "extra.json5", b'{ agents: { defaults: { x: "\xe9" } } }\n')),
        lambda r: _b(r, "extra.json5", b'{ agents: {\n defaults: { x: "\xe9\xe9" } } }\n')),
    "link in an outside target's path retargeted": (
        lambda r: (_b(r.parent, "out/d1/a.md", b"# a\n"), _b(r.parent, "out/d2/a.md", b"# b\n"),
                   (r.parent / "out" / "link").symlink_to("d1"),
                   (r / "TOOLS.md").symlink_to(r.parent / "out" / "link" / "a.md")),
        lambda r: ((r.parent / "out" / "link").unlink(),
                   (r.parent / "out" / "link").symlink_to("d2"))),
    "file appears behind a folder link": (
        lambda r: (_b(r, "MEMORY.md", b"# MEMORY.md\n\n- Backups: docs/backup.md\n"),
                   (r.parent / "outdocs").mkdir(), (r / "docs").symlink_to(r.parent / "outdocs")),
        lambda r: _b(r.parent, "outdocs/backup.md", b"# backup\n")),
    "escaping symlink retargeted": (
        lambda r: (_b(r.parent, f"{r.name}-a.md", b"# a\n"), _b(r.parent, f"{r.name}-b.md", b"# b\n"),
                   (r / "TOOLS.md").symlink_to(r.parent / f"{r.name}-a.md")),
        lambda r: ((r / "TOOLS.md").unlink(), (r / "TOOLS.md").symlink_to(r.parent / f"{r.name}-b.md"))),
}


@pytest.mark.parametrize("case", sorted(STALE_CASES))
def test_cached_run_after_an_edit_equals_a_fresh_run(case, tmp_path, monkeypatch):
    from clawlint.config import load_settings
    from clawlint.engine import RunOptions, lint_workspace
    from clawlint.registry import resolve_selection

    monkeypatch.setenv("CLAWLINT_TODAY", "2026-11-20")
    root = tmp_path / "ws"
    _base(root)
    setup, edit = STALE_CASES[case]
    setup(root)

    def run(no_cache: bool) -> list[tuple]:
        s = load_settings(root, None)
        s.embeddings, s.no_cache = "lexical", no_cache
        res = lint_workspace(Workspace(root, s, None), RunOptions(active=resolve_selection(s, ["ALL"])))
        assert not res.internal_errors
        return sorted((d.code, d.path, d.line, d.message) for d in res.diagnostics)

    run(False)  # fills the cache
    edit(root)
    assert run(False) == run(True)
