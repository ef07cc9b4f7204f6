"""A directory of hostile files yields diagnostics and exit 0/1, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def build_hostile(root: Path) -> None:
    (root / "memory" / "cards").mkdir(parents=True)
    (root / "skills" / "x").mkdir(parents=True)
    (root / "hooks" / "h").mkdir(parents=True)
    (root / "AGENTS.md").write_bytes(b"# Agents\n\xff\xfe bad bytes\n")
    (root / "SOUL.md").write_bytes(b"")
    (root / "USER.md").write_bytes(b"\xef\xbb\xbf# User with BOM\n")
    (root / "IDENTITY.md").write_bytes(b"name\x00\x00binary")
    (root / "MEMORY.md").write_bytes(b"# M\n" + b"x" * (2 * 1024 * 1024 + 10))
    (root / "memory" / "cards" / "bad.md").write_text("---\ntopic: [unclosed\ntags: x\n---\nbody\n")
    (root / "memory" / "cards" / "open.md").write_text("---\ntopic: never closed\n")
    (root / "memory" / "cards" / "break.md").write_text("---\n\nA thematic break, not frontmatter.\n")
    (root / "memory" / "cards" / "dupkeys.md").write_text("---\ntopic: a\ntopic: b\n---\n")
    (root / "memory" / "cards" / "list.md").write_text("---\n- a\n- b\n---\n")
    (root / "memory" / "cards" / "scalar.md").write_text("---\njust a string\n---\n")
    (root / "memory" / "cards" / "baddate.md").write_text("---\ncreated: 2026-02-30\n---\n")
    (root / "memory" / "cards" / "anchors.md").write_text("---\na: &x [1]\nb: *x\nc: !!python/object {}\n---\n")
    (root / "memory" / "2026-13-45.md").write_text("# impossible date\n")
    (root / "memory" / "blob.bin").write_bytes(os.urandom(64))
    (root / "skills" / "x" / "SKILL.md").write_text("---\nname: x\ndescription: a: b\n---\n")
    (root / "hooks" / "h" / "HOOK.md").write_text("---\nmetadata: {openclaw: \n---\n")
    (root / "hooks" / "h" / "handler.ts").write_bytes(b"\x00\x01")
    (root / "openclaw.json").write_text("{ agents: { defaults: { bootstrapMaxChars: , } }")
    os.symlink("loop1.md", root / "memory" / "loop2.md")
    os.symlink("loop2.md", root / "memory" / "loop1.md")
    os.symlink("/etc/hostname", root / "TOOLS.md")
    os.symlink("missing-target.md", root / "HEARTBEAT.md")
    os.symlink(".", root / "memory" / "self")  # a directory loop
    os.mkfifo(root / "BOOTSTRAP.md")
    unreadable = root / "memory" / "secret.md"
    unreadable.write_text("# no access\n")
    unreadable.chmod(0)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    build_hostile(tmp_path)
    return tmp_path


@pytest.mark.parametrize("fmt", ["full", "json", "sarif", "github", "gitlab", "junit"])
def test_hostile_workspace_never_crashes(hostile: Path, fmt: str):
    proc = subprocess.run(
        [sys.executable, "-m", "clawlint", "check", str(hostile), "--select", "ALL",
         "--output-format", fmt, "--no-cache"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr


def test_hostile_findings(hostile: Path):
    proc = subprocess.run(
        [sys.executable, "-m", "clawlint", "check", str(hostile), "--select", "PAR",
         "--output-format", "json"],
        capture_output=True, text=True, timeout=120,
    )
    found = {(d["code"], d["path"]) for d in json.loads(proc.stdout)}
    expected = {
        ("PAR002", "AGENTS.md"),
        ("PAR003", "IDENTITY.md"),
        ("PAR004", "MEMORY.md"),
        ("PAR007", "memory/cards/bad.md"),
        ("PAR007", "memory/cards/open.md"),
        ("PAR005", "memory/loop1.md"),
        ("PAR005", "memory/loop2.md"),
        ("PAR006", "TOOLS.md"),
        ("PAR005", "HEARTBEAT.md"),
        ("PAR001", "BOOTSTRAP.md"),
        ("PAR007", "skills/x/SKILL.md"),
        ("PAR007", "hooks/h/HOOK.md"),
    }
    assert expected <= found, expected - found
    assert ("PAR007", "memory/cards/break.md") not in found  # thematic break
    by_path = {d["path"]: d for d in json.loads(proc.stdout) if d["code"] == "PAR002"}
    assert by_path["AGENTS.md"]["line"] == 2  # the line of the first bad byte


# ---- inputs built to hurt the parsers (found by a fuzzing review) ----------------------------


def _lint_all(root: Path) -> list:
    from helpers import lint

    return lint(root, ["ALL"])


def test_deep_yaml_nesting_is_a_diagnostic_not_a_crash(tmp_path: Path):
    # libyaml's C parser recursed until the process died (exit 139) at ~30,000 levels.
    from helpers import write_files

    d = 30000
    write_files(tmp_path, {"AGENTS.md": "# A\n",
                           "memory/cards/deep.md": f"---\ntopic: {'[' * d}{']' * d}\n---\n# x\n",
                           "skills/s/SKILL.md": f"---\nname: s\ndescription: {'{a: ' * 500}1{'}' * 500}\n---\n"})
    diags = _lint_all(tmp_path)
    par = [x for x in diags if x.code == "PAR007" and x.path == "memory/cards/deep.md"]
    assert len(par) == 1 and "nests more than 100 levels" in par[0].message


def test_yaml_alias_bomb_is_refused(tmp_path: Path):
    from helpers import write_files

    lol = '---\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 9):
        lol += f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join(["*" + chr(96 + i)] * 9) + "]\n"
    card = lol + "topic: *i\ntags: *i\n---\n# x\n"
    write_files(tmp_path, {"AGENTS.md": "# A\n", "memory/cards/lol.md": card,
                           "skills/s/SKILL.md": lol + "name: s\ndescription: *i\n---\n"})
    diags = _lint_all(tmp_path)
    par = [x for x in diags if x.code == "PAR007" and x.path == "memory/cards/lol.md"]
    assert len(par) == 1 and "alias bomb" in par[0].message


def test_a_long_digit_blob_line_is_not_scanned_for_stamps(tmp_path: Path):
    # 30,000 digits on one line made the date patterns backtrack for seconds.
    from helpers import codes, lint, write_files

    write_files(tmp_path, {"AGENTS.md": "# A\n",
                           "MEMORY.md": "# M\n\n" + "7" * 30000 + "\n- Last updated: 2026-11-20 09:14\n"})
    assert codes(lint(tmp_path, ["CV001"])) == ["CV001"]  # the real stamp is still found


def test_include_of_a_fifo_does_not_block(tmp_path: Path):
    from helpers import lint, write_files

    os.mkfifo(tmp_path / "pipe.json5")
    write_files(tmp_path, {"AGENTS.md": "# A\n", "openclaw.json": '{ $include: "./pipe.json5" }'})
    diags = lint(tmp_path, ["PAR008", "CFG001"])
    assert any("not a regular file" in x.message for x in diags)


def test_a_5000_digit_number_reads_as_a_js_number(tmp_path: Path):
    from clawlint import json5

    assert json5.loads("{a: " + "9" * 5000 + "}") == {"a": float("inf")}


def test_non_utf8_clawlint_config_is_a_one_line_error(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfe select = []\n")
    (tmp_path / "AGENTS.md").write_text("# A\n")
    r = subprocess.run([sys.executable, "-m", "clawlint", "check", str(tmp_path), "--config", str(bad)],
                       capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    assert r.returncode == 2 and "Traceback" not in r.stderr and "not UTF-8" in r.stderr


@pytest.mark.parametrize("data, encoding", [
    ("\ufeff# Agents\n\nBe brief. Café.\n".encode("utf-16-le"), "UTF-16 (little-endian)"),
    ("\ufeff# Agents\n\nBe brief.\n".encode("utf-16-be"), "UTF-16 (big-endian)"),
    ("# Agents\n\nBe brief, no BOM here.\n".encode("utf-16-le"), "UTF-16 (little-endian)"),
    ("\ufeff# Agents\n".encode("utf-32-le"), "UTF-32 (little-endian)"),
    ("\ufeff代理规则简短友好".encode("utf-16-le"), "UTF-16 (little-endian)"),  # no NUL byte at all
])
def test_utf16_files_are_named_as_such_not_called_binary(tmp_path: Path, data, encoding):
    from helpers import lint, write_files

    write_files(tmp_path, {"AGENTS.md": data, "SOUL.md": b"bin\x00\x01\x02ary\x00data"})
    diags = {d.path: d for d in lint(tmp_path, ["PAR"])}
    assert diags["AGENTS.md"].code == "PAR002"
    assert f"file is {encoding}, not UTF-8" in diags["AGENTS.md"].message
    assert "Re-save it as UTF-8" in diags["AGENTS.md"].message
    assert diags["SOUL.md"].code == "PAR003"  # real binary stays binary


def test_include_fan_out_is_read_once_per_chain(tmp_path: Path):
    """40 x 40 x 40 includes of the same files took 18 s (64,000 reads and parses, and as
    many entries hashed); each file is now loaded once per include chain."""
    import json

    from helpers import lint

    (tmp_path / "AGENTS.md").write_text("# A\n")
    (tmp_path / "openclaw.json").write_text(json.dumps({"$include": ["a.json"] * 40}))
    (tmp_path / "a.json").write_text(json.dumps({"$include": ["b.json"] * 40}))
    (tmp_path / "b.json").write_text(json.dumps({"$include": ["c.json"] * 40}))
    (tmp_path / "c.json").write_text(json.dumps({"memory": {"search": {"provider": "ollama"}}}))
    from clawlint.config import Settings
    from clawlint.workspace import Workspace

    cfg = Workspace(tmp_path, Settings(), None).openclaw
    assert cfg.get("memory", "search", "provider") == "ollama"
    assert len(cfg.files) == 4 and not cfg.issues
    assert lint(tmp_path, ["CFG", "MS", "PAR"]) is not None


def test_include_explosion_of_distinct_files_is_bounded(tmp_path: Path):
    import json

    from clawlint.config import Settings
    from clawlint.knowledge import config as kc
    from clawlint.workspace import Workspace

    (tmp_path / "AGENTS.md").write_text("# A\n")
    width = 12  # 12 + 144 + 1,728 distinct (file, chain) loads through three levels
    (tmp_path / "openclaw.json").write_text(json.dumps({"$include": [f"a{i}.json" for i in range(width)]}))
    for i in range(width):
        (tmp_path / f"a{i}.json").write_text(json.dumps({"$include": [f"b{j}.json" for j in range(width)]}))
        (tmp_path / f"b{i}.json").write_text(json.dumps({"$include": [f"c{j}.json" for j in range(width)]}))
        (tmp_path / f"c{i}.json").write_text(json.dumps({"agents": {"defaults": {f"k{i}": 1}}}))
    cfg = Workspace(tmp_path, Settings(), None).openclaw
    msgs = [i.message for i in cfg.issues if i.kind == "include"]
    assert len(msgs) == 1 and f"more than {kc.MAX_INCLUDE_LOADS} loads" in msgs[0]


def test_a_long_prose_line_is_still_scanned(tmp_path: Path):
    # A paragraph written on one line (editors and models produce them) is prose, not a blob.
    from helpers import codes, lint, write_files

    para = ("Last updated: 2026-11-20 09:14. "
            + "We keep the gateway on the NAS and check backups weekly. " * 36)
    assert len(para) > 2000
    write_files(tmp_path, {"AGENTS.md": "# A\n\n" + para + "\n"})
    assert codes(lint(tmp_path, ["CV001"])) == ["CV001"]


def test_a_long_line_of_dated_sentences_is_scanned_sentence_by_sentence(tmp_path: Path):
    # Each date-time's context was searched across the whole line: 22 KB took 12 s and 98 KB
    # over two minutes. A bound, not a timing: it must finish, with the one real stamp found.
    import subprocess
    import sys

    from helpers import write_files

    para = "On 2026-11-20 09:14 we rotated keys. " * 2600 + "Last updated: 2026-11-20 09:14."
    assert len(para) > 90_000
    write_files(tmp_path, {"AGENTS.md": "# A\n\n" + para + "\n"})
    repo = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-m", "clawlint", "check", str(tmp_path), "--select", "CV001",
         "--no-cache", "--output-format", "concise"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(repo), "CLAWLINT_NO_REPLAY": "1"})
    assert out.stdout.count("CV001") == 1 and "Last updated" in out.stdout, out.stdout[-2000:]


def test_a_long_cjk_paragraph_on_one_line_is_prose(tmp_path: Path):
    # No spaces, but clause punctuation: a paragraph, not a blob.
    from helpers import codes, lint, write_files

    para = "最后更新：2026-11-20 09:14 " + "我们把网关放在NAS上，每周检查一次备份。" * 150
    assert len(para) > 2000
    write_files(tmp_path, {"AGENTS.md": "# A\n\n" + para + "\n"})
    assert codes(lint(tmp_path, ["CV001"])) == ["CV001"]


# ---- damaged caches and overlong names (a review of the whole change) ------------------------

def _cli(root: Path, xdg: Path, **env: str) -> subprocess.CompletedProcess:
    e = {**os.environ, "XDG_CACHE_HOME": str(xdg), **env}
    e.pop("CLAWLINT_NO_REPLAY", None)
    e.update(env)
    return subprocess.run([sys.executable, "-m", "clawlint", "check", str(root), "--select", "ALL"],
                          capture_output=True, text=True, timeout=60, env=e)


def _aged_workspace(root: Path) -> None:
    from helpers import write_files

    write_files(root, {"AGENTS.md": "# A\nhi\n", "MEMORY.md": "# M\n",
                       "memory/cards/a.md": "---\ntopic: A\ncategory: c\ntags: [a]\n---\nText.\n"})
    old = 1_767_225_600  # 2026-01-01: old enough for the replay and stat caches
    for p in root.rglob("*"):
        os.utime(p, (old, old))


def test_fifos_in_place_of_cache_files_do_not_block(tmp_path: Path):
    root, xdg = tmp_path / "ws", tmp_path / "xdg"
    _aged_workspace(root)
    first = _cli(root, xdg)
    _cli(root, xdg)
    caches = [p for p in [*(root / ".clawlint_cache").rglob("*.json"),
                          *(xdg / "clawlint").rglob("*")] if p.is_file()]
    assert any(p.suffix == ".marshal" for p in caches) and any("replay" in p.parts for p in caches)
    for p in caches:
        p.unlink()
        os.mkfifo(p)
    again = _cli(root, xdg)  # would block forever on a plain open()
    assert (again.returncode, again.stdout) == (first.returncode, first.stdout), again.stderr


DAMAGED_RECORDS = {
    "not a dict": "[1, 2]",
    "text not a string": '{"format": 2, "deps": [], "outputs": [["stdout", "", 5]], "exit": 0}',
    "file without a name": '{"format": 2, "deps": [], "outputs": [["file", null, "x"]], "exit": 0}',
    "exit overflows": '{"format": 2, "deps": [], "outputs": [], "exit": 1e400}',
    "exit not clawlint's": '{"format": 2, "deps": [], "outputs": [], "exit": 99}',
    "nested too deep": "[" * 100000 + "]" * 100000,
}


@pytest.mark.parametrize("damage", sorted(DAMAGED_RECORDS))
def test_a_damaged_replay_record_means_a_normal_run(tmp_path: Path, damage: str):
    record = DAMAGED_RECORDS[damage]
    root, xdg = tmp_path / "ws", tmp_path / "xdg"
    _aged_workspace(root)
    first = _cli(root, xdg)
    _cli(root, xdg)
    records = list((xdg / "clawlint" / "replay").glob("*.json"))
    assert records
    for r in records:
        r.write_text(record)
    again = _cli(root, xdg)
    assert "Traceback" not in again.stderr and "internal error" not in again.stderr
    assert (again.returncode, again.stdout) == (first.returncode, first.stdout)


def test_a_damaged_result_cache_is_a_miss(tmp_path: Path):
    import json

    root, xdg = tmp_path / "ws", tmp_path / "xdg"
    _aged_workspace(root)
    first = _cli(root, xdg, CLAWLINT_NO_REPLAY="1")
    base = root / ".clawlint_cache"
    damages = [
        ("files", []), ("files", {"AGENTS.md": "x"}), ("files", {"AGENTS.md": {"sha": "s", "rules": []}}),
        ("workspace", {"inputs": "x", "rules": None}), ("scoped", {"MEM001": 5}), ("started", "x"),
    ]
    for key, value in damages:
        for p in base.rglob("*.json"):
            data = json.loads(p.read_text())
            if p.name.endswith(".run.json"):
                data = {"inputs": data.get("inputs"), "rules": {"BS001": "x"}}
            elif isinstance(data, dict):
                data[key] = value
            p.write_text(json.dumps(data))
        again = _cli(root, xdg, CLAWLINT_NO_REPLAY="1")
        assert "internal error" not in again.stderr and "Traceback" not in again.stderr, (key, again.stderr)
        assert (again.returncode, again.stdout) == (first.returncode, first.stdout), key


def test_names_too_long_for_the_filesystem_are_missing_not_errors(tmp_path: Path):
    from helpers import lint, write_files

    long = "a" * 300
    write_files(tmp_path, {"AGENTS.md": "# A\n", "openclaw.json": f'{{ $include: "{long}.json" }}',
                           "MEMORY.md": f"# M\n\n- see memory/cards/{long}.md\n"})
    diags = lint(tmp_path, ["ALL"])  # lint() asserts there is no internal error
    codes = {d.code for d in diags}
    assert "MEM003" in codes and "CFG001" in codes


def test_a_file_read_is_whole_whatever_its_stat_said(tmp_path: Path):
    """Files are read with plain os calls from the size stat gave: a file that grew since (an
    agent appending to a log) is still read to its end, up to the read limit; an empty one is
    empty; what is no longer a regular file (swapped for a FIFO or a device) is not read."""
    import signal

    from clawlint.workspace import _read_regular

    p = tmp_path / "grows.md"
    data = (b"line of a growing daily log\n" * 5000)  # ~140 KB: several reads
    p.write_bytes(data)
    big = 10**7
    assert _read_regular(str(p), 10, big) == data
    assert _read_regular(str(p), len(data), big) == data
    assert _read_regular(str(p), len(data) + 100, big) == data
    assert len(_read_regular(str(p), 10, 1000)) > 1000  # over the limit: the read stops
    e = tmp_path / "empty.md"
    e.write_bytes(b"")
    assert _read_regular(str(e), 0, big) == b""
    if hasattr(os, "mkfifo") and hasattr(signal, "alarm"):
        fifo = tmp_path / "swapped.md"
        os.mkfifo(fifo)
        signal.alarm(10)  # a hang fails the test instead of stalling the suite
        try:
            assert _read_regular(str(fifo), 100, big) is None
        finally:
            signal.alarm(0)
    if os.path.exists("/dev/zero"):
        assert _read_regular("/dev/zero", 10, big) is None  # never read, though endless


def test_one_reader_for_workspace_files_and_caches(tmp_path: Path):
    """atomic.read_fd, the read loop the workspace and the caches share: to the end whatever
    stat said, stopping just past the limit."""
    from clawlint.atomic import read_cache_bytes, read_fd

    p = tmp_path / "f"
    data = bytes(range(256)) * 1000
    p.write_bytes(data)
    for size in (0, 10, len(data), len(data) + 50):
        fd = os.open(p, os.O_RDONLY)
        try:
            assert read_fd(fd, size, 10**7) == data
        finally:
            os.close(fd)
    fd = os.open(p, os.O_RDONLY)
    try:
        assert 1000 < len(read_fd(fd, 10, 1000)) < len(data)  # stops once over the limit
    finally:
        os.close(fd)
    assert read_cache_bytes(p) == data and read_cache_bytes(p, limit=1000) is None
