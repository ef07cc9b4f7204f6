"""The persistent cache of dataclass-generated methods (clawlint/dccache.py): a later process
defines the same classes without compiling, with identical behaviour, and anything damaged or
mixed up falls back to dataclasses' own compile."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

from helpers import run_start_cache_probe, start_cache_file

REPO = Path(__file__).resolve().parent.parent

PROBE = r"""
import json, sys
from clawlint import dccache
dccache.install()
from dataclasses import dataclass, field, fields

@dataclass
class Plain:
    a: int
    b: str = "x"
    c: list = field(default_factory=list)

@dataclass(frozen=True, order=True)
class Frozen:
    k: str
    n: int = 0

@dataclass(slots=True)
class Slotted:
    v: "int | None" = None

p, q = Plain(1), Plain(1, "y", [2])
f, g = Frozen("a", 2), Frozen("a", 3)
try:
    f.n = 5
    frozen_ok = False
except Exception as exc:
    frozen_ok = type(exc).__name__
out = {
    "repr": [repr(p), repr(q), repr(f), repr(Slotted(4))],
    "eq": [p == Plain(1), p == q, f == Frozen("a", 2)],
    "order": [f < g, sorted([g, f]) == [f, g]],
    "hash": hash(f) == hash(Frozen("a", 2)),
    "frozen": frozen_ok,
    "factory": Plain(1).c is not Plain(1).c,
    "init_annotations": {k: repr(v) for k, v in Plain.__init__.__annotations__.items()},
    "slots": Slotted.__slots__,
    "qualname": Plain.__init__.__qualname__,
    "fields": [x.name for x in fields(Frozen)],
}
store = dccache._store
print(json.dumps({"out": out, "compiled": len(store.new) if store else 0,
                  "installed": dccache.installed()}))
