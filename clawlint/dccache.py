"""A persistent cache of the methods @dataclass generates: .pyc files for dataclasses.

dataclasses writes each class's __init__, __repr__, __eq__ (and, for frozen classes, more) as
source text and compiles it with exec() when the class is defined: ~1 ms per class on a small
machine, and clawlint and markdown-it define ~50 classes, so ~50 ms of every linting process
(half of it before the forked child starts, so on both processes' paths). This keeps the
compiled code, keyed by the interpreter build and that exact source text, in the per-user cache
(clawlint/startstore.py); a later process runs the stored code object instead of compiling.

Only the command-line entry point installs it, by shadowing `exec` inside the dataclasses
module; every other exec is untouched. An entry must name the very source text asked for (a
swapped or foreign entry is not used), pass its digest (a bit flipped on disk could otherwise
leave bytecode that crashes the interpreter) and hold a code object; anything else compiles as
before. The code is compiled exactly as dataclasses' own exec would (no inherited __future__
flags, the same "<string>" file name).

Unlike the other per-user caches this one holds code that runs, so it is used like a .pyc
file only where no one else could have written it: the file and its folder must belong to
this user and be writable by no one else (a folder another user created in the shared
temporary directory, clawlint's fallback without a home folder, is refused; so is any
platform without POSIX owners). `CLAWLINT_NO_CODE_CACHE=1` turns it off.
"""

from __future__ import annotations

import builtins
import os
import sys
import time
import types
from typing import Any

from clawlint.startstore import Store

FORMAT = 1
MAX_ENTRIES = 512  # clawlint and its libraries generate ~150 methods
MIN_SAVE_SECONDS = 0.002  # as recache: a few cheap new entries do not rewrite the file

_store: Store | None = None


def _header() -> tuple[Any, ...]:
    import importlib.util

    # Code objects are only valid for the bytecode version that wrote them.
    return (FORMAT, sys.hexversion, sys.implementation.cache_tag, importlib.util.MAGIC_NUMBER)


def _trusted(path: str) -> bool:
    """Whether the cache file (if it exists) and its folder (if it exists) belong to this
    user and are writable by no one else. Followed links count as what they point to."""
    import stat

    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return False
    for p, is_file in ((os.path.dirname(path), False), (path, True)):
        try:
            st = os.stat(p)
        except FileNotFoundError:
            continue  # nothing there yet: nothing to trust, and ours once we create it
        except OSError:
            return False
        if st.st_uid != getuid() or st.st_mode & 0o022:
            return False
        if is_file and not stat.S_ISREG(st.st_mode):
            return False
    return True


def installed() -> bool:
    return _store is not None


def install() -> None:
    """Route dataclasses' exec of generated methods through the cache (once per process)."""
    global _store
    if _store is not None or os.environ.get("CLAWLINT_NO_CODE_CACHE", "").strip() not in ("", "0"):
        return
    import dataclasses

    if "exec" in vars(dataclasses):  # someone else shadows it already: leave it alone
        return
    store = Store("dataclass", _header(), MAX_ENTRIES, MIN_SAVE_SECONDS, trusted=_trusted)
    real_exec = builtins.exec

    def cached_exec(source: Any, globals: Any = None, locals: Any = None, /) -> Any:
        if type(source) is not str:
            return real_exec(source, globals, locals)
        code = None
        if source in store.entries:
            entry = store.get(source)
            if (type(entry) is tuple and len(entry) == 2 and entry[0] == source
                    and type(entry[1]) is types.CodeType):
                code = entry[1]
            elif entry is not None:
                store.damaged(source)
        if code is None:
            started = time.perf_counter()
            # dont_inherit: this module's `from __future__ import annotations` must not leak
            # into the generated methods (exec() in dataclasses inherits no flags either).
            code = compile(source, "<string>", "exec", dont_inherit=True)
            store.add(source, (source, code), time.perf_counter() - started)
        return real_exec(code, globals, locals)

    dataclasses.exec = cached_exec  # type: ignore[attr-defined]
    _store = store


def save() -> None:
    """Add this process's new code to the cache file (merged, atomic, best effort)."""
    if _store is not None:
        _store.min_save = MIN_SAVE_SECONDS
        _store.save()
