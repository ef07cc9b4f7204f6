"""The result cache: changed files are re-linted, unchanged ones are not, settings invalidate."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clawlint import registry
from clawlint.config import Settings
from clawlint.engine import RunOptions, lint_workspace
from clawlint.registry import resolve_selection
from clawlint.workspace import Workspace

BAD = "---\ntopic: A: b\n---\nx\n"


@pytest.fixture
def calls(monkeypatch):
    """Count how often PAR007 (per-file) and PAR001 (workspace) really run."""
    registry.load_rules()
    seen: list[str] = []
    per_file = registry._RULES["PAR007"]
    workspace = registry._RULES["PAR001"]
    orig_pf, orig_ws = per_file.func, workspace.func

    def pf(ctx, f):
        seen.append(f"PAR007:{f.rel}")
        return orig_pf(ctx, f)

    def wsr(ctx):
        seen.append("PAR001")
        return orig_ws(ctx)

    monkeypatch.setattr(per_file, "func", pf)
    monkeypatch.setattr(workspace, "func", wsr)
    return seen


def run(root: Path, settings: Settings | None = None):
    s = settings or Settings()
    active = resolve_selection(s, ["PAR001", "PAR007"])
    return lint_workspace(Workspace(root, s), RunOptions(active)).diagnostics


def test_cache_hits_and_invalidation(ws, calls):
    root = ws({"AGENTS.md": "# A\n", "memory/cards/a.md": BAD, "memory/cards/b.md": "# ok\n"})
    first = run(root)
    assert sorted(calls) == ["PAR001", "PAR007:AGENTS.md", "PAR007:memory/cards/a.md",
                             "PAR007:memory/cards/b.md"]
    assert (root / ".clawlint_cache" / "CACHEDIR.TAG").is_file()
    assert (root / ".clawlint_cache" / ".gitignore").read_text().strip().endswith("*")

    calls.clear()
    second = run(root)
    assert calls == []  # nothing changed: everything from the cache
    assert [d.to_dict() for d in second] == [d.to_dict() for d in first]

    calls.clear()
    (root / "memory/cards/b.md").write_text(BAD)
    third = run(root)
    # Only the changed file is re-checked by the per-file rule; the cross-file rule reruns.
    assert sorted(calls) == ["PAR001", "PAR007:memory/cards/b.md"]
    assert [d.path for d in third] == ["memory/cards/a.md", "memory/cards/b.md"]

    calls.clear()
    run(root, Settings(severity={"PAR": "info"}))  # a settings change invalidates everything
    assert len(calls) == 4


def test_no_cache_bypasses(ws, calls):
    root = ws({"AGENTS.md": "# A\n"})
    run(root, Settings(no_cache=True))
    run(root, Settings(no_cache=True))
    assert calls.count("PAR001") == 2
    assert not (root / ".clawlint_cache").exists()


def test_corrupt_cache_is_ignored(ws, calls):
    root = ws({"AGENTS.md": "# A\n", "memory/cards/a.md": BAD})
    run(root)
    for p in (root / ".clawlint_cache").rglob("*.json"):
        p.write_text("{not json")
    calls.clear()
    assert [d.code for d in run(root)] == ["PAR007"]
    assert calls  # recomputed


def test_cache_dir_is_not_linted(ws):
    root = ws({"AGENTS.md": "# A\n"})
    run(root)
    ws_obj = Workspace(root, Settings())
    assert not any(rel.startswith(".clawlint_cache") for rel in ws_obj.files)


# ---- precise cacheability: what the formerly uncached rules depend on is in the key ----------
@pytest.fixture
def counting(monkeypatch):
    """counting(code) -> list that grows each time that rule's check really runs."""
    registry.load_rules()

    def make(code: str) -> list[str]:
        seen: list[str] = []
        r = registry._RULES[code]
        orig = r.func

        def wrapped(ctx, *f):
            seen.append(f[0].rel if f else code)
            return orig(ctx, *f)

        monkeypatch.setattr(r, "func", wrapped)
        return seen

    return make


