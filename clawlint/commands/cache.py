"""`clawlint cache [WORKSPACE]` and `clawlint cache diff REV_A REV_B`: the prompt-cache audit."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from clawlint.knowledge.bootstrap import SESSION_KINDS


def _fail(msg: str) -> None:
    click.echo(f"clawlint: error: {msg}", err=True)
    sys.exit(2)


def _open_workspace(path: Path, openclaw_config: Path | None, openclaw_version: str | None,
                    config: Path | None) -> Any:
    from clawlint.config import ConfigError, load_settings
    from clawlint.workspace import Workspace, find_root

    root = find_root(path) if path.exists() else None
    if root is None:
        _fail(f"{path} is not inside an OpenClaw workspace (no AGENTS.md, SOUL.md, MEMORY.md, "
              "memory/ or openclaw.json found)")
    assert root is not None
    try:
        settings = load_settings(root, config)
    except ConfigError as exc:
        _fail(str(exc))
    if openclaw_config is not None:
        settings.openclaw_config = str(openclaw_config.resolve())
    if openclaw_version:
        settings.openclaw_version = openclaw_version
    return Workspace(root, settings)


def _model(ws: Any, cli_model: str | None) -> str:
    from clawlint.knowledge.pricing import DEFAULT_MODEL
    from clawlint.prefix import openclaw_config

    if cli_model:
        return cli_model
    if ws.settings.model:
        return ws.settings.model
    cfg = openclaw_config(ws)
    if cfg is not None:
        try:
            m = cfg.agent_setting("model", ws.settings.agent)
        except Exception:
            m = None
        if isinstance(m, dict):
            m = m.get("primary")
        if isinstance(m, str) and m.strip():
            return m.strip()
    return DEFAULT_MODEL


def _retention(ws: Any, price: Any) -> str:
    from clawlint.prefix import openclaw_config

    cfg = openclaw_config(ws)
    val = None
    if cfg is not None:
        try:
            val = cfg.agent_setting("params.cacheRetention", ws.settings.agent)
        except Exception:
            val = None
    if val in ("none", "short", "long"):
        return str(val)
    return "short"


def _cost_params(ws: Any, model: str | None, prices: Path | None, factor: float | None,
                 turns: int, edit_at: int | None, turn_tokens: int) -> Any:
    from clawlint.cachereport import CostParams
    from clawlint.knowledge.pricing import load_overrides, lookup

    overrides = None
    if prices is not None:
        try:
            overrides = load_overrides(prices)
        except ValueError as exc:
            _fail(str(exc))
    mid = _model(ws, model)
    price = lookup(mid, overrides)
    f = factor if factor is not None else (price.token_factor if price else 1.0)
    return CostParams(model=mid, price=price, factor=f, retention=_retention(ws, price),
                      turns=max(1, turns), edit_at=edit_at if edit_at else max(1, turns // 2),
                      turn_tokens=max(0, turn_tokens))


_COMMON = [
    click.option("--model", help="Model for prices and minimums (default: config, then "
                 "anthropic/claude-sonnet-4-6)."),
    click.option("--session", type=click.Choice(SESSION_KINDS), default="main", show_default=True,
                 help="Session kind whose injected files are measured."),
    click.option("--output-format", type=click.Choice(["text", "json"]), default="text",
                 show_default=True),
    click.option("--prices", type=click.Path(path_type=Path, dir_okay=False),
                 help="JSON file that overrides or adds price-table rows."),
    click.option("--token-factor", type=float, help="Override the model's tokenizer correction factor."),
    click.option("--turns", type=int, default=50, show_default=True, help="Session length in turns."),
    click.option("--edit-at", type=int, help="Turn of the prefix edit to price (default: turns/2)."),
    click.option("--turn-tokens", type=int, default=1500, show_default=True,
                 help="Conversation tokens added per turn (re-written after a prefix edit)."),
    click.option("--openclaw-config", type=click.Path(path_type=Path), envvar="OPENCLAW_CONFIG_PATH",
                 help="Path to openclaw.json."),
    click.option("--openclaw-version", help="OpenClaw version to assume (e.g. 2026.9.6)."),
    click.option("--config", "config_path", type=click.Path(path_type=Path),
                 help="Use this clawlint config file."),
    click.option("--since-days", type=int, default=30, show_default=True,
                 help="Churn window in days (git history)."),
    click.option("--no-churn", is_flag=True, help="Skip the git churn analysis."),
    click.option("--workspace", "-w", type=click.Path(path_type=Path),
                 help="Workspace for `cache diff` with git revisions (default: current directory)."),
]


def _options(fn: Any) -> Any:
    for opt in reversed(_COMMON):
        fn = opt(fn)
    return fn


@click.command("cache", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("args", nargs=-1)
@_options
def command(args: tuple[str, ...], model: str | None, session: str, output_format: str,
            prices: Path | None, token_factor: float | None, turns: int, edit_at: int | None,
            turn_tokens: int, openclaw_config: Path | None, openclaw_version: str | None,
            config_path: Path | None, since_days: int, no_churn: bool,
            workspace: Path | None) -> None:
    """Audit the cached prompt prefix: `cache [WORKSPACE]` or `cache diff REV_A REV_B`.

    REV_A/REV_B are git revisions of the workspace repository, or two workspace folders.
    """
    from clawlint import tokens

    if not tokens.available():
        _fail("the cl100k_base tokenizer is unavailable (tiktoken missing or data file corrupt)")
    if args and args[0] == "diff":
        if len(args) != 3:
            _fail("usage: clawlint cache diff REV_A REV_B")
        _diff(args[1], args[2], workspace or Path("."), model, session, output_format, prices,
              token_factor, turns, edit_at, turn_tokens, openclaw_config, openclaw_version,
              config_path)
        return
    if len(args) > 1:
        _fail("give at most one WORKSPACE (or `diff REV_A REV_B`)")
    _audit(Path(args[0]) if args else (workspace or Path(".")), model, session, output_format,
           prices, token_factor, turns, edit_at, turn_tokens, openclaw_config, openclaw_version,
           config_path, since_days, no_churn)


def _audit(path: Path, model: str | None, session: str, fmt: str, prices: Path | None,
           factor: float | None, turns: int, edit_at: int | None, turn_tokens: int,
           oc_config: Path | None, oc_version: str | None, config: Path | None,
           since_days: int, no_churn: bool) -> None:
    from clawlint import cachereport, churn, prefix

    ws = _open_workspace(path, oc_config, oc_version, config)
    res = prefix.simulate(ws, session)
    cp = _cost_params(ws, model, prices, factor, turns, edit_at, turn_tokens)
    ch = None
    if not no_churn:
        try:
            ch = churn.churn(ws.root, prefix.workspace_inputs(ws, session, skills=False),
                             days=since_days, ws=ws)
        except churn.GitError as exc:
            click.echo(f"clawlint: warning: churn skipped: {exc}", err=True)
    data = cachereport.report(res, cp, str(ws.root), ch)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(cachereport.render_text(data), nl=False)


def _diff(rev_a: str, rev_b: str, wpath: Path, model: str | None, session: str, fmt: str,
          prices: Path | None, factor: float | None, turns: int, edit_at: int | None,
          turn_tokens: int, oc_config: Path | None, oc_version: str | None,
          config: Path | None) -> None:
    from clawlint import cachereport, churn, prefix

    pa, pb = Path(rev_a), Path(rev_b)
    if pa.is_dir() != pb.is_dir():
        _fail("compare two git revisions or two workspace folders, not one of each")
    if pa.is_dir() and pb.is_dir():
        wa = _open_workspace(pa, oc_config, oc_version, config)
        wb = _open_workspace(pb, oc_config, oc_version, config)
        # Same display root for both, so only content differences count.
        ia = prefix.workspace_inputs(wa, session)
        ib = prefix.workspace_inputs(wb, session)
        ib.display_root = ia.display_root
        a, b = prefix.build(ia), prefix.build(ib)
        ws = wb
    else:
        ws = _open_workspace(wpath, oc_config, oc_version, config)
        rel = churn.git_prefix(ws.root)
        if rel is None:
            _fail(f"{ws.root} is not in a git repository; pass two workspace folders instead")
        assert rel is not None
        base = prefix.workspace_inputs(ws, session, skills=False)
        try:
            for rev in (rev_a, rev_b):
                churn._git(ws.root, "rev-parse", "--verify", "--quiet", rev + "^{commit}")
            # The skills block is part of the cached prefix: rebuild it at each revision too.
            a = prefix.build(churn.inputs_at(ws.root, rev_a, base, rel, with_skills=True, ws=ws))
            b = prefix.build(churn.inputs_at(ws.root, rev_b, base, rel, with_skills=True, ws=ws))
        except churn.GitError as exc:
            _fail(f"cannot read revisions: {exc}")
    cp = _cost_params(ws, model, prices, factor, turns, edit_at, turn_tokens)
    fd = churn.first_difference(a, b)
    data = cachereport.diff_report(a, b, fd, cp, rev_a, rev_b)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(cachereport.render_diff_text(data), nl=False)
