"""Run the selected rules over a workspace, then apply severities, ignores and suppressions."""

from __future__ import annotations

import datetime as _dt
import fnmatch
import hashlib
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from clawlint.cache import ResultCache, StatCache, settings_fingerprint
from clawlint.config import ConfigError, Settings
from clawlint.diagnostics import Applicability, Diagnostic, Severity
from clawlint.registry import Context, Rule, all_codes, iter_rules
from clawlint.ruledocs import load_all
from clawlint.workspace import Kind, SourceFile, Workspace

if TYPE_CHECKING:
    from collections.abc import Callable

    from clawlint.suppressions import Directive

SUP_UNUSED = "SUP001"
SUP_UNKNOWN = "SUP002"


@dataclass
class RunOptions:
    active: set[str]
    verbose: bool = False


@dataclass
class WorkspaceResult:
    ws: Workspace
    diagnostics: list[Diagnostic] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    # Every finding came from files, settings and the environment fingerprint (cacheable
    # rules, cache on): the run may leave a replay record (clawlint/replay.py).
    replayable: bool = False


def _validate_options(settings: Settings) -> None:
    docs = load_all()
    for code, opts in settings.rules.items():
        if code not in docs:
            raise ConfigError(f"[rules.{code}]: unknown rule code {code!r}")
        allowed = docs[code].options
        for key, value in opts.items():
            if key not in allowed:
                hint = ", ".join(allowed) or "none"
                raise ConfigError(f"[rules.{code}]: unknown option {key!r}; allowed options: {hint}")
            default = allowed[key]
            if key == "today" and isinstance(value, _dt.date):
                value = opts[key] = value.isoformat()  # a TOML date literal is fine too
            if default is not None and not _same_type(default, value):
                raise ConfigError(
                    f"[rules.{code}]: option {key!r} must be {type(default).__name__}, got {value!r}"
                )
            if key == "today" and value:
                from clawlint.memory_support import TODAY_MAX_YEAR, TODAY_MIN_YEAR, parse_today

                if parse_today(str(value)) is None:
                    raise ConfigError(
                        f"[rules.{code}]: option 'today' must be a date between {TODAY_MIN_YEAR} "
                        f"and {TODAY_MAX_YEAR} (YYYY-MM-DD), got {value!r}"
                    )


def _same_type(default: object, value: object) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def severity_for(code: str, settings: Settings) -> Severity:
    best: tuple[int, str] | None = None
    for sel, level in settings.severity.items():
        sel = sel.upper()
        if sel == "ALL" or code.startswith(sel):
            rank = 0 if sel == "ALL" else len(sel)
            if best is None or rank > best[0]:
                best = (rank, level)
    if best is not None:
        return Severity.parse(best[1])
    return load_all()[code].severity


def _glob_match(rel: str, pattern: str) -> bool:
    name = PurePosixPath(rel).name
    if pattern.endswith("/"):
        return rel.startswith(pattern)
    return fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(name, pattern) or (
        "**/" in pattern and fnmatch.fnmatch(rel, pattern.replace("**/", ""))
    )


def per_file_ignored(code: str, rel: str, settings: Settings) -> bool:
    for pattern, codes in settings.per_file_ignores.items():
        negated = pattern.startswith("!")
        hit = _glob_match(rel, pattern[1:] if negated else pattern)
        if hit != negated and any(code.startswith(c.upper()) or c.upper() == "ALL" for c in codes):
            return True
    return False


def _run_rule(
    rule: Rule, ws: Workspace, result: WorkspaceResult, verbose: bool,
    cache: ResultCache | None, inputs: str,
) -> list[Diagnostic]:
    doc = rule.doc
    ctx = Context(rule, ws, ws.settings.options_for(rule.code, doc.options))
    use_cache = cache is not None and rule.cacheable(ctx)
    out, ok = _run_rule_cached(rule, ctx, ws, result, verbose, cache if use_cache else None, inputs)
    if not use_cache:
        result.replayable = False
    if ok and use_cache:
        assert cache is not None
        cache.record_run(inputs, rule.code, out)  # for the whole-run fast path
    return out


