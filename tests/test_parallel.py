"""The forked child for heavy rules (clawlint/parallel.py) changes speed, never findings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from clawlint import parallel
from clawlint.config import Settings
from clawlint.engine import RunOptions, lint_workspace
from clawlint.registry import resolve_selection
from clawlint.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent
needs_fork = pytest.mark.skipif(not parallel.usable(), reason="fork with two CPUs not available")


def run(root: Path, monkeypatch, jobs: str | None, no_cache: bool = True) -> list[tuple]:
    if jobs is None:
        monkeypatch.delenv("CLAWLINT_JOBS", raising=False)
    else:
        monkeypatch.setenv("CLAWLINT_JOBS", jobs)
    settings = Settings()
    settings.no_cache = no_cache
    settings.embeddings = "lexical"
    active = resolve_selection(settings, ["ALL"])
    result = lint_workspace(Workspace(root, settings), RunOptions(active=active))
    assert not result.internal_errors
    return [(d.code, d.path, d.line, d.column, d.message, d.severity) for d in result.diagnostics]


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(REPO / "examples" / "workspace", root,
                    ignore=shutil.ignore_patterns(".clawlint_cache"))
    return root


def test_split_sends_only_heavy_modules_to_the_child():
    light, heavy = parallel.split(["CRD001", "DUP001", "MEM001", "CV001"])
    assert heavy == ["DUP001", "MEM001"] and light == ["CRD001", "CV001"]


def test_big_workspaces_keep_the_duplicate_index_here():
    # Memory: touching every card from a child copies the parent's pages.
    light, heavy = parallel.split(["CRD001", "DUP001", "MEM001", "CV001", "BS001", "SEC001",
                                   "IDX002"], parallel.MAX_FILES + 1)
    assert heavy == ["MEM001", "CV001", "BS001", "SEC001", "IDX002"]
    assert light == ["CRD001", "DUP001"]


@needs_fork
def test_the_child_exits_as_soon_as_it_is_done():
    """Its results are read while this process works: a child blocked on a full pipe would
    keep its memory (tokenizer, copied pages) until the join."""
    import os
    import time

    from clawlint.diagnostics import Diagnostic

    def run_child(codes, cache):
        big = [Diagnostic(code="CRD001", message="x" * 1000, path=f"c{i}.md", line=1, column=1)
               for i in range(500)]  # ~0.5 MB of JSON, far over a pipe's buffer
        return big, [], True

    child = parallel.Child(["CRD001"], None, run_child)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        # WNOWAIT: only look; the join still reaps it.
        if os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            break
        time.sleep(0.02)
    else:
        child.cancel()
        pytest.fail("the child did not exit before the join")
    got = child.join()
    assert got is not None and len(got["diags"]) == 500


def test_jobs_1_turns_it_off(monkeypatch):
    monkeypatch.setenv("CLAWLINT_JOBS", "1")
    assert not parallel.usable()


@needs_fork
def test_same_findings_with_and_without_the_child(example, monkeypatch):
    serial = run(example, monkeypatch, "1")
    forked = run(example, monkeypatch, None)
    assert forked == serial
    assert {"DUP001", "MEM002"} <= {c for c, *_ in forked}  # heavy rules did report


@needs_fork
def test_a_failing_child_is_replaced_by_the_parent(example, monkeypatch):
    serial = run(example, monkeypatch, "1")

    def broken(*_a, **_k):
        raise RuntimeError("child cannot send")

    monkeypatch.setattr(parallel, "diag_to_json", broken)  # only the child sends findings
    assert run(example, monkeypatch, None) == serial


@needs_fork
def test_the_childs_results_reach_the_cache(example, monkeypatch):
    first = run(example, monkeypatch, None, no_cache=False)
    (record,) = (example / ".clawlint_cache").rglob("*.run.json")
    rules = json.loads(record.read_text())["rules"]
    assert {"DUP001", "MEM001", "CRD001"} <= set(rules)  # child and parent rules alike
    assert run(example, monkeypatch, "1", no_cache=False) == first


@needs_fork
def test_no_process_to_spare_runs_everything_here(example, monkeypatch):
    serial = run(example, monkeypatch, "1")

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(parallel.os, "fork", no_fork)
    assert run(example, monkeypatch, None) == serial


@needs_fork
def test_same_findings_with_the_big_workspace_split(example, monkeypatch):
    serial = run(example, monkeypatch, "1")
    monkeypatch.setattr(parallel, "MAX_FILES", 0)  # as if the example were a huge workspace
    assert run(example, monkeypatch, None) == serial


@needs_fork
def test_no_thread_for_the_results_runs_everything_here(example, monkeypatch):
    """A reader thread that cannot start must not crash the run or leave a zombie child."""
    import os
    import threading

    want = run(example, monkeypatch, "1")
    real_start = threading.Thread.start
    children: list[int] = []
    real_fork = os.fork

    def fork():
        pid = real_fork()
        if pid:
            children.append(pid)
        return pid

    def start(self):
        if getattr(self, "_target", None) is not None and "_drain" in repr(self._target):
            raise RuntimeError("can't start new thread")
        return real_start(self)

    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(threading.Thread, "start", start)
    assert run(example, monkeypatch, None) == want
    assert children  # it did fork, then fell back
    for pid in children:  # reaped: waiting again finds no such child
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_a_rule_with_nothing_cached_is_not_imported_to_ask(example, monkeypatch):
    """Before the fork the parent asks which heavy rules the cache serves; with nothing stored
    for a rule (a cold run) it answers without importing it or hashing its inputs (~30 ms:
    the duplicate check's modules and every card's hash), and with a stored result it looks."""
    from clawlint import engine as E
    from clawlint.cache import ResultCache

    cache = ResultCache(example, ".clawlint_cache", "key")
    settings = Settings()
    settings.embeddings = "lexical"  # offline: DUP001's results are cacheable
    ws = Workspace(example, settings)
    asked: list[set[str]] = []
    real = E.iter_rules
    monkeypatch.setattr(E, "iter_rules", lambda codes: asked.append(set(codes)) or real(codes))
    assert not E.scoped_hit("DUP001", ws, cache) and asked == []
    key = E.scoped_inputs(ws, next(iter(real({"DUP001"}))))
    cache.put_scoped(key, "DUP001", [])
    assert E.scoped_hit("DUP001", ws, cache) and asked == [{"DUP001"}]
    cache.put_scoped("other inputs", "DUP001", [])
    assert not E.scoped_hit("DUP001", ws, cache)


def test_card_frontmatter_is_parsed_once_before_the_fork_when_both_sides_read_it(example):
    """The card rules (here) and the duplicate check (child) both read every card's
    frontmatter: it is parsed before the fork, once; otherwise it is left to whoever needs it."""
    from clawlint.workspace import Kind

    def parsed(root: Path, light: list[str], heavy: list[str]) -> list[bool]:
        ws = Workspace(root, Settings())
        parallel.prefetch(ws, light, heavy)
        return ["frontmatter" in vars(f) for f in ws.of_kind(Kind.CARD)]

    both = parsed(example, ["CRD001", "SEC001"], ["DUP001", "MEM001"])
    assert both and all(both)
    assert not any(parsed(example, ["SEC001"], ["DUP001"]))  # no card rule here
    assert not any(parsed(example, ["CRD001"], ["MEM001"]))  # no duplicate check there


@needs_fork
def test_numpy_loads_in_the_child_with_one_blas_thread_and_the_environment_is_restored(
        monkeypatch):
    """An idle OpenBLAS worker spins before it sleeps and takes the other process's core: the
    child imports numpy with the BLAS thread variables at 1, then puts them back, since rules
    read the environment (a config's `${OMP_NUM_THREADS}` must stay unset when it is)."""
    import sys

    monkeypatch.delitem(sys.modules, "numpy", raising=False)  # as before numpy is imported
    for var in parallel.BLAS_THREAD_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "8")
    during: list[dict[str, str | None]] = []

    class Spy:  # sees the environment at numpy's import, then refuses it (nothing loads)
        def find_spec(self, name, path=None, target=None):
            if name == "numpy":
                during.append({v: parallel.os.environ.get(v) for v in parallel.BLAS_THREAD_VARS})
                raise ImportError("spy")
            return None

    monkeypatch.setattr(sys, "meta_path", [Spy(), *sys.meta_path])

    def report(_codes, _cache):
        after = {v: parallel.os.environ.get(v) for v in parallel.BLAS_THREAD_VARS}
        return [], [json.dumps(during), json.dumps(after)], True

    got = parallel.Child(["X"], None, report, numpy_first=lambda: True).join()
    assert got is not None
    seen, after = (json.loads(x) for x in got["errors"])
    assert seen == [dict.fromkeys(parallel.BLAS_THREAD_VARS, "1")]
    assert after == {**dict.fromkeys(parallel.BLAS_THREAD_VARS), "OPENBLAS_NUM_THREADS": "8"}
    got = parallel.Child(["X"], None, report, numpy_first=lambda: False).join()
    assert got is not None and json.loads(got["errors"][0]) == []  # not needed: not imported
    assert parallel.os.environ["OPENBLAS_NUM_THREADS"] == "8"
    assert "OMP_NUM_THREADS" not in parallel.os.environ


