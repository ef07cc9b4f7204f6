"""A persistent cache of compiled regular expressions: .pyc files for `re`.

Importing the rule modules and their libraries compiles ~200 regular expressions. `re`'s parser
and compiler are pure Python, so that is ~0.1 s of CPU in every process that lints anything (a
tenth of a cold 1,000-card run, and most of a run after a one-file edit). `re` keeps compiled
patterns only in memory; this keeps what its compiler hands to the C engine (the arguments of
`_sre.compile`) in the per-user cache, keyed by the Python build and the pattern, so a later
process rebuilds a pattern with one C call.

Only the command-line entry point installs it. Anything unexpected (another Python layout, an
unreadable, corrupt or foreign file, an entry whose pattern or flags are not the ones asked
for, code the C engine's validator rejects) falls back to `re`'s own compiler. The cache holds
what this process compiled: clawlint's and its libraries' patterns and the few built from the
workspace's config (globs); when it would exceed MAX_ENTRIES it keeps only what the last run
used. `CLAWLINT_NO_REGEX_CACHE=1` turns it off.
"""

from __future__ import annotations

import marshal
import os
import sys
import threading
import time
from typing import Any

FORMAT = 1
MAX_ENTRIES = 1024  # bounds the file (~1.5 MB); clawlint and its libraries need ~250
_DEBUG = 128  # re.DEBUG: the compiler prints, so such patterns always compile for real

KEEP_FILES = 4  # one per interpreter build in use (a project venv next to a pipx install)

# Rewriting the file costs ~10-20 ms; new patterns that took less than this to compile are not
# worth it once the file exists. Some libraries build a pattern from a set in hash order
# (markdown-it's inline terminators), so its text differs in every process: without this
# bound every run would rewrite the file for one character class.
MIN_SAVE_SECONDS = 0.002

_entries: dict[tuple[Any, int], tuple[Any, ...]] | None = None
_new: dict[tuple[Any, int], tuple[Any, ...]] = {}
_used: set[tuple[Any, int]] = set()
_new_cost = 0.0  # seconds spent compiling the patterns in _new
_had_file = False  # the cache file had entries when this process started
_repair = False  # an entry was damaged: the file needs rewriting whatever the cost


def _compiler() -> Any:
    try:
        import re._compiler as compiler  # Python 3.11+
    except ImportError:  # Python 3.10
        import sre_compile as compiler  # type: ignore[no-redef]
    return compiler


def _header(sre: Any) -> tuple[Any, ...]:
    # The compiled code depends on the interpreter build, not only on its version.
    return (FORMAT, sys.hexversion, sys.implementation.cache_tag, sre.MAGIC, sre.CODESIZE,
            sre.MAXREPEAT, sre.MAXGROUPS)


def cache_file(header: tuple[Any, ...]) -> str:
    """One file per interpreter build: builds of one minor version would overwrite each
    other's entries on every run if they shared it."""
    import hashlib

    from clawlint.paths import user_cache_dir

    build = hashlib.sha256(repr(header).encode()).hexdigest()[:12]
    return os.path.join(user_cache_dir(), f"regex-{sys.implementation.cache_tag}-{build}.marshal")


def _load(header: tuple[Any, ...]) -> dict[tuple[Any, int], tuple[Any, ...]]:
    from clawlint.atomic import read_cache_bytes

    raw = read_cache_bytes(cache_file(header))
    try:
        data = marshal.loads(raw) if raw else None  # marshal: plain data, loading runs no code
    except (EOFError, ValueError, TypeError):
        return {}
    if not (isinstance(data, tuple) and len(data) == 2 and data[0] == header
            and isinstance(data[1], dict)):
        return {}
    return data[1]


def installed() -> bool:
    return _entries is not None


