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
file only where no one else could have written it: the folder must be a real folder of this
user's (it is created, or made, writable by this user only) and the file a regular file of this
user's that no one else can write, both checked on the descriptors that are then read (no link
followed, nothing to swap in between). A folder another user created in the shared temporary
directory (clawlint's fallback without a home folder) is refused, and so is any platform without
POSIX owners. `CLAWLINT_NO_CODE_CACHE=1` turns it off.
"""

from __future__ import annotations

import builtins
import os
import stat
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


READ_LIMIT = 16 * 1024 * 1024  # the file holds ~0.3 MB; anything far bigger is not ours
_OPEN = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)


def _own_folder(folder: str, fix: bool = False) -> int | None:
    """A descriptor of the cache folder when it is a real folder of this user's (its last
    component not a link: a linked ~/.cache/clawlint turns this cache off) that no one else
    can write to; with `fix` (before writing), a folder others could write to is made
    writable by this user only (it is clawlint's own folder). None otherwise, or on platforms
    without POSIX owners."""
    getuid = getattr(os, "getuid", None)
    if getuid is None or not hasattr(os, "O_NOFOLLOW"):
        return None
    try:
        fd = os.open(folder, _OPEN | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != getuid():
            raise OSError("not this user's folder")
        if st.st_mode & 0o022:
            if not fix:
                raise OSError("others can write to the folder")
            os.fchmod(fd, stat.S_IMODE(st.st_mode) & ~0o022)
        return fd
    except OSError:
        os.close(fd)
        return None


def _secure_read(path: str) -> bytes | None:
    """The cache file's bytes, read through descriptors so that what is checked is what is
    read: in this user's own folder (see _own_folder), opened without following a link, a
    regular file of this user's that no one else can write to. None otherwise."""
    folder, name = os.path.split(path)
    dfd = _own_folder(folder)
    if dfd is None:
        return None
    try:
        fd = os.open(name, _OPEN | getattr(os, "O_NONBLOCK", 0), dir_fd=dfd)
    except OSError:
        os.close(dfd)
        return None
    try:
        st = os.fstat(fd)
        if (not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o022
                or st.st_size > READ_LIMIT):
            return None
        from clawlint.atomic import read_fd

        data = read_fd(fd, st.st_size, READ_LIMIT)
        return data if len(data) <= READ_LIMIT else None
    except OSError:
        return None
    finally:
        os.close(fd)
        os.close(dfd)


def _writable(path: str) -> bool:
    """Create the cache folder for this user only (whatever the umask) and check it is ours."""
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return False
    fd = _own_folder(folder, fix=True)
    if fd is None:
        return False
    os.close(fd)
    return True


def installed() -> bool:
    return _store is not None


def install() -> None:
    """Route dataclasses' exec of generated methods through the cache (once per process)."""
    global _store
    from clawlint.paths import switched_on

    if _store is not None or switched_on("CLAWLINT_NO_CODE_CACHE"):
        return
    import dataclasses

    if "exec" in vars(dataclasses):  # someone else shadows it already: leave it alone
        return
    store = Store("dataclass", _header(), MAX_ENTRIES, MIN_SAVE_SECONDS, reader=_secure_read,
                  writable=_writable)
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