def _run_rule_cached(
    rule: Rule, ctx: Context, ws: Workspace, result: WorkspaceResult, verbose: bool,
    cache: ResultCache | None, inputs: str,
) -> tuple[list[Diagnostic], bool]:
    """The rule's findings (from the result cache where possible) and whether it ran cleanly."""
    use_cache = cache is not None
    scoped = scoped_inputs(ws, rule) if use_cache and rule.inputs is not None else None
    if rule.kinds is None and use_cache:
        assert cache is not None
        hit = (cache.get_scoped(scoped, rule.code) if scoped is not None
               else cache.get_workspace(inputs, rule.code))
        if hit is not None:
            return hit, True
    out: list[Diagnostic] = []
    files: list[SourceFile | None] = [None] if rule.kinds is None else ws.files_of(rule.kinds)
    if use_cache and rule.kinds is not None:
        # Per-file results: looked up and stored once per rule, not per (file, rule) call,
        # and only the files without a result are visited (10,000 cards, one edited).
        assert cache is not None
        files, cached = cache.split_files(rule.code, files)
        out.extend(cached)
    stored: list[tuple[str, str | None, list[Diagnostic]]] = []
    failed = False
    func = rule.func
    for f in files:  # per card and rule on big workspaces: kept lean
        try:
            produced = [*func(ctx)] if f is None else [*func(ctx, f)]
        except Exception as exc:  # a rule bug must not hide every other finding
            failed = True
            where = f" on {f.rel}" if f is not None else ""
            msg = f"internal error in rule {rule.code}{where}: {type(exc).__name__}: {exc}"
            result.internal_errors.append(msg)
            if verbose:
                import traceback

                traceback.print_exc(file=sys.stderr)
            continue
        if produced:
            out.extend(produced)
        if use_cache and f is not None:
            stored.append((f.rel, f.sha256, produced))
    if stored:
        assert cache is not None
        cache.put_files(rule.code, stored)
    if rule.kinds is None and use_cache and not failed:
        assert cache is not None
        if scoped is not None:
            cache.put_scoped(scoped, rule.code, out)
        else:
            cache.put_workspace(inputs, rule.code, out)
    return out, not failed


def _file_token(f: SourceFile) -> str:
    """What a file contributes to a cache key: its content hash, or its read problem."""
    if f.kind is Kind.MEMORY_NON_MD:  # only the secret scans read it: its stat stands for it
        try:
            st = f.path.lstat()
        except OSError:
            return "gone"
        # ctime and inode too (git's trustctime): a same-size rewrite that restores the mtime
        # (`cp -p`, `touch -r`) must not keep a secret finding, or the lack of one.
        if f.stat_full is None and not f.is_symlink:
            # The stat before any rule reads it: the replay record compares it with the stat
            # at the end, so a change after the read (by the forked child) is never recorded.
            f.stat_full = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_mode]
        return f"stat:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"
    token = f.sha256 or f"problem:{f.problem.code if f.problem else '?'}:{f.size}"
    if f.is_symlink:  # where it points decides what a link is (PAR005/PAR006, BS006)
        token += f":link:{_link_token(f.abspath)}"
    return token


def _link_token(path: str | os.PathLike[str]) -> str:
    """A link's text and where it resolves now (a link in its target's path may have moved:
    PAR006 names the resolved target)."""
    try:
        return f"{os.readlink(path)}>{os.path.realpath(path)}"
    except OSError:
        return "?"



def scoped_inputs(ws: Workspace, rule: Rule) -> str | None:
    """A hash of a workspace rule's declared inputs and openclaw.json, or None (no
    declaration, or it failed: the rule is then keyed by every input)."""
    fn = rule.inputs
    if fn is None:
        return None

    def build() -> str | None:
        try:
            items = list(fn(ws))
        except Exception:  # noqa: BLE001 - fall back to the whole-workspace key
            return None
        files = sorted({f.rel: f for f in items if not isinstance(f, str)}.values(),
                       key=lambda f: f.rel)
        h = hashlib.sha256()
        # Each file's line once per run, whichever declarations list it (10,000 cards).
        lines: dict[str, bytes] = ws.memo("engine.scoped-lines", dict)
        for f in files:
            line = lines.get(f.rel)
            if line is None:
                line = lines[f.rel] = (f"{f.rel}\0{f.kind.value}\0{_file_token(f)}\0"
                                       f"{int(f.is_symlink)}\n").encode()
            h.update(line)
        for token in sorted(t for t in items if isinstance(t, str)):  # e.g. a folder's presence
            h.update(f"token\0{token}\n".encode())
        h.update(config_hash(ws).encode())
        return h.hexdigest()

    return ws.memo(f"engine.scoped:{id(fn)}", build)  # rules sharing a declaration share it