@pytest.fixture
def clean_env(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    for var in ("OPENCLAW_STATE_DIR", "OPENCLAW_PROFILE", "OPENCLAW_INCLUDE_ROOTS",
                "VOYAGE_API_KEY", "OPENAI_API_KEY", "MY_URL"):
        monkeypatch.delenv(var, raising=False)


def lint_codes(root: Path, select: list[str], settings: Settings | None = None) -> list[str]:
    s = settings or Settings()
    result = lint_workspace(Workspace(root, s), RunOptions(resolve_selection(s, select)))
    assert not result.internal_errors
    return [d.code for d in result.diagnostics]


def test_env_presence_invalidates_config_rules(ws, counting, clean_env, monkeypatch):
    root = ws({"AGENTS.md": "# A\n", "openclaw.json": "{memory: {search: {provider: 'voyage'}}}"})
    seen = counting("MS005")
    assert lint_codes(root, ["MS005"]) == ["MS005"]
    assert lint_codes(root, ["MS005"]) == ["MS005"]
    assert len(seen) == 1  # cached: nothing changed
    monkeypatch.setenv("VOYAGE_API_KEY", "k")
    assert lint_codes(root, ["MS005"]) == []
    assert len(seen) == 2
    monkeypatch.setenv("VOYAGE_API_KEY", "another value")  # presence, not value, is the input
    assert lint_codes(root, ["MS005"]) == []
    assert len(seen) == 2


def test_referenced_env_var_invalidates(ws, counting, clean_env, monkeypatch):
    root = ws({"AGENTS.md": "# A\n", "openclaw.json": "{gateway: {token: '${MY_URL}'}}"})
    seen = counting("CFG002")
    assert lint_codes(root, ["CFG002"]) == ["CFG002"]
    assert lint_codes(root, ["CFG002"]) == ["CFG002"]
    assert len(seen) == 1
    monkeypatch.setenv("MY_URL", "x")
    assert lint_codes(root, ["CFG002"]) == []
    assert len(seen) == 2


def test_new_link_target_invalidates_mem003(ws, counting):
    root = ws({"MEMORY.md": "# Memory\n\n- See [notes](docs/notes.txt)\n"})
    seen = counting("MEM003")
    assert lint_codes(root, ["MEM003"]) == ["MEM003"]
    assert lint_codes(root, ["MEM003"]) == ["MEM003"]
    assert len(seen) == 1
    # docs/notes.txt is not a file clawlint classifies, but it is in the path listing.
    (root / "docs").mkdir()
    (root / "docs" / "notes.txt").write_text("x\n")
    assert lint_codes(root, ["MEM003"]) == []
    assert len(seen) == 2


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_config_mode_invalidates_cfg012(ws, counting, clean_env):
    root = ws({"AGENTS.md": "# A\n", "openclaw.json": "{gateway: {port: 1}}"})
    os.chmod(root / "openclaw.json", 0o600)
    seen = counting("CFG012")
    assert lint_codes(root, ["CFG012"]) == []
    assert lint_codes(root, ["CFG012"]) == []
    assert len(seen) == 1
    os.chmod(root / "openclaw.json", 0o666)
    assert lint_codes(root, ["CFG012"]) == ["CFG012"]
    assert len(seen) == 2


def test_crd006_cached_unless_custom_schema(ws, counting, tmp_path):
    card = "---\ntopic: t\ncategory: c\ntags: [a]\ncreated: 2026-01-01\nupdated: 2026-01-02\n---\n# t\n"
    root = ws({"AGENTS.md": "# A\n", "memory/cards/a.md": card})
    seen = counting("CRD006")
    lint_codes(root, ["CRD006"])
    lint_codes(root, ["CRD006"])
    assert seen == ["memory/cards/a.md"]
    schema = tmp_path / "schema.json"
    schema.write_text('{"type": "object", "required": ["owner"]}')
    custom = Settings(rules={"CRD006": {"schema": str(schema)}})
    assert lint_codes(root, ["CRD006"], custom) == ["CRD006"]
    assert lint_codes(root, ["CRD006"], custom) == ["CRD006"]
    assert len(seen) == 3  # a schema file the cache cannot see: always re-run


# ---- whole-run fast path ---------------------------------------------------------------------
def test_fast_path_reuses_results_and_still_applies_suppressions(ws, calls):
    suppressed = "---\ntopic: A: b  # clawlint-disable-line PAR007 reason\n---\nx\n"
    root = ws({"AGENTS.md": "# A\n", "memory/cards/a.md": BAD, "memory/cards/s.md": suppressed})
    first = run(root)
    assert [(d.code, d.path) for d in first] == [("PAR007", "memory/cards/a.md")]
    record = next((root / ".clawlint_cache").rglob("*.run.json"))
    assert "PAR007" in record.read_text()
    calls.clear()
    second = run(root)
    assert calls == []
    assert [d.to_dict() for d in second] == [d.to_dict() for d in first]
    # A target subset is filtered after the fast path, like on a normal run.
    s = Settings()
    only = lint_workspace(Workspace(root, s, ["memory/cards/s.md"]),
                          RunOptions(resolve_selection(s, ["PAR001", "PAR007"]))).diagnostics
    assert only == [] and calls == []


def test_fast_path_still_runs_uncacheable_rules(ws, calls, monkeypatch):
    # Like DUP002/DUP003 (embedding servers): never cached, so they run on every warm run too.
    monkeypatch.setattr(registry._RULES["PAR001"], "cache", False)
    root = ws({"AGENTS.md": "# A\n", "memory/cards/a.md": BAD})
    run(root)
    calls.clear()
    assert [d.code for d in run(root)] == ["PAR007"]
    assert calls == ["PAR001"]


def test_fast_path_rule_error_is_not_recorded(ws, monkeypatch):
    root = ws({"AGENTS.md": "# A\n", "memory/cards/a.md": BAD})
    registry.load_rules()
    rule = registry._RULES["PAR007"]
    orig = rule.func

    def boom(ctx, f):
        raise RuntimeError("bug")

    monkeypatch.setattr(rule, "func", boom)
    s = Settings()
    opts = RunOptions(resolve_selection(s, ["PAR007"]))
    assert lint_workspace(Workspace(root, s), opts).internal_errors
    monkeypatch.setattr(rule, "func", orig)
    result = lint_workspace(Workspace(root, s), opts)
    assert [d.code for d in result.diagnostics] == ["PAR007"]


def test_warm_run_imports_no_check_module(ws):
    import subprocess
    import sys

    root = ws({"AGENTS.md": "# A\n", "MEMORY.md": "# M\n- [a](memory/cards/a.md)\n",
               "memory/cards/a.md": BAD})
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from clawlint.config import Settings\n"
        "from clawlint.engine import RunOptions, lint_workspace\n"
        "from clawlint.registry import resolve_selection\n"
        "from clawlint.workspace import Workspace\n"
        "s = Settings()\n"
        "r = lint_workspace(Workspace(Path(sys.argv[1]), s), RunOptions(resolve_selection(s)))\n"
        "mods = sorted(m for m in sys.modules if m.startswith('clawlint.checks.'))\n"
        "print(len(r.diagnostics), ','.join(mods))\n"
    )
    repo = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": repo}

    def once() -> tuple[str, str]:
        out = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True,
                             text=True, env=env, check=True).stdout.split()
        return out[0], out[1] if len(out) > 1 else ""

    cold_n, cold_mods = once()
    assert "clawlint.checks.cards" in cold_mods
    warm_n, warm_mods = once()
    assert warm_n == cold_n
    # Only modules of rules that are never cached (duplicates: embedding servers) are imported.
    assert "clawlint.checks.cards" not in warm_mods
    assert "clawlint.checks.parse" not in warm_mods


