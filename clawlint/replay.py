"""Replay of an unchanged `clawlint check`: the no-op pre-commit run, without the imports.

A warm run already skips every rule (the result cache's whole-run record), but reaching that
point means importing the CLI, settings, registry and engine, which costs more than the check
itself. So a `check` whose findings came entirely from cacheable rules also leaves a replay
record: exactly what it printed and its exit code, plus the stat of everything it depended on.
The next identical invocation (same arguments, working directory, environment, date,
terminals and clawlint) compares those stats and, if nothing changed, prints the same output
without importing anything else.

What a record depends on: every file the rules read, by its stat (size, mtime, ctime,
inode, mode) from just before it was read; every folder of the workspace walk, by its typed
entries as the scan saw them; whether the path arguments and the workspace markers and `.git`
that located the workspace exist; each clawlint config candidate from the root up to `/`,
openclaw.json and the state directory's files, stat'd before they were read; and clawlint's own
code and rule pages. Nothing is recorded when an input changed while the run used it or has an
mtime within two seconds of the run's start (git's racy-index rule). Workspaces with symlinks,
configs with $include files or load problems, non-workspace path arguments, runs with
uncacheable rules (embedding servers, --online), internal errors, fixes, diffs, --verbose and
--no-cache never record. Records live in the per-user cache (`$XDG_CACHE_HOME/clawlint/replay`).

This module imports only the standard library's cheapest parts: it runs before anything else.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

FORMAT = 2
RACY_NS = 2_000_000_000
MAX_RECORDS = 256
# Variables that differ between otherwise identical invocations without changing anything.
_VOLATILE_ENV = frozenset({"_", "OLDPWD"})

_key: str | None = None
_argv: list[str] | None = None
started_ns: int = 0


def _cache_dir() -> str:
    from clawlint.paths import user_cache_dir

    return os.path.join(user_cache_dir(), "replay")


def _today() -> str:
    # The date the rules use (clawlint.memory_support.today): CLAWLINT_TODAY when it is a
    # date, else the clock. Both go into the key, so a malformed value cannot freeze it.
    forced = os.environ.get("CLAWLINT_TODAY", "").strip()
    return f"{forced}|{time.strftime('%Y-%m-%d')}"


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def compute_key(argv: list[str]) -> str:
    import hashlib

    from clawlint import __version__

    env = sorted((k, v) for k, v in os.environ.items() if k not in _VOLATILE_ENV)
    material = json.dumps(
        [FORMAT, __version__, sys.executable, sys.version, argv, os.getcwd(), env, _today(),
         _isatty(sys.stdout), _isatty(sys.stderr), _isatty(sys.stdin)],
        separators=(",", ":"),
    )
    return hashlib.sha256(material.encode("utf-8", "surrogateescape")).hexdigest()


def begin(argv: list[str]) -> str | None:
    """Note the key and start time of this run (the recording side); None if unavailable."""
    global _key, _argv, started_ns
    started_ns = time.time_ns()
    _argv = list(argv)
    _early.clear()  # stats taken early belong to one run
    if disabled():
        _key = None
        return None
    try:
        _key = compute_key(argv)
    except (OSError, ValueError):  # a deleted working directory, an odd environment
        _key = None
    return _key


# Dependencies, as the recording run hands them over:
#   "path"                            its stat (or absence), taken when the record is saved
#   ("st", path, stat)                a file the run read: its stat from just before reading
#   ("ls", folder, leave_out, names)  the folder's typed entries as the workspace scan saw
#                                     them (names=None: listed when the record is saved)
#   ("ex", path, exists)              only whether the path exists (workspace markers)
# Stats taken before reading are compared with the stats at save time: a file changed while
# the run was reading it (even by `cp -p`, which restores the old mtime) is never recorded.
# Folders are compared by listing, not mtime: the first run creates .clawlint_cache in the
# workspace root, and a listing has no racy window.
Dep = str | tuple[Any, ...]


def _listing(path: str, leave_out: list[str] | tuple[str, ...]) -> list[str] | None:
    """A folder's entries typed as the workspace scan types them (`d:`, `f:`, `l:` + name),
    leaving out directories the scan skips: a file turned into a folder or a link counts."""
    out = []
    try:
        with os.scandir(path) as it:
            for e in it:
                if e.is_symlink():
                    out.append("l:" + e.name)
                elif e.is_dir(follow_symlinks=False):
                    if e.name not in leave_out:
                        out.append("d:" + e.name)
                else:
                    out.append("f:" + e.name)
    except OSError:
        return None
    return sorted(out)


def stat_of(path: str) -> list[Any]:
    """[size, mtime, ctime, inode, mode] of a path, [] when it does not exist."""
    try:
        st = os.stat(path)
    except OSError:
        return []
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_mode]


def _stat(path: str) -> list[Any]:
    return [path, *stat_of(path)]


def disabled() -> bool:
    from clawlint.paths import switched_on

    return switched_on("CLAWLINT_NO_REPLAY")


def _well_formed(record: Any) -> bool:
    """A record this version wrote: the right format, deps a list of lists, outputs
    (kind, target, text) with known kinds and text, and an exit code clawlint uses."""
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        return False
    deps, outputs, code = record.get("deps"), record.get("outputs"), record.get("exit")
    if not isinstance(deps, list) or not all(isinstance(d, list) and d for d in deps):
        return False
    if not isinstance(outputs, list) or type(code) is not int or code not in (0, 1, 2):
        return False
    for out in outputs:
        if not (isinstance(out, list) and len(out) == 3 and out[0] in ("stdout", "stderr", "file")
                and isinstance(out[2], str)
                and (isinstance(out[1], str) and out[1] if out[0] == "file" else True)):
            return False
    return True


def try_replay(argv: list[str]) -> int | None:
    """Print the recorded output and return the exit code, or None to run normally."""
    if disabled() or "--no-cache" in argv:
        return None
    try:
        from clawlint.atomic import read_cache_bytes

        key = compute_key(argv)
        raw = read_cache_bytes(os.path.join(_cache_dir(), key + ".json"))
        record = json.loads(raw) if raw is not None else None
        if not _well_formed(record):
            return None  # missing, or a damaged or foreign record: run normally
        for dep in record["deps"]:
            if dep[0] == "ls":
                if _listing(dep[1], dep[2]) != dep[3]:
                    return None
            elif dep[0] == "ex":
                if os.path.exists(dep[1]) != dep[2]:
                    return None
            elif stat_of(dep[1]) != dep[2]:
                return None
        outputs = record["outputs"]
        code = int(record["exit"])
        # Everything that can fail goes first, so a fallback to a normal run prints nothing
        # twice: each text must encode for its stream, and files are written before streams.
        for kind, _target, text in outputs:
            if kind != "file":
                stream = sys.stderr if kind == "stderr" else sys.stdout
                text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (OSError, ValueError, KeyError, TypeError, IndexError, LookupError, RecursionError,
            AttributeError):
        return None
    for kind, target, text in outputs:
        if kind == "file":
            try:
                parent = os.path.dirname(target)
                if parent:
                    os.makedirs(parent, exist_ok=True)
                with open(target, "w", encoding="utf-8") as fh:
                    fh.write(text)
            except OSError:
                return None  # let the normal run report the error
    try:
        for kind, _target, text in outputs:
            if kind != "file":
                stream = sys.stderr if kind == "stderr" else sys.stdout
                if stream is None:  # closed (`>&-`): nothing to print to, as for click.echo
                    continue
                stream.write(text)
                stream.flush()
    except BrokenPipeError:  # `| head`: the reader left; the findings' exit code stands
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes
        except (OSError, AttributeError, ValueError):
            pass
        return code
    except OSError as exc:  # e.g. a full disk: the same line and exit code as a normal run
        try:
            sys.stderr.write(f"clawlint: error: internal error: {type(exc).__name__}: {exc} "
                             "(run with --verbose for details)\n")
        except (OSError, AttributeError):
            pass
        return 2
    return code


class Recorder:
    """Collects what a `check` printed; `save()` writes the record if the run qualifies."""

    def __init__(self) -> None:
        self.outputs: list[tuple[str, str, str]] = []
        self.eligible = _key is not None

    def disqualify(self) -> None:
        self.eligible = False

    def stdout(self, text: str) -> None:
        self._add("stdout", "", text)

    def stderr(self, text: str) -> None:
        self._add("stderr", "", text)

    def file(self, path: str, text: str) -> None:
        self._add("file", os.path.abspath(path), text)

    def _add(self, kind: str, target: str, text: str) -> None:
        # Colour: the decision (--color, NO_COLOR, whether stdout is a terminal) is in the key,
        # and on POSIX click writes escape codes unchanged; Windows consoles translate them.
        if "\x1b" in text and os.name != "posix":
            self.eligible = False
        self.outputs.append((kind, target, text))

    def save(self, deps: Callable[[], list[Dep] | None], exit_code: int) -> None:
        """Write the record if this run qualifies; `deps` is only called when it does. Never
        raises: a replay record is an optimisation, not part of the result."""
        if not self.eligible or _key is None or _argv != sys.argv[1:]:
            return
        try:
            found = deps()
            if found is None:
                return
            record = _record(found, self.outputs, exit_code)
        except Exception:  # noqa: BLE001 - e.g. an unreadable config candidate: no record
            return
        if record is not None:
            _write(record)


_early: dict[str, list[Any]] = {}


def stat_early(paths: list[str]) -> None:
    """Stat `paths` for the record now, once every read of them is done (the parent calls this
    while it waits for its forked child), so the record's own pass at the end has less to do.
    A stat taken after the last read is as good as one taken at the end: a change after it
    shows as a different stat to the next run, which then runs normally."""
    if _key is None or disabled():
        return
    for p in paths:
        _early[p] = stat_of(p)


def _record(deps: list[Dep], outputs: list[tuple[str, str, str]], exit_code: int
            ) -> dict[str, Any] | None:
    limit = started_ns - RACY_NS
    out: list[list[Any]] = []
    seen: set[Any] = set()
    for dep in [*deps, *code_files()]:
        ident = dep if isinstance(dep, str) else dep[:2]
        if ident in seen:
            continue
        seen.add(ident)
        if isinstance(dep, str):
            dep = ("st", dep, None)
        if dep[0] == "ls":
            _tag, folder, leave_out, names = dep
            now = _listing(folder, leave_out)
            if names is not None and now != sorted(names):
                return None  # an entry came or went while the run was working
            out.append(["ls", folder, list(leave_out), now])
            continue
        if dep[0] == "ex":
            if os.path.exists(dep[1]) != dep[2]:
                return None  # appeared or vanished while the run was working
            out.append(["ex", dep[1], dep[2]])
            continue
        _tag, path, before = dep
        now = _early.pop(path, None)
        if now is None:
            now = stat_of(path)
        if before is not None and list(before) != now:
            return None  # changed while the run was reading it
        if now and now[1] >= limit:
            return None  # changed too recently to trust an unchanged stat later
        out.append(["st", path, now])
    return {"format": FORMAT, "deps": out, "outputs": outputs, "exit": exit_code}


def _write(record: dict[str, Any]) -> None:
    from pathlib import Path

    from clawlint.cache import _write_json_atomic  # the recording run has it loaded already

    base = _cache_dir()
    try:
        os.makedirs(base, mode=0o700, exist_ok=True)  # records hold report text: owner only
        _write_json_atomic(Path(base) / f"{_key}.json", record)  # a read-only home: skipped
        _prune(base)
    except OSError:
        pass  # no replay, nothing else changes


def _prune(base: str) -> None:
    """Keep the newest records (pre-commit passes ever-changing file lists)."""
    with os.scandir(base) as it:
        entries = [e for e in it if e.name.endswith(".json")]
    if len(entries) <= MAX_RECORDS:
        return
    entries.sort(key=lambda e: e.stat().st_mtime_ns)
    for e in entries[: len(entries) - MAX_RECORDS // 2]:
        try:
            os.unlink(e.path)
        except OSError:
            pass


def code_files() -> list[Dep]:
    """clawlint's own modules, data and rule pages: editing any of them must not replay."""
    from clawlint.ruledocs import rules_dir

    pkg = os.path.dirname(os.path.abspath(__file__))
    out: list[str] = []
    for top in dict.fromkeys([pkg, str(rules_dir())]):
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            out.append(("ls", dirpath, ("__pycache__",), None))  # a new module counts too
            out.extend(os.path.join(dirpath, n) for n in sorted(filenames))
    return out
