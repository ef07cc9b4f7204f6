"""A second process for the heavy rules of a cold run.

On a cold run the rules that load big libraries or tables dominate: the duplicate check
imports numpy and builds a TF-IDF index, the MEMORY.md budget loads tiktoken's 100k ranks.
Their work shares nothing with the other rules but the workspace, which is already read when
rules start, so a forked child runs them on the second core while this process runs the rest.

The child gets the parsed workspace for free (fork), runs its rules against a cache that only
logs writes, and sends findings, internal errors and cache writes back as JSON, which a thread
of the parent reads as it arrives (so the child exits, and frees its memory, as soon as it is
done); the parent merges them as if it had run the rules itself. Objects are frozen for the
fork: the child's garbage collector would otherwise walk, and so copy, the whole inherited
heap. Used only where fork is safe and useful: Linux, one thread, at least two usable CPUs,
and rules for both processes pending. Which rules go depends on the workspace's size (see
HEAVY_MODULES and FEW_FILES_MODULES). `CLAWLINT_JOBS=1` turns it off. If the child fails in
any way, the parent runs those rules itself.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from clawlint.cache import diag_from_json, diag_to_json
from clawlint.diagnostics import Diagnostic

# Check modules whose rules go to the child (registry module names).
# Up to MAX_FILES files: the heavy libraries. Measured on the 1,000-card benchmark, these take
# about as long as all the other rules.
HEAVY_MODULES = frozenset({"duplicates"})
HEAVY_CODES = frozenset({"MEM001"})  # MEMORY.md's token count; the other MEM rules are light
# Above: the duplicate index and the frontmatter rules stay here, because a forked child's
# memory adds to ours and touching every card copies the parent's pages (10,000 cards: 171 MB
# PSS in one process, 222 MB with the index in a child). The child takes the rules that read
# only a few files (bootstrap files, MEMORY.md, config, hooks, skills) and their libraries,
# plus the secret and index-noise scans, which read every file but parse nothing (10,000
# cards: cold run 4.6 -> 4.0 s, peak 184 MB). Their per-file results cost ~0.1 s to send.
MAX_FILES = 4000
FEW_FILES_MODULES = frozenset({
    "memory_md", "bootstrap", "volatile", "cache_hooks", "config_cache", "config_common",
    "config_load", "config_memory", "config_online", "config_schema", "hooks_meta", "skills",
    "index_noise", "secrets",
})


def usable() -> bool:
    if os.environ.get("CLAWLINT_JOBS", "").strip() == "1":
        return False
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    if threading.active_count() != 1:
        return False  # forking a threaded process can deadlock the child
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except (AttributeError, OSError):
        return (os.cpu_count() or 1) >= 2


def split(codes: list[str], files: int = 0) -> tuple[list[str], list[str]]:
    """(codes for this process, codes for the child) for a workspace of `files` files."""
    from clawlint.registry import _static_index

    modules, _engine = _static_index()
    if files <= MAX_FILES:
        away = {c for c in codes if modules.get(c) in HEAVY_MODULES or c in HEAVY_CODES}
    else:
        away = {c for c in codes if modules.get(c) in FEW_FILES_MODULES}
    return [c for c in codes if c not in away], [c for c in codes if c in away]


def prefetch(ws: Any, light: list[str], heavy: list[str], cache: Any = None) -> None:
    """Before the fork, parse what both processes would otherwise parse after it: every
    card's frontmatter when the card rules stay here and the duplicate check goes to the
    child (each side took ~40 ms for 1,000 cards; done once, it is ~25 ms on the shared path,
    and importing PyYAML happens once too). Not when the per-file cache already holds results
    (the card rules then skip most cards, and the child would parse them in parallel). A card
    whose frontmatter cannot be parsed is left to the rules, which report it."""
    from clawlint.registry import _static_index
    from clawlint.workspace import Kind

    modules, _engine = _static_index()
    if not (any(modules.get(c) == "duplicates" for c in heavy)
            and any(modules.get(c) == "cards" for c in light)):
        return
    if cache is not None and cache.has_file_results():
        return
    for f in ws.of_kind(Kind.CARD):
        try:
            f.frontmatter  # noqa: B018 - a cached property: parsed and kept
        except Exception:  # noqa: BLE001 - not cached: the rules meet it and report it
            pass


class LoggingCache:
    """Reads from the real (forked) cache; records writes for the parent to replay."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.writes: list[list[Any]] = []

    def split_files(self, code: str, files: list[Any]) -> tuple[list[Any], list[Diagnostic]]:
        return self.real.split_files(code, files)

    def put_files(self, code: str, results: list[tuple[str, str | None, list[Diagnostic]]]) -> None:
        for rel, sha, diags in results:
            self.put_file(rel, sha, code, diags)

    def get_workspace(self, inputs: str, code: str) -> list[Diagnostic] | None:
        return self.real.get_workspace(inputs, code)

    def get_scoped(self, inputs: str, code: str) -> list[Diagnostic] | None:
        return self.real.get_scoped(inputs, code)

    def put_file(self, rel: str, sha: str | None, code: str, diags: list[Diagnostic]) -> None:
        self.writes.append(["file", rel, sha, code, [diag_to_json(d) for d in diags]])

    def put_scoped(self, inputs: str, code: str, diags: list[Diagnostic]) -> None:
        self.writes.append(["scoped", inputs, code, [diag_to_json(d) for d in diags]])

    def put_workspace(self, inputs: str, code: str, diags: list[Diagnostic]) -> None:
        self.writes.append(["workspace", inputs, code, [diag_to_json(d) for d in diags]])

    def record_run(self, inputs: str, code: str, diags: list[Diagnostic]) -> None:
        self.writes.append(["run", inputs, code, [diag_to_json(d) for d in diags]])