def _age(root: Path, seconds: int = 600) -> None:
    import os
    import time

    old = time.time() - seconds
    for p in root.rglob("*"):
        if p.is_file() and ".clawlint_cache" not in p.parts:
            os.utime(p, (old, old))


def _count_loads(monkeypatch) -> list[str]:
    from clawlint.workspace import SourceFile

    loads: list[str] = []
    orig = SourceFile._load

    def counting(self):
        if not self._loaded:
            loads.append(self.rel)
        return orig(self)

    monkeypatch.setattr(SourceFile, "_load", counting)
    return loads


def test_stat_cache_skips_reading_unchanged_files(ws, monkeypatch):
    root = ws({"AGENTS.md": "# A\n", "memory/cards/a.md": "# ok\n", "memory/cards/b.md": "# ok\n"})
    _age(root)
    run(root)
    loads = _count_loads(monkeypatch)
    assert [d.code for d in run(root)] == []
    assert loads == []  # hashes came from the stat cache, results from the result cache
    (root / "memory/cards/b.md").write_text(BAD)  # new content, new mtime
    assert [d.path for d in run(root)] == ["memory/cards/b.md"]
    assert "memory/cards/b.md" in loads  # (cross-file rules may read the others again)


def test_stat_cache_never_trusts_racy_files(ws, monkeypatch):
    # Files written just now (mtime within 2 s of the recording run) are always re-read.
    root = ws({"AGENTS.md": "# A\n", "memory/cards/a.md": "# ok\n"})
    run(root)
    loads = _count_loads(monkeypatch)
    run(root)
    assert sorted(loads) == ["AGENTS.md", "memory/cards/a.md"]


