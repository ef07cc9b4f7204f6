"""Find, parse and resolve the `openclaw.json` that applies to a workspace.

The loader mirrors what OpenClaw does before validation (facts §4): JSON5, `$include` merged
(relative to the including file, deep merge in order, siblings win, at most 10 levels,
confined to the config folder unless OPENCLAW_INCLUDE_ROOTS allows more) and `${VAR}`
substitution. Problems found on the way are kept as `issues`; the CFG/PAR rules report them.
Every key keeps its position (file, line, column), also across included files.

Public API (used by other rule families; keep it stable): see
/work/notes/openclaw_config_contract.md.
"""

from __future__ import annotations

import copy
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clawlint import json5
from clawlint.knowledge import config as kc
from clawlint.knowledge.versions import era_for_version
from clawlint.knowledge.workspace_files import CONFIG_FILENAMES

if TYPE_CHECKING:
    from clawlint.workspace import Workspace

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Loc:
    """Where a key (and its value) is written; `file` is workspace-relative or absolute."""

    file: str
    key: json5.Span | None  # None for array items and file roots
    value: json5.Span | None

    @property
    def span(self) -> json5.Span | None:
        return self.key or self.value


@dataclass
class LoadIssue:
    """A problem found while loading: reported by the rule that owns `kind`.

    kinds: "read" and "parse" (PAR008), "include" (CFG001), "env-unresolved" (CFG002),
    "env-name" (CFG003), "duplicate" (CFG004).
    """

    kind: str
    message: str
    file: str
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None
    path: KeyPath = ()


def format_path(path: KeyPath) -> str:
    """("agents", "list", 0, "memorySearch") -> `agents.list[0].memorySearch`."""
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        elif out:
            out += f".{p}"
        else:
            out = str(p)
    return out or "(root)"