dccache.save()
"""


def _run(tmp_path: Path, **env: str) -> dict:
    return run_start_cache_probe(tmp_path, PROBE, "CLAWLINT_NO_CODE_CACHE", **env)


def _cache_file(tmp_path: Path) -> Path:
    return start_cache_file(tmp_path, "dataclass")


def test_second_process_reuses_the_code_with_identical_behaviour(tmp_path):
    first = _run(tmp_path)
    assert first["installed"] and first["compiled"] >= 6  # __init__, __repr__, __eq__, ...
    second = _run(tmp_path)
    assert second["compiled"] == 0  # every method came from the cache
    assert second["out"] == first["out"]
    off = _run(tmp_path, CLAWLINT_NO_CODE_CACHE="1")
    assert not off["installed"] and off["out"] == first["out"]
    assert _run(tmp_path, CLAWLINT_NO_CODE_CACHE="no")["installed"]  # as CLAWLINT_NO_REPLAY
    # Annotations stay real objects: this module's `from __future__ import annotations` must
    # not reach the generated code (they would turn into strings).
    assert first["out"]["init_annotations"]["a"] == "<class 'int'>"


def test_damaged_swapped_or_foreign_entries_are_compiled_again(tmp_path):
    first = _run(tmp_path)
    path = _cache_file(tmp_path)
    header, entries = marshal.loads(path.read_bytes())
    keys = list(entries)
    # Two entries swapped: each names another source text, so neither is used.
    entries[keys[0]], entries[keys[1]] = entries[keys[1]], entries[keys[0]]
    entries[keys[2]] = entries[keys[2]][:-7]  # cut short
    entries[keys[3]] = marshal.dumps((keys[3], "not code"))
    path.write_bytes(marshal.dumps((header, entries)))
    again = _run(tmp_path)
    assert again["out"] == first["out"] and again["compiled"] == 4
    assert _run(tmp_path)["compiled"] == 0  # repaired
    path.write_bytes(b"\x00garbage")
    assert _run(tmp_path)["out"] == first["out"]
    other = (header[0] + 1, *header[1:])  # another format or bytecode version
    path.write_bytes(marshal.dumps((other, entries)))
    assert _run(tmp_path)["out"] == first["out"]


def test_cli_run_fills_the_cache_and_keeps_its_output(tmp_path, ws):
    root = ws({"AGENTS.md": "# Agents\n\nBe brief.\n"})
    e = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"),
         "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    e.pop("CLAWLINT_NO_CODE_CACHE", None)
    cmd = [sys.executable, "-m", "clawlint", "check", str(root), "--no-cache", "--exit-zero"]
    first = subprocess.run(cmd, capture_output=True, text=True, env=e)
    _, entries = marshal.loads(_cache_file(tmp_path).read_bytes())
    assert len(entries) > 30  # clawlint's dataclasses
    second = subprocess.run(cmd, capture_output=True, text=True, env=e)
    off = subprocess.run(cmd, capture_output=True, text=True, env={**e, "CLAWLINT_NO_CODE_CACHE": "1"})
    assert (second.returncode, second.stdout) == (first.returncode, first.stdout)
    assert (off.returncode, off.stdout) == (first.returncode, first.stdout)


def test_a_flipped_bit_in_the_bytecode_is_compiled_again_not_run(tmp_path):
    """Bytecode with one bit flipped can still decode and crash the interpreter when run: the
    digest in front of each entry refuses it first."""
    first = _run(tmp_path)
    path = _cache_file(tmp_path)
    header, entries = marshal.loads(path.read_bytes())
    for key, blob in entries.items():
        flipped = bytearray(blob)
        flipped[len(flipped) // 2] ^= 0x20
        entries[key] = bytes(flipped)
    path.write_bytes(marshal.dumps((header, entries)))
    again = _run(tmp_path)
    assert again["out"] == first["out"] and again["compiled"] == first["compiled"]


def test_code_is_only_loaded_from_a_folder_and_file_no_one_else_can_write(tmp_path, monkeypatch):
    """The cache holds code that runs: it is read only from a real folder of this user's (made
    writable by this user only) and a regular file of this user's no one else can write,
    checked on the very descriptors that are read; links are not followed."""
    from clawlint import dccache

    folder = tmp_path / "cache"
    folder.mkdir()
    folder.chmod(0o700)
    f = folder / "dataclass-x.marshal"
    f.write_bytes(b"code")
    f.chmod(0o600)
    assert dccache._secure_read(str(f)) == b"code"
    assert dccache._secure_read(str(tmp_path / "none" / "dataclass-x.marshal")) is None
    f.chmod(0o622)
    assert dccache._secure_read(str(f)) is None  # group/world-writable file
    f.chmod(0o600)
    folder.chmod(0o777)  # our own folder, writable by all: not read from as it is...
    assert dccache._secure_read(str(f)) is None and (folder.stat().st_mode & 0o777) == 0o777
    assert dccache._writable(str(f)) and (folder.stat().st_mode & 0o777) == 0o755
    assert dccache._secure_read(str(f)) == b"code"  # ...but made ours alone before a write
    (tmp_path / "link").symlink_to(folder)
    assert dccache._secure_read(str(tmp_path / "link" / f.name)) is None  # a linked folder
    (folder / "dataclass-l.marshal").symlink_to(f)
    assert dccache._secure_read(str(folder / "dataclass-l.marshal")) is None  # a linked file
    (folder / "dataclass-d.marshal").mkdir()
    assert dccache._secure_read(str(folder / "dataclass-d.marshal")) is None  # not a file
    monkeypatch.setattr(dccache.os, "getuid", lambda: os.stat(f).st_uid + 1)
    assert dccache._secure_read(str(f)) is None  # another user's
    assert not dccache._writable(str(f))
    monkeypatch.undo()
    # A whole run whose cache folder another user could write to is fixed, not refused; and
    # a new folder is created for this user only, whatever the umask (002 is common).
    xdg = tmp_path / "xdg"
    (xdg / "clawlint").mkdir(parents=True)
    (xdg / "clawlint").chmod(0o777)
    assert _run(tmp_path)["compiled"] >= 6  # not read; fixed when the new code is saved
    assert (xdg / "clawlint").stat().st_mode & 0o022 == 0
    assert _run(tmp_path)["compiled"] == 0
    old = os.umask(0o002)
    try:
        assert dccache._writable(str(tmp_path / "fresh" / "clawlint" / "dataclass-x.marshal"))
    finally:
        os.umask(old)
    assert (tmp_path / "fresh" / "clawlint").stat().st_mode & 0o777 == 0o700