def scoped_hit(code: str, ws: Workspace, cache: ResultCache) -> bool:
    """Whether a workspace rule with declared inputs has a cached result for them."""
    if not cache.has_scoped(code):
        return False  # nothing stored: neither import the rule nor hash its inputs (cold run)
    for rule in iter_rules({code}):
        if rule.kinds is not None or rule.inputs is None:
            return False
        ctx = Context(rule, ws, ws.settings.options_for(rule.code, rule.doc.options))
        key = scoped_inputs(ws, rule)
        return key is not None and rule.cacheable(ctx) and cache.get_scoped(key, code) is not None
    return False


def _run_rules(
    codes: list[str], ws: Workspace, result: WorkspaceResult, opts: RunOptions,
    cache: ResultCache | None, inputs: str, idle: Callable[[], None] | None = None,
) -> list[Diagnostic]:
    """Run `codes`, the heavy ones in a forked child when that helps (clawlint/parallel.py);
    `idle()` runs here while the child may still be working."""

    def run(some: list[str], c: Any) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        for code in some:  # one at a time: only the modules of these rules get imported
            for rule in iter_rules({code}):
                out.extend(_run_rule(rule, ws, result, opts.verbose, c, inputs))
        return out

    child = None
    mine = codes
    if len(codes) > 1:
        from clawlint import parallel

        # Not in the --fix loop: its passes run without the cache, and each would fork anew.
        if not ws.overlay and parallel.usable():
            light, heavy = parallel.split(codes, len(ws.files))
            if cache is not None:  # rules served from the cache need no second process
                served = {c for c in heavy if scoped_hit(c, ws, cache)}
                light = [c for c in codes if c not in heavy or c in served]
                heavy = [c for c in heavy if c not in served]
            if light and heavy:
                before = len(result.internal_errors)

                def run_child(some: list[str], c: Any) -> tuple[list[Diagnostic], list[str], bool]:
                    return run(some, c), result.internal_errors[before:], result.replayable

                parallel.prefetch(ws, light, heavy, cache)
                try:
                    child = parallel.Child(heavy, cache, run_child,
                                           numpy_first=lambda: parallel.needs_numpy(ws, heavy))
                    mine = light
                except OSError:  # no pipe or process to spare: run everything here
                    child = None
    try:
        out = run(mine, cache)
    except BaseException:
        if child is not None:
            child.cancel()
        raise
    if child is not None:
        if idle is not None:
            try:
                idle()
            except BaseException:
                child.cancel()
                raise
        got = child.join()
        if got is None:  # the child failed: run its rules here
            out.extend(run(child.codes, cache))
        else:
            out.extend(got["diags"])
            result.internal_errors.extend(got["errors"])
            result.replayable = result.replayable and bool(got["replayable"])
            if cache is not None:
                parallel.replay_writes(cache, got["writes"])
    return out


def workspace_inputs(ws: Workspace) -> str:
    """A hash of everything cross-file rules can see: every file's content and the config."""
    h = hashlib.sha256()
    for rel in sorted(ws.files):
        f = ws.files[rel]
        h.update(f"{rel}\0{_file_token(f)}\0{int(f.is_symlink)}\n".encode())
    for rel, p in ws.symlink_problems:
        h.update(f"link:{rel}:{p.code}:{_link_token(ws.root / rel)}\n".encode())
    # Every path, classified or not: link targets (MEM003) and symlinked folders (SKL011).
    h.update("\n".join(ws.listing).encode())
    h.update(config_hash(ws).encode())
    if links_leave(ws):
        # What rules find through such a link (a file that appears behind a folder link) is
        # in no listing: whole-workspace results are not reused. Rules with declared inputs
        # still are; theirs name what they look at.
        h.update(os.urandom(16))
    return h.hexdigest()


