"""PAR008, CFG001-CFG006, CFG012-CFG013: reading openclaw.json, `$include`, `${VAR}`,
duplicate keys, config eras, file permissions (facts §0, §3.1, §4)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator

from clawlint.checks.config_common import at, config_of, fmt, severity
from clawlint.diagnostics import Diagnostic
from clawlint.knowledge import config as kc
from clawlint.openclaw_config import KeyPath, OpenClawConfig, era_markers
from clawlint.registry import Context, kinds_inputs, rule
from clawlint.workspace import Kind


def _issues(ctx: Context, kind: str, suffix: str = "", level: str | None = None
            ) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None:
        return
    for i in cfg.issues:
        if i.kind != kind:
            continue
        d = ctx.diag(i.file, i.message + suffix, line=i.line, col=i.column,
                     end_line=i.end_line, end_col=i.end_column)
        if level is not None:
            d.severity = severity(ctx, level)
        yield d


@rule("PAR008", inputs=kinds_inputs(Kind.CONFIG))
def invalid_json5(ctx: Context) -> Iterator[Diagnostic]:
    yield from _issues(ctx, "read")
    yield from _issues(ctx, "parse", "; OpenClaw cannot load this config and refuses to start "
                       "the gateway until it parses. Fix the syntax at this position")


def _no_include_problem(ctx: Context) -> bool:
    """A missing or refused `$include` may be outside the workspace, which the cache cannot
    see; the files that did load are part of the cache key."""
    cfg = config_of(ctx)
    return cfg is None or not any(i.kind == "include" for i in cfg.issues)


@rule("CFG001", cache=_no_include_problem)
def include_problem(ctx: Context) -> Iterator[Diagnostic]:
    yield from _issues(ctx, "include")


@rule("CFG002", inputs=kinds_inputs(Kind.CONFIG))
def unresolved_env_var(ctx: Context) -> Iterator[Diagnostic]:
    yield from _issues(ctx, "env-unresolved")


@rule("CFG003", inputs=kinds_inputs(Kind.CONFIG))
def invalid_env_var_name(ctx: Context) -> Iterator[Diagnostic]:
    yield from _issues(ctx, "env-name")


@rule("CFG004", inputs=kinds_inputs(Kind.CONFIG))
def duplicate_key(ctx: Context) -> Iterator[Diagnostic]:
    yield from _issues(ctx, "duplicate")


_MIGRATION = {
    kc.CLASSIC_ROSTER: "move each `agents.list[]` entry to `agents.entries.<id>`",
    kc.CLASSIC_MEMORY_SEARCH: "move `agents.defaults.memorySearch` to `memory.search`",
}


@rule("CFG005", inputs=kinds_inputs(Kind.CONFIG))
def mixed_era(ctx: Context) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None or not cfg.ok:
        return
    current, classic = era_markers(cfg)
    if not current or not classic:
        return
    cur = ", ".join(f"`{fmt(p)}`" for p in current)
    for p in classic:
        how = _MIGRATION.get(p, f"move `{fmt(p)}` to `{fmt((*p[:-1], 'memory', 'search'))}`")
        yield at(ctx, cfg, p, (
            f"`{fmt(p)}` is a Classic-era key but this config also has Current-era {cur}; "
            "OpenClaw reads only one layout (the migration is one-way), so part of this config "
            f"is ignored. Finish the migration: {how} (or run `openclaw doctor --fix`)"))


@rule("CFG006", inputs=kinds_inputs(Kind.CONFIG))
def legacy_memory_search_location(ctx: Context) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None or not cfg.ok:
        return
    target = "memory.search" if cfg.era == "current" else "agents.defaults.memorySearch"
    if isinstance(cfg.get(*kc.LEGACY_TOP_MEMORY_SEARCH), dict):
        # doctor's message names the Classic target; a Current config is migrated further.
        doctor = ("`openclaw doctor --fix` does this: \"Moved memorySearch -> "
                  "agents.defaults.memorySearch\"" if cfg.era != "current"
                  else "`openclaw doctor --fix` migrates it")
        yield at(ctx, cfg, kc.LEGACY_TOP_MEMORY_SEARCH, (
            f"top-level `memorySearch` is a legacy location; move it to `{target}` "
            f"({doctor})"), level="warning")
    current, classic = era_markers(cfg)
    if current and classic:
        return  # mixed configs are CFG005
    declared = cfg.era_source in ("version", "settings")
    if cfg.era != "current":
        if declared:  # Current keys in a config for a Classic version: its schema lacks them
            yield from _newer_than_version(ctx, cfg, current)
        return
    # Startup migrates only single-file configs; with $include the gateway refuses them.
    level = "error" if len(cfg.files) > 1 else "warning"
    if declared:
        for p in classic:
            how = _MIGRATION.get(p, f"move it to `{fmt((*p[:-1], 'memory', 'search'))}`")
            yield at(ctx, cfg, p, (
                f"`{fmt(p)}` is the Classic-era location but this config is for OpenClaw "
                f"{cfg.version} (Current era); {how} (`openclaw doctor --fix` applies this "
                "migration)"), level=level)
    entries = cfg.get(*kc.CURRENT_ROSTER)
    if isinstance(entries, dict):
        for aid, entry in entries.items():
            if isinstance(entry, dict) and "memorySearch" in entry:
                p = (*kc.CURRENT_ROSTER, aid, "memorySearch")
                yield at(ctx, cfg, p, (
                    f"`{fmt(p)}` is the Classic spelling; in `agents.entries` the per-agent "
                    f"block is `{fmt((*kc.CURRENT_ROSTER, aid, 'memory', 'search'))}`. Move it "
                    "there (or run `openclaw doctor --fix`)"), level=level)


_BACK_MIGRATION = {
    kc.CURRENT_ROSTER: "write the agents as `agents.list[]` entries with an `id`",
    kc.CURRENT_MEMORY_SEARCH: "move its settings into `agents.defaults.memorySearch`",
}


def _newer_than_version(ctx: Context, cfg: OpenClawConfig, current: list[KeyPath]
                        ) -> Iterator[Diagnostic]:
    """Current-era keys in a config declared for a Classic version: that version's strict
    schema does not know them, so the config fails validation (facts §3.2). An error when the
    version is the user's own setting; a warning when it is only the version that last wrote
    the file (the user may have upgraded since and not started the new version yet)."""
    for p in current:
        how = _BACK_MIGRATION.get(p, "remove it (Classic versions have no such setting)")
        if cfg.era_source == "settings":
            yield at(ctx, cfg, p, (
                f"`{fmt(p)}` is a Current-era key (OpenClaw 2026.8+), but you run OpenClaw "
                f"{cfg.version} (the `openclaw-version` setting), whose strict schema rejects "
                f"unknown keys: the config fails validation. Either {how}, or upgrade "
                "OpenClaw and the setting"), level="error")
        else:
            yield at(ctx, cfg, p, (
                f"`{fmt(p)}` is a Current-era key (OpenClaw 2026.8+), but this config was last "
                f"written by OpenClaw {cfg.version} (`meta.lastTouchedVersion`), whose strict "
                f"schema rejects unknown keys: if you still run that version, the config fails "
                f"validation. Either {how}, or, if you have upgraded, start the new version "
                "once (it records itself there) or pass `--openclaw-version`"),
                level="warning")


def _has_literal_secret(cfg: OpenClawConfig) -> bool:
    from clawlint.checks.config_cache import literal_secrets

    return any(True for _ in literal_secrets(cfg))


@rule("CFG012", inputs=kinds_inputs(Kind.CONFIG))
def config_permissions(ctx: Context) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None or cfg.path is None or os.name != "posix":
        return
    try:
        mode = os.stat(cfg.path).st_mode
    except OSError:
        return
    perms = stat.S_IMODE(mode)
    if perms & stat.S_IWOTH:
        yield ctx.diag(cfg.display, (
            f"the config file is world-writable (mode {perms:03o}); any local user can change "
            f"your agents and their tools. Run `chmod 600 {cfg.path}`"))
    elif perms & stat.S_IROTH and cfg.ok and _has_literal_secret(cfg):
        yield ctx.diag(cfg.display, (
            f"the config file holds credentials and is world-readable (mode {perms:03o}); "
            f"run `chmod 600 {cfg.path}` (and move the keys to `${{ENV}}` references)"))


@rule("CFG013", inputs=kinds_inputs(Kind.CONFIG))
def symlinked_config(ctx: Context) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None or cfg.path is None or not cfg.path.is_symlink():
        return
    target = os.path.realpath(cfg.path)
    yield ctx.diag(cfg.display, (
        f"the config is a symlink to {target}; OpenClaw replaces the link with a regular file "
        "when it writes the config (doctor, `openclaw config set`), so your edits stop reaching "
        "the target. Point OPENCLAW_CONFIG_PATH at the real file or use `$include` instead"))