@needs_fork
def test_a_card_whose_frontmatter_breaks_the_parser_is_reported_not_fatal(example, monkeypatch):
    """The frontmatter parsed before the fork: a card that makes the parser raise is left to
    the card rules, which report an internal error on that card; every other finding stays."""
    from clawlint import workspace as W

    real = W.SourceFile.frontmatter.func

    def flaky(self):
        if self.rel.endswith("ssh-keys.md"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(self)

    monkeypatch.setattr(W.SourceFile, "frontmatter", __import__("functools").cached_property(flaky))
    W.SourceFile.frontmatter.__set_name__(W.SourceFile, "frontmatter")
    monkeypatch.delenv("CLAWLINT_JOBS", raising=False)
    settings = Settings()
    settings.no_cache = True
    settings.embeddings = "lexical"
    result = lint_workspace(Workspace(example, settings),
                            RunOptions(active=resolve_selection(settings, ["ALL"])))
    assert result.diagnostics and any("ssh-keys.md" in e for e in result.internal_errors)


def test_frontmatter_is_not_parsed_ahead_when_the_per_file_cache_has_results(example):
    """After an edit the card rules are served from the per-file cache for most cards: parsing
    every card before the fork would only delay the child, which parses them in parallel."""
    from clawlint.cache import ResultCache
    from clawlint.workspace import Kind

    cache = ResultCache(example, ".clawlint_cache", "key")
    ws = Workspace(example, Settings())
    cache.put_files("CRD001", [("memory/cards/x.md", "sha", [])])
    parallel.prefetch(ws, ["CRD001"], ["DUP001"], cache)
    assert not any("frontmatter" in vars(f) for f in ws.of_kind(Kind.CARD))