def deep_merge(base: Any, over: Any) -> Any:
    """Objects merge key by key (recursively); anything else: `over` wins (arrays too)."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = deep_merge(out[k], v) if k in out else v
        return out
    return over


def _get(data: Any, path: KeyPath) -> Any:
    cur = data
    for p in path:
        if isinstance(cur, dict) and isinstance(p, str) and p in cur:
            cur = cur[p]
        elif isinstance(cur, list) and isinstance(p, int) and not isinstance(p, bool) \
                and -len(cur) <= p < len(cur):
            cur = cur[p]
        else:
            return _MISSING
    return cur


_MISSING = object()


class OpenClawConfig:
    """A loaded config. `data` is fully resolved; `raw` is before `${VAR}` substitution."""

    def __init__(self, path: Path | None, rel: str | None, ws_root: Path | None = None) -> None:
        self.path = path
        self.rel = rel
        self.display = rel if rel is not None else (str(path) if path is not None else "")
        self.ws_root = ws_root
        self.data: dict[str, Any] = {}
        self.raw: dict[str, Any] = {}
        self.ok = False
        self.era = "current"
        self.era_source = "default"  # "settings" | "version" | "keys" | "default"
        self.version: str | None = None
        self.issues: list[LoadIssue] = []
        self.locs: dict[KeyPath, Loc] = {}
        self.files: list[str] = []  # absolute paths of every file read, main file first
        self.file_displays: list[str] = []  # the same files as shown in diagnostics
        self.discovered_by = ""  # "setting" | "workspace" | "state-dir" | "home"
        self.selected_agent: str | None = None  # settings.agent

    # ---- lookups ---------------------------------------------------------------------------
    def get(self, *path: str | int, default: Any = None) -> Any:
        v = _get(self.data, tuple(path))
        return default if v is _MISSING else v

    def has(self, *path: str | int) -> bool:
        return _get(self.data, tuple(path)) is not _MISSING

    def loc(self, *path: str | int) -> Loc | None:
        return self.locs.get(tuple(path))

    def position(self, *path: str | int) -> tuple[str, int, int] | None:
        loc = self.locs.get(tuple(path))
        if loc is None or loc.span is None:
            return None
        return loc.file, loc.span.line, loc.span.column

    def nearest_loc(self, *path: str | int) -> Loc | None:
        """The position of `path`, or of its closest existing ancestor (for missing keys)."""
        p = tuple(path)
        while p:
            loc = self.locs.get(p)
            if loc is not None:
                return loc
            p = p[:-1]
        return self.locs.get(())

    # ---- agents ----------------------------------------------------------------------------
    def _roster(self) -> list[tuple[str, KeyPath, dict[str, Any]]]:
        """(agent id, path of its entry, entry) in declaration order, both eras."""
        out: list[tuple[str, KeyPath, dict[str, Any]]] = []
        entries = self.get("agents", "entries")
        if isinstance(entries, dict):
            for aid, entry in entries.items():
                if isinstance(entry, dict):
                    out.append((aid, ("agents", "entries", aid), entry))
        lst = self.get("agents", "list")
        if isinstance(lst, list):
            for i, entry in enumerate(lst):
                if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                    out.append((entry["id"], ("agents", "list", i), entry))
        return out

    def agent_ids(self) -> list[str]:
        seen: list[str] = []
        for aid, _p, _e in self._roster():
            if aid not in seen:
                seen.append(aid)
        return seen

    def agent_entry_paths(self) -> list[KeyPath]:
        """Every roster entry (`agents.entries.<id>`, `agents.list[i]`), an id repeated across
        the two eras' rosters included: rules that judge what is written check each one."""
        return [path for _aid, path, _e in self._roster()]

    def default_agent_id(self) -> str:
        roster = self._roster()
        for aid, _p, entry in roster:
            if entry.get("default") is True:
                return aid
        ids = [aid for aid, _p, _e in roster]
        if "main" in ids or not ids:
            return "main"
        return ids[0]

    def agent_path(self, agent_id: str | None = None) -> KeyPath | None:
        """Path of the agent's roster entry (`agents.entries.<id>` / `agents.list[i]`)."""
        aid = agent_id or self.selected_agent or self.default_agent_id()
        for rid, path, _e in self._roster():
            if rid == aid:
                return path
        return None

    def agent_setting(self, key: str, agent_id: str | None = None) -> Any:
        parts = tuple(key.split("."))
        ap = self.agent_path(agent_id)
        if ap is not None:
            v = _get(self.data, ap + parts)
            if v is not _MISSING:
                return v
        v = _get(self.data, ("agents", "defaults", *parts))
        return None if v is _MISSING else v

    def agent_setting_path(self, key: str, agent_id: str | None = None) -> KeyPath | None:
        """Where the effective value of `agent_setting(key)` is written, or None."""
        parts = tuple(key.split("."))
        ap = self.agent_path(agent_id)
        if ap is not None and _get(self.data, ap + parts) is not _MISSING:
            return ap + parts
        if _get(self.data, ("agents", "defaults", *parts)) is not _MISSING:
            return ("agents", "defaults", *parts)
        return None

    def bootstrap_caps(self, agent_id: str | None = None) -> tuple[int | None, int | None]:
        def cap(key: str) -> int | None:
            v = self.agent_setting(key, agent_id)
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                return None
            if not math.isfinite(v) or v <= 0:
                return None
            return int(math.floor(v))

        return cap("bootstrapMaxChars"), cap("bootstrapTotalMaxChars")

    # ---- memory search ---------------------------------------------------------------------
    def memory_search_locations(self) -> list[KeyPath]:
        """Every place a memory-search block is written (global and per agent, both eras)."""
        out: list[KeyPath] = []
        for p in (kc.LEGACY_TOP_MEMORY_SEARCH, kc.CLASSIC_MEMORY_SEARCH, kc.CURRENT_MEMORY_SEARCH):
            if isinstance(_get(self.data, p), dict):
                out.append(p)
        for ap in self.agent_entry_paths():
            for sub in (("memorySearch",), ("memory", "search")):
                if isinstance(_get(self.data, ap + sub), dict):
                    out.append(ap + sub)
        return out

    def global_memory_search_path(self) -> KeyPath | None:
        order = (
            (kc.CURRENT_MEMORY_SEARCH, kc.CLASSIC_MEMORY_SEARCH, kc.LEGACY_TOP_MEMORY_SEARCH)
            if self.era == "current"
            else (kc.CLASSIC_MEMORY_SEARCH, kc.LEGACY_TOP_MEMORY_SEARCH, kc.CURRENT_MEMORY_SEARCH)
        )
        for p in order:
            if isinstance(_get(self.data, p), dict):
                return p
        return None

    def agent_memory_search_path(self, agent_id: str | None = None) -> KeyPath | None:
        ap = self.agent_path(agent_id)
        if ap is None:
            return None
        subs = (("memory", "search"), ("memorySearch",))
        if self.era == "classic":
            subs = subs[::-1]
        for sub in subs:
            if isinstance(_get(self.data, ap + sub), dict):
                return ap + sub
        return None

    def memory_search(self, agent_id: str | None = None) -> dict[str, Any]:
        gp = self.global_memory_search_path()
        ap = self.agent_memory_search_path(agent_id)
        base = copy.deepcopy(_get(self.data, gp)) if gp else {}
        over = _get(self.data, ap) if ap else {}
        return merge_memory_search(base, over if isinstance(over, dict) else {})

    def memory_search_value_path(self, key: str, agent_id: str | None = None) -> KeyPath | None:
        """Where the effective memory-search value `key` (dotted) is written."""
        parts = tuple(key.split("."))
        for p in (self.agent_memory_search_path(agent_id), self.global_memory_search_path()):
            if p is not None and _get(self.data, p + parts) is not _MISSING:
                return p + parts
        return None

    def hook_entry(self, name: str) -> dict[str, Any]:
        v = self.get("hooks", "internal", "entries", name)
        return v if isinstance(v, dict) else {}