# numpy's BLAS starts worker threads when it loads, and an idle OpenBLAS worker spins for a
# while before it sleeps: with both processes busy on two cores, that thread takes CPU from
# the other process (the 1,000-card child ran ~60 ms longer than its CPU time; the parent
# stalled as well). clawlint's numpy work is not BLAS-bound, so one thread is enough. The
# variables are set only while numpy loads: rules read the environment (a config's `${VAR}`).
BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                    "BLIS_NUM_THREADS")


def needs_numpy(ws: Any, heavy: list[str]) -> bool:
    """Whether the child's duplicate check will build the numpy index: cards over the size the
    pure-Python path takes (it may still fall back to numpy below it, then with the defaults)."""
    from clawlint.registry import _static_index
    from clawlint.retrieval.lexical import SMALL_CORPUS_CHARS
    from clawlint.workspace import Kind

    modules, _engine = _static_index()
    if not any(modules.get(c) == "duplicates" for c in heavy):
        return False
    return sum(len(f.text or "") for f in ws.of_kind(Kind.CARD)) > SMALL_CORPUS_CHARS


def _import_numpy_with_one_blas_thread() -> None:
    """Import numpy with the BLAS thread variables at 1, then put the environment back."""
    if "numpy" in sys.modules:
        return  # too late: the library has read its settings
    saved = {var: os.environ.get(var) for var in BLAS_THREAD_VARS}
    try:
        for var in BLAS_THREAD_VARS:
            os.environ[var] = "1"
        import numpy  # noqa: F401
    except ImportError:
        pass
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


def _keep_freed_memory() -> None:
    """In the child: let glibc reuse freed memory instead of returning it to the kernel.

    numpy's temporaries (a few MB each while the TF-IDF index is built) are above malloc's
    mmap threshold, so each one is mapped fresh and every page faults on first touch; on a
    small VM a fault costs ~5 us, and the 1,000-card child took ~17,000 of them. With the heap
    kept (the child is short-lived) it takes ~12,000 and ~40 ms less CPU. Not glibc: nothing."""
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
        # M_MMAP_THRESHOLD: chunks below 32 MiB (the largest value glibc accepts on 64-bit)
        # come from the heap. Only then M_TRIM_THRESHOLD: setting it alone would also switch
        # off glibc's own threshold adjustment, the opposite of the intent.
        if mallopt(-3, 32 << 20) == 1:
            mallopt(-1, 128 << 20)  # keep up to 128 MiB of freed heap
    except (ImportError, OSError, AttributeError, TypeError):
        pass


