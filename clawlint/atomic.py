"""The one atomic file writer: a temporary file in the target's folder, then os.replace, so a
reader sees the old content or the new, never half of it (fixes, caches, indexes)."""

from __future__ import annotations

import os
from pathlib import Path


def write_bytes(path: Path | str, data: bytes, *, mode: int | None = None,
                fsync: bool = False) -> None:
    """Replace `path` with `data`; raises OSError. `mode`: permission bits for the new file
    (mkstemp creates 0600); `fsync`: flush to disk first (user files, not caches)."""
    import tempfile

    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=str(path.parent), prefix=f".{path.name}.", suffix=".clawlint-tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_quietly(path: Path | str, data: bytes) -> bool:
    """For caches: create the parent folders, write atomically, and report failure (a
    read-only home or workspace) as False instead of raising."""
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        write_bytes(path, data)
    except OSError:
        return False
    return True


def read_fd(fd: int, size: int, limit: int) -> bytes:
    """What is left to read from `fd`, to its end or until more than `limit` bytes (then the
    result is longer than `limit`: the caller's sign to refuse it). `size` is what stat said:
    one byte more is asked for first, so growth shows, and a short read is not taken for the end."""
    parts = [os.read(fd, min(size, limit) + 1)]
    total = len(parts[0])
    while parts[-1] and total <= limit:
        parts.append(os.read(fd, max(min(size, limit), 1 << 16)))
        total += len(parts[-1])
    return parts[0] if len(parts) == 2 and not parts[1] else b"".join(parts)


def read_cache_bytes(path: Path | str, limit: int = 256 * 1024 * 1024) -> bytes | None:
    """A cache file's bytes, or None when it is missing, unreadable, not a regular file (a FIFO
    put in its place would block a plain open() forever) or over `limit`. Caches are
    best-effort: any problem is a miss."""
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError):
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        data = read_fd(fd, st.st_size, limit)
        return data if len(data) <= limit else None
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)