def links_leave(ws: Workspace) -> bool:
    """Whether a file or folder link in the workspace is broken or resolves outside it."""
    bad = ("PAR005", "PAR006")
    return (any(p.code in bad for _rel, p in ws.symlink_problems)
            or any(f.is_symlink and f.problem is not None and f.problem.code in bad
                   for f in ws.files.values()))


def config_hash(ws: Workspace) -> str:
    """openclaw.json and its includes: path, content, mode and whether it is a symlink."""
    return ws.memo("engine.config-hash", lambda: _config_hash(ws))


def _config_hash(ws: Workspace) -> str:
    h = hashlib.sha256()
    for path in _config_files(ws):
        h.update(path.encode() + b"\0")
        try:
            lst = os.lstat(path)
            real = os.path.realpath(path)
            h.update(f"{lst.st_mode}:{os.stat(path).st_mode}:{real}\0".encode())
            h.update(Path(path).read_bytes())
        except OSError:
            h.update(b"missing")
        h.update(b"\n")
    return h.hexdigest()


# Env vars the config rules read (presence only), beyond every `${NAME}` in the config text.
_KEY_ENV = (
    "OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "VOYAGE_API_KEY", "MISTRAL_API_KEY",
    "DEEPINFRA_API_KEY", "COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN", "OLLAMA_API_KEY",
)
# Env vars that decide where the config and the state directory are (values matter).
_PLACE_ENV = (
    "OPENCLAW_STATE_DIR", "OPENCLAW_PROFILE", "OPENCLAW_HOME", "OPENCLAW_INCLUDE_ROOTS",
    "OPENCLAW_CONFIG_PATH", "HOME", "USERPROFILE", "CLAWLINT_TODAY",
)
_REF_RE = re.compile(r"\$\{([^}]*)\}")


def environment_fingerprint(ws: Workspace) -> str:
    """What the rules see of the environment, without storing secrets: which key variables are
    set, a digest of each `${NAME}` the config substitutes (its value lands in the config the
    rules read), where the state directory is, and the state `.env`/config files' stat."""
    from clawlint.knowledge import config as kc

    env = os.environ
    names = set(_KEY_ENV)
    for group in kc.PROVIDER_KEY_ENV.values():
        names.update(group)
    refs: set[str] = set()
    for path in _config_files(ws):
        try:
            refs.update(_REF_RE.findall(Path(path).read_text(encoding="utf-8", errors="replace")))
        except OSError:
            pass
    h = hashlib.sha256()
    for name in sorted(names | refs):
        h.update(f"{name}={int(bool(env.get(name)))}\n".encode())
    for name in sorted(refs):
        value = env.get(name)
        if value:
            h.update(name.encode() + b"#" + hashlib.sha256(value.encode()).digest())
    for name in _PLACE_ENV:
        h.update(f"{name}:{env.get(name, chr(0))}\n".encode())
    try:
        base = _state_dir()
        for p in (base / ".env", base / kc.CONFIG_BASENAME):
            try:
                st = p.stat()
                h.update(f"{p}:{st.st_size}:{st.st_mtime_ns}:{st.st_mode}\n".encode())
            except OSError:
                h.update(f"{p}:none\n".encode())
    except Exception:  # noqa: BLE001 - an odd HOME must not break linting
        h.update(b"state:?")
    return h.hexdigest()


def _no_config_anywhere(ws: Workspace) -> bool:
    """True when no openclaw.json can apply, checked without importing the JSON5 loader
    (the warm path of a workspace without a config should not pay for it)."""
    from clawlint.knowledge import config as kc
    from clawlint.knowledge.workspace_files import CONFIG_FILENAMES

    if ws.settings.openclaw_config or "openclaw" in ws.__dict__:
        return False
    if any((ws.root / name).exists() for name in CONFIG_FILENAMES):
        return False
    return not (_state_dir() / kc.CONFIG_BASENAME).exists()


def _state_dir() -> Path:
    from clawlint.knowledge.config import state_dir

    return state_dir()