def test_warm_run_still_reports_unused_suppressions(ws, monkeypatch):
    root = ws({"AGENTS.md": "# A\n<!-- clawlint-disable-next-line PAR007 -->\nx\n",
               "memory/cards/a.md": "# ok\n"})
    _age(root)
    s = Settings()
    active = resolve_selection(s, ["PAR007", "SUP"])
    first = lint_workspace(Workspace(root, s), RunOptions(active)).diagnostics
    loads = _count_loads(monkeypatch)
    second = lint_workspace(Workspace(root, s), RunOptions(active)).diagnostics
    assert [d.code for d in first] == [d.code for d in second] == ["SUP001"]
    assert loads == ["AGENTS.md"]  # the clean card is known to hold no directive: not read


def test_stat_cache_notices_a_same_size_same_mtime_edit(ws):
    # `cp -p` / `touch -r`: size, mtime and inode unchanged; only ctime tells.
    import time as _time

    from helpers import codes, lint

    root = ws({"MEMORY.md": "# M\n", "memory/cards/ssh.md":
               "---\ntopic: ssh\ncategory: ops\ntags: #ssh #keys\ncreated: 2026-10-01\n"
               "updated: 2026-10-02\n---\n# ssh\n"})
    card = root / "memory/cards/ssh.md"
    old = _time.time() - 3600
    os.utime(card, (old, old))
    assert "CRD004" in codes(lint(root))
    assert "CRD004" in codes(lint(root))  # now trusted from the stat cache
    card.write_text(card.read_text().replace("tags: #ssh #keys", "tags: [ssh, kes]"))
    os.utime(card, (old, old))
    assert "CRD004" not in codes(lint(root))


def test_an_edit_run_reads_only_the_changed_files(tmp_path, monkeypatch):
    """The stat cache vouches for unchanged files: neither their content hash nor their read
    problems (PAR001-006) need a read. Only the edited file is read again."""
    from helpers import write_files

    from clawlint.config import Settings
    from clawlint.engine import RunOptions, lint_workspace
    from clawlint.registry import resolve_selection
    from clawlint.workspace import Workspace

    files = {"AGENTS.md": "# A\n\nBe brief.\n", "SOUL.md": "# S\n\nCalm.\n"}
    files.update({f"memory/cards/c{i}.md": f"---\ntopic: T{i}\ncategory: c\ntags: [t{i}]\n"
                  f"created: 2026-11-01\nupdated: 2026-11-01\n---\n\nBody {i}.\n" for i in range(20)})
    write_files(tmp_path, files)
    _age(tmp_path, 3600)
    settings = Settings(embeddings="lexical")
    active = resolve_selection(settings, ["PAR", "SEC", "CRD004", "CRD009"])  # not CRD013: it reads every card
    lint_workspace(Workspace(tmp_path, settings, None), RunOptions(active=active))
    (tmp_path / "memory/cards/c3.md").write_text(files["memory/cards/c3.md"] + "More.\n")
    read = _count_loads(monkeypatch)
    lint_workspace(Workspace(tmp_path, settings, None), RunOptions(active=active))
    assert read == ["memory/cards/c3.md"]


def test_a_memory_file_rewritten_with_its_old_size_and_mtime_is_a_new_input(tmp_path, monkeypatch):
    """Files under memory/ that are not Markdown are keyed by their stat (only the secret scans
    read them): ctime and inode count too, so a same-size rewrite that restores the mtime
    (`cp -p`, `touch -r`) is not served its old findings; and the stat is kept as the file's
    before-read stat, so a replay record is refused when the file changes after the read."""
    import time

    from clawlint import replay
    from clawlint.engine import _file_token
    from clawlint.workspace import Kind

    root = tmp_path / "ws"
    (root / "memory").mkdir(parents=True)
    (root / "AGENTS.md").write_text("# Agents\n")
    note = root / "memory" / "notes.txt"
    note.write_text("token ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n")
    old = time.time() - 3600
    os.utime(note, (old, old))

    def token() -> tuple[str, object]:
        ws = Workspace(root, Settings())
        (f,) = [f for f in ws.files.values() if f.kind is Kind.MEMORY_NON_MD]
        return _file_token(f), f

    first, f = token()
    assert f.stat_full is not None
    monkeypatch.setattr(replay, "code_files", lambda: [])
    monkeypatch.setattr(replay, "started_ns", time.time_ns())
    dep = [("st", os.path.abspath(f.abspath), f.stat_full)]
    assert replay._record(dep, [], 0) is not None  # unchanged: recordable
    time.sleep(0.01)
    note.write_text("token xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n")  # same size, no secret
    os.utime(note, (old, old))
    second, _ = token()
    assert second != first
    assert replay._record(dep, [], 0) is None  # changed after its read: not recorded
