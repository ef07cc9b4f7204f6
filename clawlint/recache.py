"""A persistent cache of compiled regular expressions: .pyc files for `re`.

Importing the rule modules and their libraries compiles ~200 regular expressions. `re`'s parser
and compiler are pure Python, so that is ~0.1 s of CPU in every process that lints anything (a
tenth of a cold 1,000-card run, and most of a run after a one-file edit). `re` keeps compiled
patterns only in memory; this keeps what its compiler hands to the C engine (the arguments of
`_sre.compile`) in the per-user cache, keyed by the Python build and the pattern, so a later
process rebuilds a pattern with one C call.

Only the command-line entry point installs it. Anything unexpected (another Python layout, an
unreadable, corrupt or foreign file, a pattern the C engine rejects) falls back to `re`'s own
compiler; the engine validates the code it is given, so a damaged entry raises, never misbehaves.
`CLAWLINT_NO_REGEX_CACHE=1` turns it off.
"""

from __future__ import annotations

import marshal
import os
import sys
import threading
from typing import Any

FORMAT = 1
MAX_ENTRIES = 1024  # bounds the file (~1.5 MB); clawlint and its libraries need ~250
_DEBUG = 128  # re.DEBUG: the compiler prints, so such patterns always compile for real

_entries: dict[tuple[Any, int], tuple[Any, ...]] | None = None
_new: dict[tuple[Any, int], tuple[Any, ...]] = {}


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


def cache_file() -> str:
    from clawlint.paths import user_cache_dir

    return os.path.join(user_cache_dir(), f"regex-{sys.implementation.cache_tag}.marshal")


def _load(header: tuple[Any, ...]) -> dict[tuple[Any, int], tuple[Any, ...]]:
    try:
        with open(cache_file(), "rb") as fh:
            data = marshal.loads(fh.read())  # marshal: plain data only, loading runs no code
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not (isinstance(data, tuple) and len(data) == 2 and data[0] == header
            and isinstance(data[1], dict)):
        return {}
    return data[1]


def installed() -> bool:
    return _entries is not None


def install() -> None:
    """Route `re`'s compiler through the cache (once per process)."""
    global _entries
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
            try:
                return real_sre.compile(*args)
            except Exception:  # noqa: BLE001 - a damaged entry: compile for real
                entries.pop(key, None)
        last.args = None
        pattern = original(p, flags)
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
        return pattern

    compiler._sre = SreRecorder()
    compiler.compile = compile
    _entries = entries


def save() -> None:
    """Add this process's new patterns to the cache file (merged, atomic, best effort)."""
    if not _new or _entries is None:
        return
    from clawlint.atomic import write_quietly

    try:
        header = _header(_compiler()._sre)  # the recorder forwards the module's constants
        merged = _load(header)  # another process may have added patterns since we read it
        for key, args in _new.items():
            if len(merged) >= MAX_ENTRIES:
                break
            merged[key] = args
        data = marshal.dumps((header, merged))
    except (AttributeError, ValueError, TypeError):
        return
    _new.clear()
    write_quietly(cache_file(), data)
