"""Result cache: per-file rule results keyed by file content, cross-file results keyed by the
whole workspace's inputs; everything keyed by clawlint's version and the effective settings.

Layout (like ruff's): `<cache-dir>/<version>/<sha256(root + settings)>.json`, with a
`CACHEDIR.TAG` and a `.gitignore` of `*` at the top. Writes are atomic; any problem reading
or writing the cache silently falls back to linting without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

from clawlint import __version__
from clawlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by clawlint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


def today() -> str:
    """The date rules compare against (the same clock they use: CLAWLINT_TODAY or the system)."""
    from clawlint.memory_support import today as clock

    return clock().isoformat()


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return _jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def settings_fingerprint(settings: Any, active: set[str], extra: dict[str, Any]) -> str:
    data = {
        "version": __version__,
        "settings": _jsonable(settings),
        "active": sorted(active),
        "today": today(),
        **extra,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def diag_to_json(d: Diagnostic) -> dict[str, Any]:
    out = d.to_dict()
    out["raw_severity"] = d.severity.value if d.severity else None
    out["extra"] = _jsonable(d.extra)
    return out


def _decoded(diags: Any) -> list[Diagnostic] | None:
    """Cached findings, or None when the entry is damaged (a cache miss, never an error)."""
    try:
        return [diag_from_json(o) for o in diags]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def diag_from_json(o: dict[str, Any]) -> Diagnostic:
    fix = None
    if o.get("fix"):
        f = o["fix"]
        fix = Fix(
            title=f["title"],
            edits=tuple(Edit(e["start"], e["end"], e["content"]) for e in f["edits"]),
            applicability=Applicability(f["applicability"]),
            rename_to=f.get("rename_to"),
        )
    sev = o.get("raw_severity")
    return Diagnostic(
        code=o["code"], message=o["message"], path=o["path"], line=o["line"], column=o["column"],
        end_line=o["end_line"], end_column=o["end_column"],
        severity=Severity(sev) if sev else None, fix=fix, help=o.get("help"),
        extra=o.get("extra") or {},
    )


class ResultCache:
    def __init__(self, root: Path, cache_dir: str, key: str) -> None:
        self.base = cache_base(root, cache_dir)
        self.path = self.base / __version__ / f"{key}.json"
        # The last run's raw results per rule (small; read first so that a warm run needs
        # neither the per-file table nor the check modules): `<key>.run.json`.
        self.run_path = self.base / __version__ / f"{key}.run.json"
        self._data: dict[str, Any] | None = None
        self._disk_files = False
        self.dirty = False
        self.run_record: dict[str, Any] = {"inputs": None, "rules": {}}
        self.run_dirty = False
        self._ran_sets: dict[str, set[str]] = {}
        self._ran_dirty: set[str] = set()
        # rel -> (stored findings by rule, rules that ran) when the file's entry matches its
        # content, None when not: looked up once per file, not once per (file, rule).
        self._index: dict[str, tuple[dict[str, Any], set[str]] | None] = {}

    @property
    def data(self) -> dict[str, Any]:
        if self._data is None:
            self._data = {"files": {}, "workspace": {}}
            loaded = _read_json(self.path)
            if isinstance(loaded, dict) and "files" in loaded and "workspace" in loaded:
                self._data = loaded
            for section in ("files", "workspace", "scoped"):  # a damaged file: start afresh
                if not isinstance(self._data.get(section), dict):
                    self._data[section] = {}
            files = self._data["files"]
            for rel in [r for r, e in files.items()
                        if not (isinstance(e, dict) and isinstance(e.get("rules", {}), dict))]:
                del files[rel]
            ws = self._data["workspace"]
            if not isinstance(ws.get("rules", {}), dict):
                ws.clear()
            # Only entries read from disk can hold a hit: each rule runs once per run.
            self._disk_files = bool(self._data["files"])
        return self._data

    # whole-run record: {"inputs": hash, "rules": {code: [diag...]}} for rules that were cacheable
    def load_run(self, inputs: str) -> dict[str, list[Diagnostic]]:
        """Raw diagnostics per rule from the previous run with the same inputs (same key)."""
        loaded = _read_json(self.run_path)
        if not isinstance(loaded, dict) or loaded.get("inputs") != inputs:
            return {}
        rules = loaded.get("rules")
        if not isinstance(rules, dict):
            return {}
        out = {code: _decoded(diags) for code, diags in rules.items()}
        if any(v is None for v in out.values()):
            return {}  # damaged: run the rules
        self.run_record = loaded
        return {code: v for code, v in out.items() if v is not None}

    def record_run(self, inputs: str, code: str, diags: list[Diagnostic]) -> None:
        if self.run_record.get("inputs") != inputs:
            self.run_record = {"inputs": inputs, "rules": {}}
        self.run_record["rules"][code] = [diag_to_json(d) for d in diags]
        self.run_dirty = True

    # per-file: files[rel] = {"sha": ..., "ran": "CODE CODE ...", "rules": {code: [diag...]}}
    # Only non-empty results are stored; "ran" lists every rule that ran on that content, so a
    # clean file costs one short string instead of an empty list per rule (10,000 cards x 40
    # rules would otherwise dominate the cache's size, memory and write time).
    def _ran(self, rel: str, entry: dict[str, Any]) -> set[str]:
        ran = self._ran_sets.get(rel)
        if ran is None:
            raw = entry.get("ran", "")
            ran = set(raw.split()) if isinstance(raw, str) else set()
            self._ran_sets[rel] = ran
        return ran

    def split_files(self, code: str, files: list[Any]) -> tuple[list[Any], list[Diagnostic]]:
        """(the files `code` must check, the cached findings of `code` on the others): a file
        is served when its entry is for its current content and `code` ran on it (findings
        stored, or none). A damaged entry is a miss."""
        table = self.data["files"]  # loads the file, which sets _disk_files
        if not self._disk_files:
            return list(files), []
        index = self._index
        todo: list[Any] = []
        found: list[Diagnostic] = []
        for f in files:
            rel = f.rel
            known = index.get(rel, False)
            if known is False:  # first look at this file in this run
                entry = table.get(rel)
                known = index[rel] = ((entry.setdefault("rules", {}), self._ran(rel, entry))
                                      if entry and entry.get("sha") == f.sha256 else None)
            if known is None:
                todo.append(f)
                continue
            stored = known[0].get(code)
            if stored is None:
                if code not in known[1]:
                    todo.append(f)
                continue
            decoded = _decoded(stored)
            if decoded is None:
                todo.append(f)
            else:
                found.extend(decoded)
        return todo, found

    def put_files(self, code: str, results: list[tuple[str, str | None, list[Diagnostic]]]) -> None:
        table = self.data["files"]
        ran_sets, ran_dirty = self._ran_sets, self._ran_dirty
        for rel, sha, diags in results:
            if sha is None:
                continue
            entry = table.get(rel)
            if not entry or entry.get("sha") != sha:
                entry = table[rel] = {"sha": sha, "ran": "", "rules": {}}
                ran = ran_sets[rel] = set()
            else:
                ran = self._ran(rel, entry)
            if code not in ran:
                ran.add(code)
                ran_dirty.add(rel)
            rules = entry["rules"]
            if diags:
                rules[code] = [diag_to_json(d) for d in diags]
            elif rules:  # most files have no findings at all
                rules.pop(code, None)
        self.dirty = True

    def put_file(self, rel: str, sha: str | None, code: str, diags: list[Diagnostic]) -> None:
        if sha is None:
            return
        entry = self.data["files"].get(rel)
        if not entry or entry.get("sha") != sha:
            entry = {"sha": sha, "ran": "", "rules": {}}
            self.data["files"][rel] = entry
            self._ran_sets[rel] = set()
        ran = self._ran(rel, entry)
        if code not in ran:
            ran.add(code)
            self._ran_dirty.add(rel)
        if diags:
            entry["rules"][code] = [diag_to_json(d) for d in diags]
        else:
            entry["rules"].pop(code, None)
        self.dirty = True

    # workspace rules: workspace = {"inputs": hash, "rules": {code: [diag...]}}
    def get_workspace(self, inputs: str, code: str) -> list[Diagnostic] | None:
        ws = self.data["workspace"]
        if ws.get("inputs") != inputs:
            return None
        hit = ws.get("rules", {}).get(code)
        return None if hit is None else _decoded(hit)

    def put_workspace(self, inputs: str, code: str, diags: list[Diagnostic]) -> None:
        ws = self.data["workspace"]
        if ws.get("inputs") != inputs:
            ws.clear()
            ws.update({"inputs": inputs, "rules": {}})
        ws["rules"][code] = [diag_to_json(d) for d in diags]
        self.dirty = True

    # workspace rules with declared inputs: scoped = {code: {"inputs": hash, "diags": [...]}}
    def get_scoped(self, inputs: str, code: str) -> list[Diagnostic] | None:
        entry = self.data["scoped"].get(code)
        if not isinstance(entry, dict) or entry.get("inputs") != inputs:
            return None
        hit = entry.get("diags")
        return _decoded(hit) if isinstance(hit, list) else None

    def has_file_results(self) -> bool:
        """Whether any per-file result is stored (a run after an edit, not a cold one)."""
        return bool(self.data["files"])

    def has_scoped(self, code: str) -> bool:
        """Whether any result of `code` is stored (for whichever inputs)."""
        return isinstance(self.data["scoped"].get(code), dict)

    def put_scoped(self, inputs: str, code: str, diags: list[Diagnostic]) -> None:
        self.data["scoped"][code] = {"inputs": inputs, "diags": [diag_to_json(d) for d in diags]}
        self.dirty = True

    def prune(self, live: set[str]) -> None:
        if self._data is None:
            return  # not read this run (whole-run fast path): nothing to prune
        for rel in list(self.data["files"]):
            if rel not in live:
                del self.data["files"][rel]
                self.dirty = True

    def save(self) -> None:
        if self._data is not None:
            for rel in self._ran_dirty:
                entry = self._data["files"].get(rel)
                if entry is not None:
                    entry["ran"] = " ".join(sorted(self._ran_sets.get(rel, ())))
            self._ran_dirty.clear()
        if self.dirty and self._data is not None:
            self._write(self.path, self._data)
        if self.run_dirty:
            self._write(self.run_path, self.run_record)

    def _write(self, path: Path, data: dict[str, Any]) -> None:
        ensure_cache_dir_quiet(self.base)
        _write_json_atomic(path, data)


def ensure_cache_dir_quiet(base: Path) -> None:
    with contextlib.suppress(OSError):
        ensure_cache_dir(base)


def _write_json_atomic(path: Path, data: Any) -> None:
    from clawlint.atomic import write_quietly

    # dumps uses the C encoder; a read-only workspace simply runs without a cache.
    write_quietly(path, json.dumps(data, separators=(",", ":")).encode("utf-8"))


def _read_json(path: Path) -> Any:
    from clawlint.atomic import read_cache_bytes

    data = read_cache_bytes(path)
    if data is None:
        return None
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


def cache_base(root: Path, cache_dir: str) -> Path:
    """The result cache folder: `cache-dir` (default .clawlint_cache) relative to the root."""
    base = Path(cache_dir or ".clawlint_cache")
    return base if base.is_absolute() else Path(root) / base


def ensure_cache_dir(base: Path) -> None:
    base.mkdir(parents=True, exist_ok=True)
    tag = base / "CACHEDIR.TAG"
    if not tag.exists():
        tag.write_text(CACHEDIR_TAG, encoding="utf-8")
    ignore = base / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Automatically created by clawlint.\n*\n", encoding="utf-8")


class StatCache:
    """size + mtime + inode + ctime -> SHA-256 of files read in earlier runs.

    Results stay keyed by content; this only avoids re-reading a file to learn its hash when
    its stat is unchanged. Like git's racy-index rule, a file whose mtime is not at least two
    seconds older than the start of the run that recorded it is never trusted.
    """

    RACY_NS = 2_000_000_000

    def __init__(self, base: Path) -> None:
        import time

        self.path = base / __version__ / "stats.json"
        self.started = time.time_ns()
        loaded = _read_json(self.path)
        ok = (isinstance(loaded, dict) and isinstance(loaded.get("files"), dict)
              and type(loaded.get("started", 0)) is int)
        self.old: dict[str, list[Any]] = {
            rel: e for rel, e in loaded["files"].items() if isinstance(e, list) and len(e) == 6
        } if ok else {}
        self.recorded_at: int = loaded.get("started", 0) if ok else 0

    def apply(self, files: dict[str, Any]) -> None:
        import stat as st_mod

        limit = self.recorded_at - self.RACY_NS
        for rel, f in files.items():
            e = self.old.get(rel)
            if not e or f._loaded or f.is_symlink or len(e) != 6:
                continue
            try:
                st = os.stat(f.abspath)
            except OSError:
                continue
            # ctime too (git's trustctime): `cp -p` or `touch -r` keep size and mtime.
            if (st_mod.S_ISREG(st.st_mode) and st.st_mtime_ns < limit
                    and [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns] == [*e[:3], e[5]]):
                f._stat_sha = e[3]
                f._no_directives = not e[4]
                f.size = st.st_size
                f.stat_full = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_mode]

    def save(self, files: dict[str, Any]) -> None:
        new: dict[str, list[Any]] = {}
        for rel, f in files.items():
            if f._loaded:
                if (f._sha and f.problem is None and f.stat_key and f.stat_full
                        and not f.is_symlink and not f.unstable):
                    new[rel] = [*f.stat_key, f._sha, int(f.may_have_directives), f.stat_full[2]]
            elif f._stat_sha is not None and rel in self.old:
                new[rel] = self.old[rel]
        if new == self.old:
            return
        ensure_cache_dir_quiet(self.path.parent.parent)
        _write_json_atomic(self.path, {"started": self.started, "files": new})
