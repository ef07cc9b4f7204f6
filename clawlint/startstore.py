"""One per-user file of things clawlint derives from its own code at start-up (compiled
regular expressions, the methods dataclasses generates), kept like .pyc files.

Shared by clawlint/recache.py and clawlint/dccache.py. One file per kind and interpreter build
(builds of one minor version would overwrite each other's entries on every run if they shared
one). Each entry is marshalled on its own and decoded only when asked for: a run uses a few
hundred of up to `max_entries`, and decoding them all took ~30 ms of every run. Each entry
carries a BLAKE2 digest of its bytes, checked before it is decoded, so a damaged file (a bit
flipped on disk) is a miss, never a wrong pattern or broken code; whoever reads an entry also
checks that it names the very key asked for. A damaged entry is reported with `damaged()` and
the file is rewritten. New entries are saved only when they cost more to rebuild than
rewriting the file does (`min_save` seconds), and a full file keeps what the run used.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from typing import Any

DIGEST = 16  # bytes of BLAKE2b in front of each entry
KEEP_FILES = 4  # per kind: one per interpreter build in use (a project venv next to a pipx install)


class Store:
    def __init__(self, kind: str, header: tuple[Any, ...], max_entries: int,
                 min_save: float, reader: Any = None, writable: Any = None) -> None:
        """`reader(path)`: the file's bytes or None, instead of a plain read; `writable(path)`:
        whether the file may be written (and its folder made ready for it)."""
        self.kind = kind
        self.header = header
        self.max_entries = max_entries
        self.min_save = min_save
        self.reader = reader
        self.writable = writable
        self.entries: dict[Any, bytes] = self._load()
        self.had_file = bool(self.entries)
        self.new: dict[Any, bytes] = {}
        self.used: set[Any] = set()
        self.new_cost = 0.0  # seconds spent building the entries in `new`
        self.repair = False  # an entry was damaged: rewrite the file whatever the cost
        self.bad: set[Any] = set()  # keys whose entries were damaged

    def path(self) -> str:
        from clawlint.paths import user_cache_dir

        build = hashlib.sha256(repr(self.header).encode()).hexdigest()[:12]
        return os.path.join(user_cache_dir(),
                            f"{self.kind}-{sys.implementation.cache_tag}-{build}.marshal")

    def _load(self) -> dict[Any, bytes]:
        from clawlint.atomic import read_cache_bytes

        raw = self.reader(self.path()) if self.reader is not None else read_cache_bytes(self.path())
        data = load(raw)
        if not (isinstance(data, tuple) and len(data) == 2 and data[0] == self.header
                and isinstance(data[1], dict)):
            return {}
        return data[1]

    def get(self, key: Any) -> Any:
        """The decoded entry for `key`, or None (missing or undecodable: then `damaged`)."""
        blob = self.entries.get(key)
        if blob is None:
            return None
        value = None
        data = unseal(blob)
        if data is not None:
            try:
                value = marshal.loads(data)
            except (EOFError, ValueError, TypeError):
                value = None
        if value is None:
            self.damaged(key)
        else:
            self.used.add(key)
        return value

    def damaged(self, key: Any) -> None:
        self.entries.pop(key, None)
        self.bad.add(key)
        self.repair = True

    def add(self, key: Any, value: Any, cost: float) -> None:
        try:
            marshal.dumps(key)  # one odd entry must not cost the whole file
            blob = marshal.dumps(value)
        except ValueError:
            return
        self.entries[key] = self.new[key] = seal(blob)
        self.new_cost += cost
        self.used.add(key)

    def save(self) -> None:
        """Add this process's new entries to the file (merged, atomic, best effort)."""
        if not self.new and not self.repair:
            return
        if (self.had_file and self.new_cost < self.min_save and not self.repair
                and len(self.entries) <= self.max_entries):
            return  # cheaper to build them again than to rewrite the file
        from clawlint.atomic import write_quietly

        if self.writable is not None and not self.writable(self.path()):
            return
        merged = self._load()  # another process may have added entries since we read it
        for key in self.bad:
            merged.pop(key, None)
        merged.update(self.new)
        if len(merged) > self.max_entries:  # full: keep what this run used
            merged = {k: v for k, v in merged.items() if k in self.used}
            while len(merged) > self.max_entries:
                merged.pop(next(iter(merged)))
        try:
            data = marshal.dumps((self.header, merged))
        except ValueError:
            return
        self.new.clear()
        self.new_cost = 0.0
        self.repair = False
        self.bad.clear()
        path = self.path()
        if write_quietly(path, data):
            self._prune(os.path.dirname(path), os.path.basename(path))

    def _prune(self, folder: str, keep: str) -> None:
        """Files of interpreter builds no longer in use go (the newest KEEP_FILES stay)."""
        try:
            names = [n for n in os.listdir(folder)
                     if n.startswith(f"{self.kind}-") and n.endswith(".marshal")]
            found = sorted(((os.path.getmtime(os.path.join(folder, n)), n) for n in names),
                           reverse=True)
        except OSError:
            return
        for _mtime, name in found[KEEP_FILES:]:
            if name != keep:
                try:
                    os.unlink(os.path.join(folder, name))
                except OSError:
                    pass


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=DIGEST).digest()


def load(raw: bytes | None) -> Any:
    """A marshalled cache file's data, or None when there is none or it does not decode.
    marshal (not pickle): loading it cannot run code, only rebuild plain data."""
    try:
        return marshal.loads(raw) if raw else None
    except (EOFError, ValueError, TypeError):
        return None


def seal(data: bytes) -> bytes:
    """`data` behind its digest, as every entry of clawlint's start-up caches is stored."""
    return _digest(data) + data


def unseal(blob: object) -> bytes | None:
    """The data of a sealed entry, or None when it is not bytes or its digest does not match
    (a bit flipped on disk)."""
    if type(blob) is not bytes or _digest(blob[DIGEST:]) != blob[:DIGEST]:
        return None
    return blob[DIGEST:]