def install() -> None:
    """Route `re`'s compiler through the cache (once per process)."""
    global _entries, _had_file
    if _entries is not None or os.environ.get("CLAWLINT_NO_REGEX_CACHE", "").strip() not in ("", "0"):
        return
    compiler = _compiler()
    real_sre = getattr(compiler, "_sre", None)
    original = getattr(compiler, "compile", None)
    if real_sre is None or not callable(original) or not callable(getattr(real_sre, "compile", None)):
        return
    try:
        header = _header(real_sre)
    except AttributeError:
        return
    entries = _load(header)
    _had_file = bool(entries)
    last = threading.local()

    class SreRecorder:
        """Stands in for the `_sre` module inside re's compiler: notes compile's arguments."""

        def __getattr__(self, name: str) -> Any:
            return getattr(real_sre, name)

        @staticmethod
        def compile(*args: Any) -> Any:
            last.args = args
            return real_sre.compile(*args)

    def compile(p: Any, flags: int = 0) -> Any:
        if not isinstance(p, (str, bytes)) or not isinstance(flags, int) or flags & _DEBUG:
            return original(p, flags)
        key = (p, int(flags))
        args = entries.get(key)
        if args is not None:
            # An entry must be for this very pattern and flags (a tampered or mixed-up file
            # must not hand back another pattern); the engine validates the code itself.
            if (len(args) == 6 and type(args[0]) is type(p) and args[0] == p
                    and isinstance(args[1], int) and args[1] & key[1] == key[1]):
                try:
                    pattern = real_sre.compile(*args)
                    _used.add(key)
                    return pattern
                except Exception:  # noqa: BLE001 - a damaged entry: compile for real
                    pass
            global _repair
            _repair = True
            entries.pop(key, None)
        global _new_cost
        last.args = None
        started = time.perf_counter()
        pattern = original(p, flags)
        took = time.perf_counter() - started
        args = getattr(last, "args", None)
        if args is not None and len(args) == 6 and args[0] is p:
            # The code holds re's named int constants; marshal takes plain ints only.
            pattern_, flags_, code, groups, groupindex, indexgroup = args
            entry = (pattern_, int(flags_), [int(c) for c in code], int(groups),
                     dict(groupindex), tuple(indexgroup))
            try:
                marshal.dumps((key, entry))  # one odd entry must not cost the whole file
            except ValueError:
                return pattern
            entries[key] = _new[key] = entry
            _new_cost += took
            _used.add(key)
        return pattern

    compiler._sre = SreRecorder()
    compiler.compile = compile
    _entries = entries


def save() -> None:
    """Add this process's new patterns to the cache file (merged, atomic, best effort)."""
    global _new_cost
    if not _new or _entries is None:
        return
    if (_had_file and _new_cost < MIN_SAVE_SECONDS and not _repair
            and len(_entries) <= MAX_ENTRIES):
        return  # cheaper to compile them again than to rewrite the file
    from clawlint.atomic import write_quietly

    try:
        header = _header(_compiler()._sre)  # the recorder forwards the module's constants
        merged = _load(header)  # another process may have added patterns since we read it
        merged.update(_new)
        if len(merged) > MAX_ENTRIES:  # full: keep what this run used
            merged = {k: v for k, v in merged.items() if k in _used}
            while len(merged) > MAX_ENTRIES:
                merged.pop(next(iter(merged)))
        data = marshal.dumps((header, merged))
    except (AttributeError, ValueError, TypeError):
        return
    _new.clear()
    _new_cost = 0.0
    path = cache_file(header)
    if write_quietly(path, data):
        _prune(os.path.dirname(path), os.path.basename(path))


def _prune(folder: str, keep: str) -> None:
    """Files of interpreter builds no longer in use go (the newest KEEP_FILES stay)."""
    try:
        names = [n for n in os.listdir(folder) if n.startswith("regex-") and n.endswith(".marshal")]
        found = sorted(((os.path.getmtime(os.path.join(folder, n)), n) for n in names), reverse=True)
    except OSError:
        return
    for _mtime, name in found[KEEP_FILES:]:
        if name != keep:
            try:
                os.unlink(os.path.join(folder, name))
            except OSError:
                pass
