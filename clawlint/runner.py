"""From command-line paths to lint results: group paths by workspace, lint, fix."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clawlint.config import ConfigError, Settings, config_paths, load_settings
from clawlint.diagnostics import Applicability, Diagnostic
from clawlint.engine import (
    FixOutcome,
    RunOptions,
    WorkspaceResult,
    apply_edits,
    lint_workspace,
    replay_deps,
    write_atomic,
)
from clawlint.registry import resolve_selection
from clawlint.workspace import Workspace, find_root, real_target

MAX_FIX_PASSES = 10


@dataclass
class Selection:
    select: list[str] | None = None
    extend_select: list[str] | None = None
    ignore: list[str] | None = None


@dataclass
class RunReport:
    results: list[WorkspaceResult] = field(default_factory=list)
    fixes: list[tuple[Workspace, FixOutcome]] = field(default_factory=list)
    not_workspaces: list[Path] = field(default_factory=list)
    # path -> [size, mtime, ctime, inode, mode] ([] = absent), taken before the run read it.
    pre_stats: dict[str, list[int]] = field(default_factory=dict)
    # path -> whether it existed: path arguments and the workspace markers and `.git` that
    # find_root looked for (existence is all it tests; a `.git` folder's stat changes on
    # every commit).
    pre_exists: dict[str, bool] = field(default_factory=dict)
    # --fix: files that could not be written ("path: reason"); the run then exits 2.
    fix_errors: list[str] = field(default_factory=list)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        out = []
        for r in self.results:
            out.extend(r.diagnostics)
        return out

    @property
    def internal_errors(self) -> list[str]:
        return [e for r in self.results for e in r.internal_errors]

    def replay_deps(self) -> list[Any] | None:
        """Everything a replay of this run depends on, or None if it may not be replayed."""
        if self.fixes or not self.results or self.not_workspaces:
            return None  # a path that is not a workspace yet could become one
        deps: list[Any] = [("ex", p, e) for p, e in self.pre_exists.items()]
        deps += [("st", p, st) for p, st in self.pre_stats.items()]
        for r in self.results:
            part = replay_deps(r, self.pre_stats)
            if part is None:
                return None
            deps.extend(part)
        return deps


def outside_config_paths(settings: Settings) -> list[str]:
    """OpenClaw config files a workspace may use from outside it: an explicit path and the
    state directory's config and .env (stat'd before the run reads them)."""
    from clawlint.knowledge import config as kc

    out = []
    if settings.openclaw_config and os.path.isabs(os.path.expanduser(settings.openclaw_config)):
        out.append(os.path.expanduser(settings.openclaw_config))
    state = kc.state_dir()
    out += [str(state / ".env"), str(state / kc.CONFIG_BASENAME)]
    return out


def group_paths(
    paths: list[Path], probed: list[str] | None = None,
) -> tuple[dict[Path, list[str] | None], list[Path]]:
    """Workspace root -> target paths (None = the whole workspace)."""
    groups: dict[Path, list[str] | None] = {}
    missing: list[Path] = []
    for p in paths:
        if probed is not None:
            probed.append(os.path.abspath(p))
        if not p.exists() and not p.is_symlink():
            raise ConfigError(f"{p}: no such file or directory")
        root = find_root(p, probed)
        if root is None:
            missing.append(p)
            continue
        # Relative to the root as find_root saw it (folders resolved), so that a path given
        # through a symlinked folder still names files of the workspace.
        rel = os.path.relpath(real_target(p), root).replace(os.sep, "/")
        if rel == ".":
            groups[root] = None
        elif root in groups and groups[root] is None:
            continue
        else:
            groups.setdefault(root, [])
            assert groups[root] is not None
            groups[root].append(rel)  # type: ignore[union-attr]
    return groups, missing


def run(
    paths: list[Path],
    *,
    config: Path | None = None,
    selection: Selection | None = None,
    fix: bool = False,
    unsafe_fixes: bool = False,
    diff: bool = False,
    verbose: bool = False,
    configure: Callable[[Settings], None] | None = None,
) -> RunReport:
    from clawlint.replay import stat_of

    selection = selection or Selection()
    report = RunReport()
    # What decides the result, stat'd before it is read (clawlint/replay.py): the paths and
    # workspace markers find_root looked at, then each root's config candidates.
    probed: list[str] = []
    groups, missing = group_paths(paths, probed)
    report.not_workspaces = missing
    report.pre_exists.update((p, os.path.exists(p)) for p in probed)
    for root, targets in groups.items():
        candidates = [config] if config is not None else config_paths(root)
        report.pre_stats.update((os.path.abspath(p), stat_of(os.path.abspath(p))) for p in candidates)
        settings = load_settings(root, config)
        if configure is not None:
            configure(settings)
        for p in outside_config_paths(settings):
            report.pre_stats[p] = stat_of(p)
        settings.unsafe_fixes = unsafe_fixes
        active = resolve_selection(settings, selection.select, selection.extend_select, selection.ignore)
        opts = RunOptions(active=active, verbose=verbose)
        ws = Workspace(root, settings, targets)
        result = lint_workspace(ws, opts)
        if fix or diff:
            before = result
            ws, result, outcome = _fix_loop(ws, result, opts, unsafe_fixes)
            if outcome.applied:
                errors = [] if diff else _write(ws, outcome)
                report.fix_errors.extend(errors)
                if errors and outcome.applied == 0:
                    result = before  # nothing was written: report what is on disk
                if outcome.applied:
                    report.fixes.append((ws, outcome))
        report.results.append(result)
    return report


def _fix_loop(
    ws: Workspace, result: WorkspaceResult, opts: RunOptions, unsafe: bool
) -> tuple[Workspace, WorkspaceResult, FixOutcome]:
    overlay: dict[str, str] = {}
    original: dict[str, str] = {}
    renames: dict[str, str] = {}
    applied = 0
    for _ in range(MAX_FIX_PASSES):
        by_file: dict[str, list[Diagnostic]] = {}
        for d in result.diagnostics:
            if d.fix is None:
                continue
            if d.fix.applicability is Applicability.UNSAFE and not unsafe:
                continue
            if d.fix.rename_to:
                # Never two files to one name, never onto an existing file.
                if (d.path not in renames and d.fix.rename_to not in ws.files
                        and d.fix.rename_to not in renames.values()):
                    renames[d.path] = d.fix.rename_to
                continue
            by_file.setdefault(d.path, []).append(d)
        changed = 0
        for rel, diags in by_file.items():
            f = ws.get(rel)
            if f is None or f.text is None:
                continue
            new, n = apply_edits(f.text, diags, unsafe)
            if n and new != f.text:
                original.setdefault(rel, f.text)
                overlay[rel] = new
                changed += n
        applied += changed
        if not changed:
            break
        ws = Workspace(ws.root, ws.settings, ws.targets, overlay=dict(overlay))
        result = lint_workspace(ws, opts)
    # Files whose text ended where it started are not changed.
    overlay = {k: v for k, v in overlay.items() if v != original.get(k)}
    applied += len(renames)
    if renames:
        result.diagnostics = [
            d for d in result.diagnostics if not (d.fix and d.fix.rename_to and d.path in renames)
        ]
    return ws, result, FixOutcome(overlay, original, renames, applied)


def _write(ws: Workspace, outcome: FixOutcome) -> list[str]:
    """Write the fixed files and do the renames; returns what failed ("path: reason").

    Every target is checked first, so a read-only file or folder means nothing is written
    (outcome.applied becomes 0) rather than half a fix. A failure after that (a full disk)
    leaves the files already written, names the rest, and takes their fixes off the count."""
    root = ws.root
    problems: list[str] = []
    for rel in outcome.overlay:
        path = root / rel
        real = Path(os.path.realpath(path)) if path.is_symlink() else path
        # A fix replaces the file through its folder (write_atomic keeps the file's mode), so
        # the folder is what must be writable; a read-only file is fixed like any other.
        if not os.access(real.parent, os.W_OK | os.X_OK):
            problems.append(f"{rel}: its folder {real.parent} is not writable")
    for old, new in outcome.renames.items():
        if os.path.lexists(root / new):
            problems.append(f"{old}: not renamed to {new}, which exists")
        elif not os.access((root / old).parent, os.W_OK | os.X_OK):
            problems.append(f"{old}: not renamed (its folder is not writable)")
    if problems:
        outcome.applied = 0
        outcome.overlay.clear()
        outcome.renames.clear()
        return [p + "; no fix was written" for p in problems]
    failed: list[str] = []
    for rel, text in list(outcome.overlay.items()):
        try:
            write_atomic(root / rel, text)
        except OSError as exc:
            failed.append(f"{rel}: {exc.strerror or exc}; its fixes were not written")
            del outcome.overlay[rel]
    for old, new in list(outcome.renames.items()):
        src, dst = root / old, root / new
        try:
            if os.path.lexists(dst):
                raise FileExistsError(f"{new} exists")
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
        except OSError as exc:
            failed.append(f"{old}: not renamed to {new} ({exc.strerror or exc})")
            del outcome.renames[old]
    if failed:
        # Per-file fix counts are not kept: count what is certain (renames done, files written).
        outcome.applied = min(outcome.applied, len(outcome.overlay) + len(outcome.renames))
    return failed