def _config_files(ws: Workspace) -> list[str]:
    """openclaw.json and its $include files, wherever they live."""
    try:
        if _no_config_anywhere(ws):
            return []
    except Exception:  # noqa: BLE001 - fall back to the real loader
        pass
    try:
        cfg = ws.openclaw
    except Exception:
        return []
    if cfg is None:
        return []
    files = getattr(cfg, "files", None) or ([cfg.path] if getattr(cfg, "path", None) else [])
    return sorted(str(p) for p in files)


def lint_workspace(ws: Workspace, opts: RunOptions) -> WorkspaceResult:
    _validate_options(ws.settings)
    result = WorkspaceResult(ws)
    raw: list[Diagnostic] = []
    cache: ResultCache | None = None
    stats: StatCache | None = None
    inputs = ""
    if not ws.settings.no_cache and not ws.overlay:
        # Per-file results may depend on openclaw.json (era, caps), so it is part of the key;
        # so is the environment the config rules read (key variables, state directory).
        key = settings_fingerprint(
            ws.settings, opts.active,
            {"root": str(ws.root), "config": config_hash(ws), "env": environment_fingerprint(ws)},
        )
        cache = ResultCache(ws.root, ws.settings.cache_dir, key)
        stats = StatCache(cache.base)
        stats.apply(ws.files)
        inputs = workspace_inputs(ws)
    # Whole-run fast path: same key (settings, environment, config) and same inputs as the last
    # run, so every rule that was cacheable then has the same findings now; only the others
    # run, and only their check modules are imported.
    previous = cache.load_run(inputs) if cache is not None else {}
    result.replayable = cache is not None
    pending = []
    for code in sorted(opts.active):
        if code in previous:
            raw.extend(previous[code])
        else:
            pending.append(code)
    from clawlint.memory_support import pinned_today

    stats_saved = False

    def idle() -> None:
        """Work that needs only this process's reads, done while the forked child finishes:
        every workspace file was read before the fork."""
        nonlocal stats_saved
        if stats is not None:
            stats.save(ws.files)
            stats_saved = True
        from clawlint.replay import stat_early

        stat_early([os.path.abspath(f.abspath) for f in ws.files.values()])

    with pinned_today():
        raw.extend(_run_rules(pending, ws, result, opts, cache, inputs, idle))
    if cache is not None:
        cache.prune(set(ws.files))
        cache.save()
    if stats is not None and not stats_saved:
        stats.save(ws.files)

    settings = ws.settings
    docs = load_all()
    kept: list[Diagnostic] = []
    directives: dict[str, list[Directive]] = {}

    def file_directives(rel: str) -> list[Directive]:
        if rel not in directives:
            f = ws.get(rel)
            if f is not None and f.may_have_directives:
                from clawlint import suppressions  # only files that mention `clawlint-`

                directives[rel] = suppressions.collect(f)
            else:
                directives[rel] = []
        return directives[rel]

    for d in raw:
        if not ws.is_target(d.path) or per_file_ignored(d.code, d.path, settings):
            continue
        suppressed = False
        for dv in file_directives(d.path):
            if dv.action == "enable" or not dv.covers(d.line):
                continue
            if not dv.codes or d.code in dv.codes:
                dv.used.add(d.code if dv.codes else "*")
                suppressed = True
        if suppressed:
            continue
        d.name = docs[d.code].name
        d.severity = d.severity or severity_for(d.code, settings)
        kept.append(d)

    kept.extend(_suppression_findings(ws, opts.active, file_directives))
    for d in kept:
        d.root = str(ws.root)
    kept.sort(key=Diagnostic.sort_key)
    result.diagnostics = _dedupe(kept)
    return result


