"""A persistent cache of compiled regular expressions: .pyc files for `re`.

Importing the rule modules and their libraries compiles ~200 regular expressions. `re`'s parser
and compiler are pure Python, so that is ~0.1 s of CPU in every process that lints anything (a
tenth of a cold 1,000-card run, and most of a run after a one-file edit). `re` keeps compiled
patterns only in memory; this keeps what its compiler hands to the C engine (the arguments of
`_sre.compile`) in the per-user cache (clawlint/startstore.py), keyed by the Python build and
the pattern, so a later process rebuilds a pattern with one C call.

Only the command-line entry point installs it. Anything unexpected (another Python layout, an
unreadable, corrupt or foreign file, an entry whose pattern or flags are not the ones asked
for, code the C engine's validator rejects) falls back to `re`'s own compiler. The cache holds
what this process compiled: clawlint's and its libraries' patterns and the few built from the
workspace's config (globs); when it would exceed MAX_ENTRIES it keeps only what the last run
used. `CLAWLINT_NO_REGEX_CACHE=1` turns it off.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

from clawlint.startstore import Store

FORMAT = 3  # 3: each entry (key, args) marshalled on its own behind a digest, decoded on use
MAX_ENTRIES = 1024  # bounds the file (~3 MB); clawlint and its libraries need ~250
_DEBUG = 128  # re.DEBUG: the compiler prints, so such patterns always compile for real

# Rewriting the file costs ~10-20 ms; new patterns that took less than this to compile are not
# worth it once the file exists. Some libraries build a pattern from a set in hash order
# (markdown-it's inline terminators), so its text differs in every process: without this
# bound every run would rewrite the file for one character class.
MIN_SAVE_SECONDS = 0.002

_store: Store | None = None


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


def installed() -> bool:
    return _store is not None


def install() -> None:
    """Route `re`'s compiler through the cache (once per process)."""
    global _store
    from clawlint.paths import switched_on

    if _store is not None or switched_on("CLAWLINT_NO_REGEX_CACHE"):
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
    store = Store("regex", header, MAX_ENTRIES, MIN_SAVE_SECONDS)
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
        if key in store.entries:
            entry = store.get(key)
            # An entry must be for this very pattern and flags (a tampered or mixed-up file
            # must not hand back another pattern: the key is stored in it and compared
            # exactly); the engine validates the code itself.
            if entry is not None:
                ok = (type(entry) is tuple and len(entry) == 2 and type(entry[0]) is tuple
                      and entry[0] == key and type(entry[0][0]) is type(p))
                args = entry[1] if ok else None
                if (type(args) is tuple and len(args) == 6 and type(args[0]) is type(p)
                        and args[0] == p and isinstance(args[1], int)
                        and args[1] & key[1] == key[1]):
                    try:
                        return real_sre.compile(*args)
                    except Exception:  # noqa: BLE001 - a damaged entry: compile for real
                        pass
                store.damaged(key)
        last.args = None
        started = time.perf_counter()
        pattern = original(p, flags)
        took = time.perf_counter() - started
        args = getattr(last, "args", None)
        if args is not None and len(args) == 6 and args[0] is p:
            # The code holds re's named int constants; marshal takes plain ints only.
            pattern_, flags_, code, groups, groupindex, indexgroup = args
            store.add(key, (key, (pattern_, int(flags_), [int(c) for c in code], int(groups),
                                  dict(groupindex), tuple(indexgroup))), took)
        return pattern

    compiler._sre = SreRecorder()
    compiler.compile = compile
    _store = store


def save() -> None:
    """Add this process's new patterns to the cache file (merged, atomic, best effort)."""
    if _store is not None:
        _store.min_save = MIN_SAVE_SECONDS
        _store.save()