def merge_memory_search(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Field-by-field override (nested objects too); `extraPaths` concatenated and de-duped
    (facts §3.1 `mergeConfig` / `normalizeConfiguredMemoryExtraPaths`)."""
    merged = deep_merge(base, over)
    if not isinstance(merged, dict):
        return {}
    a, b = base.get("extraPaths"), over.get("extraPaths")
    if isinstance(a, list) or isinstance(b, list):
        seen: list[Any] = []
        for item in [*(a if isinstance(a, list) else []), *(b if isinstance(b, list) else [])]:
            norm = item.strip() if isinstance(item, str) else item
            if norm not in seen:
                seen.append(norm)
        merged["extraPaths"] = seen
    return merged


# ---- loading ---------------------------------------------------------------------------------
class _Loader:
    def __init__(self, cfg: OpenClawConfig, ws: Workspace | None, main: Path) -> None:
        self.cfg = cfg
        self.ws = ws
        self.root_dir = Path(os.path.realpath(main.parent))
        extra = os.environ.get(kc.INCLUDE_ROOTS_ENV, "")
        self.include_roots = [self.root_dir] + [
            Path(os.path.realpath(os.path.expanduser(p)))
            for p in kc.INCLUDE_ROOTS_SPLIT.split(extra) if p.strip()
        ]
        # A file included many times over (100 x 100 x 100 through three levels) is read and
        # parsed once per include chain, and its issues are reported once.
        self._loaded: dict[tuple[str, int, tuple[str, ...]],
                           tuple[Any, dict[KeyPath, Loc]] | None] = {}
        self._too_many = False

    def display(self, path: Path) -> str:
        if self.ws is not None:
            try:
                rel = Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(self.ws.root)))
                return rel.as_posix()
            except ValueError:
                pass
        return str(path)

    def read(self, path: Path) -> tuple[str | None, str]:
        """Text of a config file (the workspace's copy, with fix overlays, when it is one)."""
        disp = self.display(path)
        if self.ws is not None and disp in self.ws.files:
            sf = self.ws.files[disp]
            if sf.text is None:
                # PAR001-PAR004 already report unreadable workspace files.
                return None, disp
            return sf.text, disp
        try:
            import stat as _stat

            if not _stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block forever
                self.cfg.issues.append(LoadIssue(
                    "read", f"{path} is not a regular file; point the config at a file", disp))
                return None, disp
            data = path.read_bytes()
        except OSError as exc:
            self.cfg.issues.append(LoadIssue(
                "read", f"cannot read {path} ({exc.strerror or exc}); fix its permissions", disp))
            return None, disp
        try:
            return data.decode("utf-8-sig"), disp
        except UnicodeDecodeError as exc:
            self.cfg.issues.append(LoadIssue(
                "read", f"{path} is not valid UTF-8 (byte offset {exc.start}); re-save it as UTF-8",
                disp))
            return None, disp

    def load_file(self, path: Path, depth: int, stack: tuple[str, ...]
                  ) -> tuple[Any, dict[KeyPath, Loc]] | None:
        key = (str(path), depth, stack)
        if key in self._loaded:
            return self._loaded[key]
        if len(self._loaded) >= kc.MAX_INCLUDE_LOADS:
            if not self._too_many:
                self._too_many = True
                self.cfg.issues.append(LoadIssue(
                    "include", f"the `$include` files expand to more than {kc.MAX_INCLUDE_LOADS} "
                    "loads; clawlint stops reading further includes (OpenClaw reads them all, "
                    "which slows every start). Include each file once", self.display(path), 1, 1))
            return None
        self._loaded[key] = None  # while loading: a circular chain is reported by its stack
        result = self._load_file(path, depth, stack)
        self._loaded[key] = result
        return result

    def _load_file(self, path: Path, depth: int, stack: tuple[str, ...]
                   ) -> tuple[Any, dict[KeyPath, Loc]] | None:
        text, disp = self.read(path)
        if text is None:
            if os.path.isfile(path):  # not valid UTF-8, say: its bytes still key the cache
                self.cfg.files.append(os.path.abspath(path))
                self.cfg.file_displays.append(disp)
            return None
        self.cfg.files.append(os.path.abspath(path))
        self.cfg.file_displays.append(disp)
        try:
            doc = json5.parse(text)
        except json5.JSON5Error as e:
            self.cfg.issues.append(LoadIssue(
                "parse", f"invalid JSON5: {e.message}", disp, e.line, e.column))
            return None
        locs: dict[KeyPath, Loc] = {}
        for p, vspan in doc.values.items():
            locs[p] = Loc(disp, doc.keys.get(p), vspan)
        for dup in doc.duplicates:
            self.cfg.issues.append(LoadIssue(
                "duplicate",
                f"duplicate key `{format_path(dup.path)}` (first written at line "
                f"{dup.first.line}); OpenClaw keeps only this last value, so the first one is "
                "silently ignored. Delete one of them",
                disp, dup.second.line, dup.second.column, dup.second.end_line,
                dup.second.end_column, dup.path))
        value = self.resolve(doc.value, (), path, disp, depth, stack, locs)
        return value, locs

    def _include_targets(self, spec: Any, where: KeyPath, locs: dict[KeyPath, Loc], disp: str
                         ) -> list[tuple[str, KeyPath]]:
        ipath = (*where, kc.INCLUDE_KEY)
        if isinstance(spec, str):
            return [(spec, ipath)]
        if isinstance(spec, list) and all(isinstance(s, str) for s in spec):
            return [(s, (*ipath, i)) for i, s in enumerate(spec)]
        self.issue_at("include", f"`{format_path(ipath)}` must be a file path or an array of "
                      "file paths", disp, locs.get(ipath), ipath)
        return []

    def issue_at(self, kind: str, message: str, disp: str, loc: Loc | None, path: KeyPath) -> None:
        span = loc.span if loc is not None else None
        if span is None:
            self.cfg.issues.append(LoadIssue(kind, message, disp, path=path))
        else:
            self.cfg.issues.append(LoadIssue(kind, message, disp, span.line, span.column,
                                             span.end_line, span.end_column, path))

    def _confined(self, real: Path) -> bool:
        return any(real == r or r in real.parents for r in self.include_roots)

    def resolve(self, node: Any, where: KeyPath, file: Path, disp: str, depth: int,
                stack: tuple[str, ...], locs: dict[KeyPath, Loc]) -> Any:
        if isinstance(node, list):
            return [self.resolve(v, (*where, i), file, disp, depth, stack, locs)
                    for i, v in enumerate(node)]
        if not isinstance(node, dict):
            return node
        if kc.INCLUDE_KEY not in node:
            return {k: self.resolve(v, (*where, k), file, disp, depth, stack, locs)
                    for k, v in node.items()}
        merged: Any = _MISSING
        inc_locs: dict[KeyPath, Loc] = {}
        for spec, spath in self._include_targets(node[kc.INCLUDE_KEY], where, locs, disp):
            loc = locs.get(spath)
            if not spec or "\0" in spec or len(spec) >= kc.MAX_INCLUDE_PATH_CHARS:
                self.issue_at("include", f"`$include` path {spec[:80]!r} is empty, too long or "
                              "contains NUL; fix the path", disp, loc, spath)
                continue
            target = Path(os.path.expanduser(spec))
            if not target.is_absolute():
                target = file.parent / target
            if depth + 1 > kc.MAX_INCLUDE_DEPTH:
                self.issue_at("include", f"`$include` of {spec!r} is nested more than "
                              f"{kc.MAX_INCLUDE_DEPTH} levels deep; OpenClaw refuses the config. "
                              "Flatten the includes", disp, loc, spath)
                continue
            if not os.path.exists(target):  # False, not an error, for a name too long
                self.issue_at("include", f"`$include` file {spec!r} does not exist (looked for "
                              f"{target}); create it or fix the path", disp, loc, spath)
                continue
            real = Path(os.path.realpath(target))
            if not self._confined(real):
                self.issue_at(
                    "include",
                    f"`$include` of {spec!r} resolves to {real}, outside the config folder "
                    f"{self.root_dir}; OpenClaw refuses it. Move the file next to openclaw.json "
                    f"or list its folder in {kc.INCLUDE_ROOTS_ENV}", disp, loc, spath)
                continue
            if str(real) in stack:
                chain = " -> ".join(Path(s).name for s in (*stack, str(real)))
                self.issue_at("include", f"circular `$include` ({chain}); remove the include "
                              "that points back", disp, loc, spath)
                continue
            if os.path.isdir(real):
                self.issue_at("include", f"`$include` of {spec!r} names a folder; include a "
                              "file", disp, loc, spath)
                continue
            sub = self.load_file(real, depth + 1, (*stack, str(real)))
            if sub is None:
                continue
            value, sublocs = sub
            if merged is not _MISSING and not (isinstance(merged, dict) and isinstance(value, dict)):
                self.issue_at("include", f"`$include` of {spec!r} does not contain an object, so "
                              "it cannot be merged with the other includes", disp, loc, spath)
                continue
            merged = value if merged is _MISSING else deep_merge(merged, value)
            for p, sl in sublocs.items():
                inc_locs[(*where, *p)] = sl
        siblings = {k: self.resolve(v, (*where, k), file, disp, depth, stack, locs)
                    for k, v in node.items() if k != kc.INCLUDE_KEY}
        if merged is _MISSING:
            result: Any = siblings
        elif siblings and not isinstance(merged, dict):
            self.issue_at("include", "the included file holds no object, so the keys beside "
                          "`$include` cannot be merged into it; include an object",
                          disp, locs.get((*where, kc.INCLUDE_KEY)), (*where, kc.INCLUDE_KEY))
            result = siblings
        else:
            result = deep_merge(merged, siblings) if siblings else merged
        for p, sl in inc_locs.items():
            locs.setdefault(p, sl)  # keys written beside `$include` keep their own position
        return result


def _walk_strings(node: Any, path: KeyPath = ()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk_strings(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk_strings(v, (*path, i))
    elif isinstance(node, str):
        yield path, node


def _read_dotenv(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return out
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        k, v = line.split("=", 1)
        k = k.removeprefix("export ").strip()
        out[k] = v.strip().strip("\"'")
    return out


def state_dir() -> Path:
    return kc.state_dir()


def _env_values(cfg: OpenClawConfig) -> dict[str, str]:
    """Variables visible to substitution: process env, then config `env`, then state `.env`."""
    values: dict[str, str] = {}
    for k, v in _read_dotenv(state_dir() / ".env").items():
        values.setdefault(k, v)
    env = cfg.raw.get("env")
    if isinstance(env, dict):
        for src in (env.get("vars"), env):
            if isinstance(src, dict):
                for k, v in src.items():
                    if isinstance(v, str) and k not in ("vars", "shellEnv"):
                        values[k] = v
    values.update({k: v for k, v in os.environ.items()})
    return values


def substitute_env(cfg: OpenClawConfig) -> None:
    env = _env_values(cfg)
    data = copy.deepcopy(cfg.raw)
    for path, s in _walk_strings(cfg.raw):
        if "${" not in s:
            continue
        loc = cfg.locs.get(path)

        def repl(m: Any, path: KeyPath = path, loc: Loc | None = loc) -> str:
            text = m.group(0)
            if text.startswith("$$"):
                return text[1:]  # `$${X}` escape -> literal `${X}`
            name = m.group(1)
            if not kc.ENV_NAME_RE.match(name):
                cfg_issue(cfg, "env-name", (
                    f"`{text}` in `{format_path(path)}` is not substituted: variable names must "
                    "be upper case letters, digits and `_` (e.g. `${"
                    f"{_suggest_env_name(name)}}}`); rename it"), loc, path)
                return text
            val = env.get(name)
            if not val:
                cfg_issue(cfg, "env-unresolved", (
                    f"`${{{name}}}` in `{format_path(path)}` is not set in this environment, so "
                    f"OpenClaw leaves it unresolved; export {name} (or add it to "
                    "~/.openclaw/.env or `env.vars`) where the gateway runs"), loc, path)
                return text
            return val

        new = kc.ENV_REF_RE.sub(repl, s)
        if new != s:
            _set(data, path, new)
    cfg.data = data


def _suggest_env_name(name: str) -> str:
    import re

    fixed = re.sub(r"[^A-Za-z0-9_]", "_", name.strip()).upper()
    if not fixed or fixed[0].isdigit():
        fixed = "_" + fixed
    return fixed


def _set(data: Any, path: KeyPath, value: Any) -> None:
    cur = data
    for p in path[:-1]:
        cur = cur[p]
    cur[path[-1]] = value


def cfg_issue(cfg: OpenClawConfig, kind: str, message: str, loc: Loc | None, path: KeyPath) -> None:
    span = loc.value if loc is not None and loc.value is not None else (
        loc.span if loc is not None else None)
    file = loc.file if loc is not None else cfg.display
    if span is None:
        cfg.issues.append(LoadIssue(kind, message, file, path=path))
    else:
        cfg.issues.append(LoadIssue(kind, message, file, span.line, span.column, span.end_line,
                                    span.end_column, path))


def detect_era(cfg: OpenClawConfig, settings_version: str | None) -> None:
    meta_v = cfg.get("meta", "lastTouchedVersion")
    cfg.version = settings_version or (meta_v if isinstance(meta_v, str) else None)
    v_era = era_for_version(cfg.version)
    if v_era is not None:
        cfg.era = v_era
        cfg.era_source = "settings" if settings_version else "version"
        return
    current, classic = era_markers(cfg)
    if current:
        cfg.era, cfg.era_source = "current", "keys"
    elif classic:
        cfg.era, cfg.era_source = "classic", "keys"
    else:
        cfg.era, cfg.era_source = "current", "default"


def era_markers(cfg: OpenClawConfig) -> tuple[list[KeyPath], list[KeyPath]]:
    """Paths that only exist in the Current / the Classic schema."""
    current: list[KeyPath] = []
    classic: list[KeyPath] = []
    for p in (kc.CURRENT_ROSTER, kc.CURRENT_MEMORY_SEARCH, *kc.CURRENT_ONLY_MARKERS):
        if cfg.has(*p):
            current.append(p)
    for p in (kc.CLASSIC_ROSTER, kc.CLASSIC_MEMORY_SEARCH):
        if cfg.has(*p):
            classic.append(p)
    lst = cfg.get(*kc.CLASSIC_ROSTER)
    if isinstance(lst, list):
        for i, entry in enumerate(lst):
            if isinstance(entry, dict) and "memorySearch" in entry:
                classic.append((*kc.CLASSIC_ROSTER, i, "memorySearch"))
    return current, classic


def _workspace_matches(data: Any, ws_root: Path, home: Path) -> bool:
    """Does this (home) config name `ws_root` as a workspace?"""
    target = os.path.realpath(ws_root)
    cands: list[str] = []
    agents = data.get("agents") if isinstance(data, dict) else None
    if isinstance(agents, dict):
        d = agents.get("defaults")
        if isinstance(d, dict) and isinstance(d.get("workspace"), str):
            cands.append(d["workspace"])
        roster: list[Any] = []
        if isinstance(agents.get("list"), list):
            roster += agents["list"]
        if isinstance(agents.get("entries"), dict):
            roster += list(agents["entries"].values())
        for e in roster:
            if isinstance(e, dict) and isinstance(e.get("workspace"), str):
                cands.append(e["workspace"])
    for c in cands:
        c = c.strip()
        if c == "~" or c.startswith("~/"):
            c = str(home) + c[1:]
        if os.path.isabs(c) and os.path.realpath(c) == target:
            return True
    return False


def find_config(ws: Workspace) -> tuple[Path, str] | None:
    s = ws.settings
    if s.openclaw_config:
        p = Path(os.path.expanduser(s.openclaw_config))
        if not p.is_absolute():
            bases = [Path.cwd()]
            if s.config_path is not None:
                bases.append(Path(s.config_path).parent)
            bases.append(ws.root)
            p = next((b / p for b in bases if os.path.exists(b / p)), bases[0] / p)
        return p, "setting"
    for name in CONFIG_FILENAMES:
        cand = ws.root / name
        if os.path.isfile(cand):
            return cand, "workspace"
    env_state = os.environ.get(kc.STATE_DIR_ENV)
    if env_state:
        cand = Path(os.path.expanduser(env_state)) / kc.CONFIG_BASENAME
        if os.path.isfile(cand):
            return cand, "state-dir"
    home_cfg = state_dir() / kc.CONFIG_BASENAME
    if not env_state and os.path.isfile(home_cfg):
        try:
            data = json5.loads(home_cfg.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json5.JSON5Error):
            return None
        home = Path(os.environ.get(kc.HOME_ENV) or Path.home())
        if _workspace_matches(data, ws.root, home):
            return home_cfg, "home"
    return None


def load_path(path: Path, ws: Workspace | None = None, *, settings_version: str | None = None,
              selected_agent: str | None = None) -> OpenClawConfig:
    """Load one config file (with includes and env substitution)."""
    root = ws.root if ws is not None else None
    cfg = OpenClawConfig(path, None, root)
    loader = _Loader(cfg, ws, path)
    disp = loader.display(path)
    if ws is not None and not os.path.isabs(disp):
        cfg.rel = disp
    cfg.display = disp
    cfg.selected_agent = selected_agent
    if not os.path.exists(path) and not os.path.islink(path):
        cfg.issues.append(LoadIssue(
            "read", f"OpenClaw config {path} does not exist; fix --openclaw-config / "
            "OPENCLAW_CONFIG_PATH or create the file", disp))
        detect_era(cfg, settings_version)
        return cfg
    main_real = str(Path(os.path.realpath(path)))
    loaded = loader.load_file(path, 0, (main_real,))
    if loaded is not None:
        value, locs = loaded
        if isinstance(value, dict):
            cfg.raw = value
            cfg.ok = True
        else:
            cfg.issues.append(LoadIssue(
                "parse", "the config must be a JSON5 object (`{ ... }`) at the top level", disp,
                *_first_pos(locs)))
        # Keep only positions of paths that exist after merging.
        cfg.locs = {p: lo for p, lo in locs.items() if _get(cfg.raw, p) is not _MISSING}
    substitute_env(cfg)
    detect_era(cfg, settings_version)
    return cfg


def _first_pos(locs: dict[KeyPath, Loc]) -> tuple[int, int]:
    root = locs.get(())
    if root is not None and root.value is not None:
        return root.value.line, root.value.column
    return 1, 1


def load_for_workspace(ws: Workspace) -> OpenClawConfig | None:
    found = find_config(ws)
    if found is None:
        return None
    path, how = found
    cfg = load_path(path, ws, settings_version=ws.settings.openclaw_version,
                    selected_agent=ws.settings.agent)
    cfg.discovered_by = how
    return cfg
