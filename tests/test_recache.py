"""The persistent compiled-regex cache (clawlint/recache.py): a later process rebuilds the
same patterns without compiling them, and anything damaged falls back to re's compiler."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_start_cache_probe, start_cache_file

REPO = Path(__file__).resolve().parent.parent

PROBE = r"""
import json, re, sys
from clawlint import recache
recache.install()
pats = [
    (r"(?P<year>\d{4})-(?P<m>\d\d)", 0, "on 2026-04-09 we"),
    (r"last\s+updated", re.I, "LAST   Updated: x"),
    (rb"\x00+", 0, b"a\x00\x00b"),
    (r"^\s*#+ (.*)$", re.M, "text\n## Heading\n"),
    (r"[^\W_]+", 0, "Straße_İstanbul 备份"),
]
out = []
for p, f, s in pats:
    c = re.compile(p, f)
    m = c.search(s)
    g = m.group(0) if m else None
    out.append([c.pattern if isinstance(c.pattern, str) else c.pattern.decode(), c.flags,
                c.groups, dict(c.groupindex), g if isinstance(g, str) or g is None else g.decode(),
                m.groupdict() if m else None])
new = len(recache._store.new) if recache._store else 0
recache.save()
print(json.dumps({"out": out, "compiled": new, "installed": recache.installed()}))
"""


def _run(tmp_path: Path, **env: str) -> dict:
    return run_start_cache_probe(tmp_path, PROBE, "CLAWLINT_NO_REGEX_CACHE", **env)


def _cache_file(tmp_path: Path) -> Path:
    return start_cache_file(tmp_path, "regex")


def test_second_process_reuses_patterns_with_identical_behaviour(tmp_path):
    first = _run(tmp_path)
    assert first["installed"] and first["compiled"] == 5
    _cache_file(tmp_path)
    second = _run(tmp_path)
    assert second["compiled"] == 0  # all five came from the cache
    assert second["out"] == first["out"]
    # And the same as a process without the cache at all.
    off = _run(tmp_path, CLAWLINT_NO_REGEX_CACHE="1")
    assert not off["installed"] and off["out"] == first["out"]
    # The same switch values as CLAWLINT_NO_REPLAY: `false`/`no`/`0` leave it on.
    assert _run(tmp_path, CLAWLINT_NO_REGEX_CACHE="False")["installed"]
    assert not _run(tmp_path, CLAWLINT_NO_REGEX_CACHE="yes")["installed"]


def test_corrupt_or_foreign_cache_file_falls_back(tmp_path):
    first = _run(tmp_path)
    path = _cache_file(tmp_path)
    path.write_bytes(b"\x00garbage")
    again = _run(tmp_path)
    assert again["compiled"] == 5 and again["out"] == first["out"]
    import marshal

    header, entries = marshal.loads(path.read_bytes())
    other = (header[0] + 1, *header[1:])  # another format or interpreter build
    path.write_bytes(marshal.dumps((other, entries)))
    assert _run(tmp_path)["compiled"] == 5


def _decode(blob: bytes) -> tuple:
    import marshal

    from clawlint.startstore import DIGEST

    return marshal.loads(blob[DIGEST:])


def _encode(value: tuple) -> bytes:
    """An entry as the store writes it: a valid digest in front (a tampered, not a damaged,
    entry: only the checks inside recache can refuse it)."""
    import marshal

    from clawlint.startstore import seal

    return seal(marshal.dumps(value))


def test_damaged_entry_is_recompiled_not_trusted(tmp_path):
    first = _run(tmp_path)
    import marshal

    path = _cache_file(tmp_path)
    header, entries = marshal.loads(path.read_bytes())
    for key, blob in list(entries.items()):  # each entry is marshalled on its own
        stored_key, args = _decode(blob)
        assert stored_key == key
        entries[key] = _encode((key, (args[0], args[1], [1, 2, 3], *args[3:])))  # invalid code
    path.write_bytes(marshal.dumps((header, entries)))
    again = _run(tmp_path)
    assert again["compiled"] == 5 and again["out"] == first["out"]
    _, repaired = marshal.loads(path.read_bytes())
    assert all(len(_decode(b)[1][2]) > 3 for b in repaired.values())
    # Entries cut short, of the wrong type, not a tuple, or with one bit flipped on disk (the
    # digest no longer matches): recompiled as well.
    values = list(repaired.values())
    flipped = bytearray(values[1])
    flipped[-9] ^= 1
    bad_values = [values[0][:-5], b"", ("x",), bytes(flipped), 7]
    for key, bad in zip(repaired, bad_values, strict=False):
        repaired[key] = bad
    path.write_bytes(marshal.dumps((header, repaired)))
    assert _run(tmp_path) == {**first, "compiled": 5}


def test_an_entry_for_other_flags_of_the_same_pattern_is_not_used(tmp_path):
    """`re.I` compiles to a superset of the flags of no `re.I`: an entry swapped between the
    two must still be refused (the key is stored in the entry and compared exactly)."""
    import marshal

    probe = ("import re, json; from clawlint import recache; recache.install(); "
             "a = re.compile('colou?r'); b = re.compile('colou?r', re.I); "
             "print(json.dumps([bool(a.match('COLOR')), bool(b.match('COLOR')), "
             "len(recache._store.new)])); recache.save()")
    assert run_start_cache_probe(tmp_path, probe, "CLAWLINT_NO_REGEX_CACHE") == [False, True, 2]
    path = _cache_file(tmp_path)
    header, entries = marshal.loads(path.read_bytes())
    plain, folded = ("colou?r", 0), ("colou?r", 2)
    entries[plain], entries[folded] = entries[folded], entries[plain]
    path.write_bytes(marshal.dumps((header, entries)))
    assert run_start_cache_probe(tmp_path, probe, "CLAWLINT_NO_REGEX_CACHE") == [False, True, 2]


def test_cli_run_fills_the_cache(tmp_path, ws):
    root = ws({"AGENTS.md": "# Agents\n\nBe brief.\n"})
    e = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"),
         "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    e.pop("CLAWLINT_NO_REGEX_CACHE", None)
    cmd = [sys.executable, "-m", "clawlint", "check", str(root), "--no-cache", "--exit-zero"]
    first = subprocess.run(cmd, capture_output=True, text=True, env=e)
    import marshal

    _, entries = marshal.loads(_cache_file(tmp_path).read_bytes())
    assert len(entries) > 50  # the rules' patterns
    second = subprocess.run(cmd, capture_output=True, text=True, env=e)
    assert (second.returncode, second.stdout) == (first.returncode, first.stdout)


@pytest.mark.parametrize("flags", [128])  # re.DEBUG prints while compiling: never cached
def test_debug_patterns_are_not_cached(tmp_path, flags):
    code = ("import re, json; from clawlint import recache; recache.install(); "
            f"re.compile('ab+', {flags}); print(json.dumps(len(recache._store.new) if recache._store else 0))")
    e = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"),
         "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e,
                         check=True).stdout.strip().splitlines()[-1]
    assert out == "0"


def test_an_entry_for_another_pattern_is_not_used(tmp_path):
    """Swapping two entries (a mixed-up or tampered file) must not hand back another pattern."""
    import marshal

    first = _run(tmp_path)
    path = _cache_file(tmp_path)
    header, entries = marshal.loads(path.read_bytes())
    keys = list(entries)
    entries[keys[0]], entries[keys[1]] = entries[keys[1]], entries[keys[0]]
    path.write_bytes(marshal.dumps((header, entries)))
    again = _run(tmp_path)
    assert again["out"] == first["out"] and again["compiled"] == 2


def test_a_full_cache_keeps_what_the_run_used_and_old_builds_are_pruned(tmp_path):
    import marshal

    _run(tmp_path)
    path = _cache_file(tmp_path)
    header, entries = marshal.loads(path.read_bytes())
    from clawlint import recache, startstore

    for i in range(recache.MAX_ENTRIES):  # fill it with patterns no run uses
        entries[(f"unused{i}", 0)] = entries[next(iter(entries))]
    path.write_bytes(marshal.dumps((header, entries)))
    for i in range(startstore.KEEP_FILES + 2):  # files of other interpreter builds, older
        old = path.parent / f"regex-other-{i}.marshal"
        old.write_bytes(b"x")
        os.utime(old, (1_000_000 + i, 1_000_000 + i))
    code = ("import re, json; from clawlint import recache; recache.install(); "
            "re.compile(r'(?P<year>\\d{4})-(?P<m>\\d\\d)'); re.compile('brand new pattern'); "
            "recache.save()")
    e = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"),
         "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    subprocess.run([sys.executable, "-c", code], env=e, check=True)
    _, kept = marshal.loads(path.read_bytes())
    # What the run used stays (whatever else the interpreter compiled on the way); the
    # fillers no run used are gone.
    assert {(r"(?P<year>\d{4})-(?P<m>\d\d)", 0), ("brand new pattern", 0)} <= set(kept)
    assert not [k for k in kept if str(k[0]).startswith("unused")] and len(kept) < 50
    left = sorted(p.name for p in path.parent.glob("regex-*.marshal"))
    assert path.name in left and len(left) == startstore.KEEP_FILES


def test_user_cache_dir_is_always_absolute(monkeypatch, tmp_path):
    import tempfile

    from clawlint.paths import user_cache_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert user_cache_dir() == str(tmp_path / "clawlint")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # ignored, as the XDG spec says
    monkeypatch.setenv("HOME", "/home/somebody")
    assert user_cache_dir() == "/home/somebody/.cache/clawlint"
    monkeypatch.setattr(os.path, "expanduser", lambda p: p)  # no home folder at all
    assert user_cache_dir().startswith(tempfile.gettempdir())


def test_a_few_cheap_new_patterns_do_not_rewrite_the_file(tmp_path):
    """A library that builds a pattern from a set in hash order (markdown-it) compiles a new
    text in every process; rewriting ~1.5 MB for it on every run would cost more than it saves."""
    _run(tmp_path)
    path = _cache_file(tmp_path)
    before = path.read_bytes()
    code = ("import re; from clawlint import recache; recache.install(); "
            "recache.MIN_SAVE_SECONDS = float(__import__('sys').argv[1]); "
            "re.compile('[' + ''.join(sorted(set('abc'))) + ']x'); recache.save()")
    e = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"),
         "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    e.pop("CLAWLINT_NO_REGEX_CACHE", None)
    subprocess.run([sys.executable, "-c", code, "0.002"], env=e, check=True)
    assert path.read_bytes() == before
    subprocess.run([sys.executable, "-c", code, "0"], env=e, check=True)  # worth it: saved
    import marshal

    assert ("[abc]x", 0) in marshal.loads(path.read_bytes())[1]


def test_a_flipped_bit_is_a_miss_not_a_different_value(tmp_path, monkeypatch):
    """A bit flipped on disk can leave an entry that still decodes, to another pattern's code
    (a literal `n` read as `o`): the digest in front of each entry turns that into a miss."""
    import marshal

    from clawlint.startstore import DIGEST, Store

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    store = Store("test", ("header",), 10, 0.0)
    store.add("k", ("k", [17, 110]), 1.0)
    assert store.get("k") == ("k", [17, 110])
    flipped = bytearray(store.entries["k"])
    flipped[-4] ^= 1  # the low byte of the last int
    assert marshal.loads(bytes(flipped[DIGEST:])) == ("k", [17, 111])  # still decodes...
    store.entries["k"] = bytes(flipped)
    assert store.get("k") is None and store.repair  # ...but is refused, and the file repaired