class Child:
    """A forked process running `run(codes, cache)`; `join()` returns its results or None."""

    def __init__(
        self, codes: list[str], cache: Any,
        run: Callable[[list[str], Any], tuple[list[Diagnostic], list[str], bool]],
        numpy_first: Callable[[], bool] | None = None,
    ) -> None:
        """`numpy_first()`, asked in the child: whether it imports numpy before its rules,
        with one BLAS thread."""
        self.codes = codes
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        # The child's garbage collector would walk, and so copy, every page of the parent's
        # heap it inherited; frozen objects are never walked (the parent unfreezes at once).
        gc.freeze()
        try:
            pid = os.fork()
        except OSError:
            gc.unfreeze()
            os.close(read_fd)
            os.close(write_fd)
            raise
        if pid != 0:
            gc.unfreeze()
        if pid == 0:  # the child: run, send, and leave without running any parent cleanup
            status = 1
            try:
                os.close(read_fd)
                _keep_freed_memory()
                if numpy_first is not None and numpy_first():
                    _import_numpy_with_one_blas_thread()
                logged = LoggingCache(cache) if cache is not None else None
                diags, errors, replayable = run(codes, logged)
                payload = json.dumps({
                    "diags": [diag_to_json(d) for d in diags], "errors": errors,
                    "replayable": replayable, "writes": logged.writes if logged else [],
                }).encode()
                with os.fdopen(write_fd, "wb") as fh:
                    fh.write(payload)
                status = 0
                from clawlint import dccache, recache

                # What only the child compiled (after the parent has its data).
                recache.save()
                dccache.save()
            except BaseException:  # noqa: BLE001 - the parent reruns the rules
                status = 1
            finally:
                os._exit(status)
        os.close(write_fd)
        self.pid = pid
        # Read the results as soon as they come: a child blocked on a full pipe would hold
        # its memory (the tokenizer, copied pages) until we join, adding it to our own peak.
        self._chunks: list[bytes] = []
        self._reader = threading.Thread(target=self._drain, args=(read_fd,), daemon=True)
        try:
            self._reader.start()
        except RuntimeError as exc:  # no thread to spare: stop the child, run its rules here
            import signal

            os.kill(pid, signal.SIGKILL)
            os.close(read_fd)
            os.waitpid(pid, 0)
            raise OSError(f"cannot read the child's results: {exc}") from exc

    def _drain(self, fd: int) -> None:
        try:
            with os.fdopen(fd, "rb", buffering=0) as fh:
                while chunk := fh.read(1 << 20):
                    self._chunks.append(chunk)
        except (OSError, ValueError):
            self._chunks = []

    def cancel(self) -> None:
        """Stop and reap the child (the parent is failing; its results are not wanted)."""
        import signal

        try:
            os.kill(self.pid, signal.SIGKILL)
            self._reader.join()
            os.waitpid(self.pid, 0)
        except OSError:
            pass

    def join(self) -> dict[str, Any] | None:
        self._reader.join()
        data = b"".join(self._chunks)
        self._chunks = []
        _pid, status = os.waitpid(self.pid, 0)
        if status != 0 or not data:
            return None
        try:
            out = json.loads(data)
            out["diags"] = [diag_from_json(o) for o in out["diags"]]
        except (ValueError, KeyError, TypeError):
            return None
        return out


def replay_writes(cache: Any, writes: list[list[Any]]) -> None:
    for w in writes:
        kind = w[0]
        if kind == "file":
            cache.put_file(w[1], w[2], w[3], [diag_from_json(o) for o in w[4]])
        elif kind == "workspace":
            cache.put_workspace(w[1], w[2], [diag_from_json(o) for o in w[3]])
        elif kind == "scoped":
            cache.put_scoped(w[1], w[2], [diag_from_json(o) for o in w[3]])
        else:
            cache.record_run(w[1], w[2], [diag_from_json(o) for o in w[3]])