def replay_deps(result: WorkspaceResult, pre_stats: dict[str, list[int]]) -> list[Any] | None:
    """What a replay of this workspace's findings depends on beyond `pre_stats` (the runner's
    stats of path arguments, markers and config files), or None when the run may not be
    replayed (clawlint/replay.py)."""
    from clawlint.knowledge.workspace_files import SKIP_DIRS

    ws = result.ws
    if not result.replayable or result.internal_errors or ws.overlay or ws.symlink_problems:
        return None
    if any(entry.startswith("l:") for entry in ws.listing):
        return None  # a link's target can change without any stat here changing
    if any(f.unstable for f in ws.files.values()):
        return None  # a file changed while this run was using it
    settings = ws.settings
    if settings.openclaw_config and not os.path.isabs(os.path.expanduser(settings.openclaw_config)):
        return None  # found relative to several folders: not worth recording them all
    cfg = ws.__dict__.get("openclaw")  # only when this run loaded it
    if cfg is not None and (getattr(cfg, "issues", None) or len(getattr(cfg, "files", ())) > 1):
        return None  # load problems or $include files (which may be links): always re-check
    from clawlint.cache import cache_base

    root = os.path.abspath(ws.root)
    cache_dir = cache_base(ws.root, settings.cache_dir)
    # Folders: typed entries as the scan saw them (skipped folders and the cache left out).
    names: dict[str, list[str]] = {"": []}
    for entry in ws.listing:
        kind, rel = entry[:2], entry[2:]
        parent, _, name = rel.rpartition("/")
        names.setdefault(parent, []).append(kind + name)
        if kind == "d:":
            names.setdefault(rel, [])
    deps: list[Any] = []
    for rel, found in names.items():
        folder = os.path.join(root, rel) if rel else root
        leave_out = sorted(SKIP_DIRS)
        if os.path.normpath(os.path.dirname(os.path.abspath(cache_dir))) == os.path.normpath(folder):
            leave_out.append(cache_dir.name)
        deps.append(("ls", folder, tuple(leave_out), tuple(found)))
    # Files: the stat from just before their content was read (or trusted from the stat cache).
    for f in ws.files.values():
        deps.append(("st", os.path.abspath(f.abspath), f.stat_full))
    for p in _config_files(ws):
        deps.append(("st", p, pre_stats.get(p)))
    return deps


def _dedupe(diags: list[Diagnostic]) -> list[Diagnostic]:
    seen = set()
    out = []
    for d in diags:
        key = (d.code, d.path, d.line, d.column, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def _suppression_findings(ws: Workspace, active: set[str], file_directives) -> list[Diagnostic]:
    """Unused (SUP001) and unknown-code (SUP002) suppressions, with fixes."""
    from clawlint.diagnostics import Fix

    if SUP_UNUSED not in active and SUP_UNKNOWN not in active:
        return []
    known = set(all_codes())
    docs = load_all()
    out: list[Diagnostic] = []
    for f in ws.files.values():
        if not ws.is_target(f.rel) or not f.may_have_directives:
            continue
        from clawlint import suppressions
        for dv in file_directives(f.rel):
            if dv.action == "enable":
                continue
            line, col = f.src.pos(dv.start)
            end_line, end_col = f.src.pos(dv.end)
            unknown = [c for c in dv.codes if c not in known]
            if unknown and SUP_UNKNOWN in active and not per_file_ignored(SUP_UNKNOWN, f.rel, ws.settings):
                keep = [c for c in dv.codes if c in known]
                from clawlint.didyoumean import closest

                hints = []
                for c in unknown:
                    close = closest(c, known)
                    hints.append(f"{c} (did you mean {close}?)" if close else c)
                out.append(
                    Diagnostic(
                        code=SUP_UNKNOWN,
                        name=docs[SUP_UNKNOWN].name,
                        message=f"Unknown rule code in suppression: {', '.join(hints)}; "
                        "list valid codes with `clawlint rule --all`",
                        path=f.rel, line=line, column=col, end_line=end_line, end_column=end_col,
                        severity=severity_for(SUP_UNKNOWN, ws.settings),
                        fix=Fix("Remove unknown rule code", (suppressions.removal_edit(f, dv, keep),
                                                             *suppressions.closing_edits(f, dv, keep))),
                    )
                )
            if SUP_UNUSED not in active or per_file_ignored(SUP_UNUSED, f.rel, ws.settings):
                continue
            if not dv.codes:
                if "*" not in dv.used:
                    out.append(
                        Diagnostic(
                            code=SUP_UNUSED, name=docs[SUP_UNUSED].name,
                            message="Unused blanket suppression: it hides nothing; remove it",
                            path=f.rel, line=line, column=col, end_line=end_line, end_column=end_col,
                            severity=severity_for(SUP_UNUSED, ws.settings),
                            fix=Fix("Remove unused suppression", (suppressions.removal_edit(f, dv, []),
                                                                  *suppressions.closing_edits(f, dv, []))),
                        )
                    )
                continue
            unused = [c for c in dv.codes if c in known and c in active and c not in dv.used]
            non_enabled = [c for c in dv.codes if c in known and c not in active]
            if not unused and not non_enabled:
                continue
            parts = []
            ignored = [c for c in unused if per_file_ignored(c, f.rel, ws.settings)]
            unused = [c for c in unused if c not in ignored]
            if ignored:
                parts.append(f"already ignored by per-file-ignores: {', '.join(ignored)}")
            if unused:
                parts.append(f"unused: {', '.join(unused)}")
            if non_enabled:
                parts.append(f"non-enabled: {', '.join(non_enabled)}")
            # Codes of rules that merely are not selected in this run are reported but kept:
            # a fix run with a narrow --select must not delete suppressions that still work.
            drop = set(unused) | set(ignored) | {c for c in dv.codes if c not in known}
            keep = [c for c in dv.codes if c not in drop]
            removable = [c for c in dv.codes if c in drop and c in known]
            one = len(non_enabled) == 1
            why = (f"{', '.join(non_enabled)} {'is' if one else 'are'} only not selected in this "
                   f"run: keep {'it' if one else 'them'} if you run "
                   f"{'that rule' if one else 'those rules'}")
            if not keep:
                advice = "remove it"
            elif removable:
                advice = f"remove {', '.join(removable)}"
            else:
                advice, non_enabled = why, []  # nothing to remove: say only why it stays
            if non_enabled:
                advice += f" ({why})"
            out.append(
                Diagnostic(
                    code=SUP_UNUSED, name=docs[SUP_UNUSED].name,
                    message=f"Unused suppression ({'; '.join(parts)}); {advice}",
                    path=f.rel, line=line, column=col, end_line=end_line, end_column=end_col,
                    severity=severity_for(SUP_UNUSED, ws.settings),
                    fix=Fix("Remove unused suppression", (suppressions.removal_edit(f, dv, keep),
                                                          *suppressions.closing_edits(f, dv, keep)))
                    if len(keep) < len(dv.codes) else None,
                )
            )
    return out


# ---- fixes -----------------------------------------------------------------------------


@dataclass
class FixOutcome:
    overlay: dict[str, str]  # rel -> new text
    original: dict[str, str]  # rel -> text before the first fix
    renames: dict[str, str]  # rel -> new rel
    applied: int


def apply_edits(text: str, diags: list[Diagnostic], unsafe: bool) -> tuple[str, int]:
    """Apply non-overlapping edits of fixable diagnostics, in one pass."""
    chosen = []
    for d in diags:
        if d.fix is None or d.fix.rename_to:
            continue
        if d.fix.applicability is Applicability.UNSAFE and not unsafe:
            continue
        chosen.append(d.fix)
    chosen.sort(key=lambda fx: min((e.start for e in fx.edits), default=0))
    edits = []
    last_end = -1
    applied = 0
    for fx in chosen:
        spans = sorted(fx.edits, key=lambda e: e.start)
        if spans and spans[0].start < last_end:
            continue  # overlaps an earlier fix: the next pass picks it up
        edits.extend(spans)
        last_end = max(e.end for e in spans) if spans else last_end
        applied += 1
    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: e.start] + e.content + text[e.end :]
    return text, applied


def unified_diff(rel: str, before: str, after: str) -> str:
    """A patch that `git apply`/`patch` accept, including the no-final-newline marker."""
    out = []
    import difflib

    for line in difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True),
        fromfile=f"a/{rel}", tofile=f"b/{rel}",
    ):
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def write_atomic(path: Path, text: str) -> None:
    """A fixed file: same permissions as before, on disk before it replaces the old one; a
    symlink stays a symlink (its target is rewritten, not the link replaced by a copy)."""
    import os

    from clawlint.atomic import write_bytes

    if path.is_symlink():
        path = Path(os.path.realpath(path))

    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    write_bytes(path, text.encode("utf-8"), mode=mode, fsync=True)
