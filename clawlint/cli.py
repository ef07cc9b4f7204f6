"""Command-line interface: `clawlint check`, `clawlint rule`, and the commands in
`clawlint/commands/`. Exit codes: 0 clean, 1 problems found, 2 usage/config/internal error."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click

from clawlint import __version__
from clawlint.config import ConfigError, Settings

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


def _split_codes(values: tuple[str, ...]) -> list[str] | None:
    if not values:
        return None
    out = []
    for v in values:
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return out


class DefaultGroup(click.Group):
    """`clawlint PATHS` means `clawlint check PATHS` (like `ruff PATHS` once did)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-") and (
            args[0] in _command_names() or not os.path.exists(args[0])
        ):
            _load_commands(self)  # contributed commands load only when one may be meant
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        _load_commands(self)
        return sorted(self.commands)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands:  # `check` and `rule` need no contributed modules
            _load_commands(self)
        return self.commands.get(name)


_commands_loaded = False


def _command_names() -> set[str]:
    """Names of the contributed command modules, without importing them (a folder named
    `cache` in the working directory must not hide `clawlint cache`)."""
    import pkgutil

    import clawlint.commands as pkg

    return {m.name for m in pkgutil.iter_modules(pkg.__path__)}


def _load_commands(group: click.Group) -> None:
    """Commands contributed by modules in clawlint/commands/ (each exposes `command`)."""
    global _commands_loaded
    if _commands_loaded:
        return
    _commands_loaded = True
    import importlib
    import pkgutil

    import clawlint.commands as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        m = importlib.import_module(f"clawlint.commands.{mod.name}")
        cmd = getattr(m, "command", None)
        if isinstance(cmd, click.Command) and cmd.name not in group.commands:
            group.add_command(cmd)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="clawlint", message="%(prog)s %(version)s")
def cli() -> None:
    """clawlint: lint OpenClaw workspaces for prompt-cache breakers, memory rot and config mistakes."""


def _fail(message: str) -> None:
    click.echo(f"clawlint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _use_color(choice: str, stream: Any) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


@cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (comma-separated); replaces the default set.")
@click.option("--extend-select", multiple=True, help="Rule codes or prefixes to enable in addition.")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="Use this clawlint config file.")
@click.option(
    "--output-format",
    type=click.Choice(["full", "concise", "grouped", "json", "json-lines", "sarif", "github", "gitlab", "junit", "pylint"]),
    envvar="CLAWLINT_OUTPUT_FORMAT",
    default="full",
    show_default=True,
)
@click.option("--output-file", "-o", type=click.Path(path_type=Path), help="Write the report to this file.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when problems are found.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when --fix changed files, even if no problem is left.")
@click.option("--statistics", is_flag=True, help="Show counts per rule instead of each problem.")
@click.option("--fix", is_flag=True, help="Apply safe fixes.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix/--diff, also apply unsafe fixes.")
@click.option("--diff", is_flag=True, help="Print the fixes as a diff; write nothing.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("--quiet", "-q", is_flag=True, help="Print diagnostics only, no summary.")
@click.option("--verbose", "-v", is_flag=True, help="Show tracebacks for internal errors.")
@click.option("--openclaw-config", type=click.Path(path_type=Path), envvar="OPENCLAW_CONFIG_PATH", help="Path to openclaw.json.")
@click.option("--openclaw-version", help="OpenClaw version to assume (e.g. 2026.9.6).")
@click.option("--online", is_flag=True, help="Also probe the embedding endpoint the config names.")
@click.option("--allow-remote", is_flag=True, help="Allow network calls to non-loopback endpoints.")
@click.option("--embeddings", type=click.Choice(["auto", "ollama", "openai", "lexical"]), help="Backend for the duplicate check.")
@click.option("--embed-model", help="Embedding model (default: from memorySearch).")
@click.option("--ollama-url", help="Ollama base URL (default: memorySearch, then OLLAMA_HOST).")
def check_cmd(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_path: Path | None,
    output_format: str,
    output_file: Path | None,
    exit_zero: bool,
    exit_non_zero_on_fix: bool,
    statistics: bool,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    no_cache: bool,
    color: str,
    quiet: bool,
    verbose: bool,
    openclaw_config: Path | None,
    openclaw_version: str | None,
    online: bool,
    allow_remote: bool,
    embeddings: str | None,
    embed_model: str | None,
    ollama_url: str | None,
) -> None:
    """Lint workspaces, folders or files (default: the current directory)."""
    from clawlint.emitters import EmitContext, emit
    from clawlint.engine import unified_diff
    from clawlint.replay import Recorder
    from clawlint.runner import Selection, run

    recorder = Recorder()
    if fix or diff or verbose:
        recorder.disqualify()

    def configure(s: Settings) -> None:
        if openclaw_config is not None:
            s.openclaw_config = str(openclaw_config.resolve())
        if openclaw_version:
            from clawlint.knowledge.versions import parse_version

            if parse_version(openclaw_version) is None:
                raise ConfigError(
                    f"--openclaw-version: {openclaw_version!r} is not an OpenClaw version "
                    "(expected YYYY.M.D, e.g. 2026.9.6)"
                )
            s.openclaw_version = openclaw_version
        if embeddings:
            s.embeddings = embeddings
        if embed_model:
            s.embed_model = embed_model
        if ollama_url:
            s.ollama_url = ollama_url
        s.online = online or s.online
        s.allow_remote = allow_remote or s.allow_remote
        s.no_cache = no_cache or s.no_cache

    targets = list(paths) or [Path(".")]
    try:
        report = run(
            targets,
            config=config_path,
            selection=Selection(_split_codes(select), _split_codes(extend_select), _split_codes(ignore)),
            fix=fix,
            unsafe_fixes=unsafe_fixes,
            diff=diff,
            verbose=verbose,
            configure=configure,
        )
    except ConfigError as exc:
        _fail(str(exc))
        return
    except Exception as exc:  # never a traceback unless asked for
        if verbose:
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (run with --verbose for details)")
        return

    for p in report.not_workspaces:
        warning = (
            f"clawlint: warning: {p} is not inside an OpenClaw workspace "
            "(no AGENTS.md, SOUL.md, MEMORY.md, memory/ or openclaw.json found); skipped"
        )
        click.echo(warning, err=True)
        recorder.stderr(warning + "\n")
    from clawlint.memory_support import today_env_problem

    if problem := today_env_problem():
        warning = f"clawlint: warning: {problem}"
        click.echo(warning, err=True)
        recorder.stderr(warning + "\n")
    if not report.results:
        _fail("no OpenClaw workspace to lint")
    for msg in report.internal_errors:
        click.echo(f"clawlint: error: {msg} (please report this; run with --verbose for details)", err=True)
    for msg in report.fix_errors:
        click.echo(f"clawlint: error: --fix: {msg}", err=True)

    out_stream = sys.stdout
    use_color = _use_color(color, out_stream) and output_file is None
    diags = report.diagnostics

    sources: dict[tuple[str, str], list[str]] = {}

    def source_line(d: Any) -> str:
        key = (d.root, d.path)
        if key not in sources:
            lines: list[str] = []
            for r in report.results:
                if str(r.ws.root) == d.root:
                    f = r.ws.get(d.path)
                    if f is not None and f.text is not None:
                        lines = f.src.lines
            sources[key] = lines
        lines = sources[key]
        return lines[d.line - 1] if 0 < d.line <= len(lines) else ""

    fixed = sum(o.applied for _, o in report.fixes)
    ctx = EmitContext(source_line=source_line, color=use_color, fixed=fixed if fix and not diff else 0,
                      unsafe_fixes=unsafe_fixes)

    if diff:
        chunks = []
        for _ws, outcome in report.fixes:
            for rel, new in sorted(outcome.overlay.items()):
                chunks.append(unified_diff(rel, outcome.original[rel], new))
            for old, new in sorted(outcome.renames.items()):
                chunks.append(f"rename from {old}\nrename to {new}\n")
        text = "".join(chunks)
        n = sum(o.applied for _, o in report.fixes)
        if not quiet:
            text += f"\nWould fix {n} problem{'s' if n != 1 else ''}.\n" if n else "No fixes available.\n"
        _write_out(text, output_file)
        code = EXIT_PROBLEMS if report.fixes and not exit_zero else EXIT_CLEAN
        sys.exit(EXIT_ERROR if report.internal_errors else code)

    if statistics:
        text = _statistics(diags, output_format)
    else:
        text = emit(output_format, diags, ctx)
        if quiet and output_format in ("full", "concise", "grouped"):
            text = "\n".join(
                line for line in text.splitlines() if not line.startswith(("Found ", "[*] ", "[-] ", "All checks passed", "Fixed ", "No problems left"))
            )
            text = text + "\n" if text.strip() else ""
    _write_out(text, output_file, use_color)
    if output_file is not None:
        recorder.file(str(output_file), text)
    else:
        recorder.stdout(text)

    if report.internal_errors or report.fix_errors:
        sys.exit(EXIT_ERROR)
    failing = [d for d in diags if d.severity is None or d.severity.value in ("error", "warning")]
    if exit_zero:
        code = EXIT_CLEAN
    elif failing or (exit_non_zero_on_fix and fixed):
        code = EXIT_PROBLEMS
    else:
        code = EXIT_CLEAN
    recorder.save(report.replay_deps, code)
    sys.exit(code)


def _write_out(text: str, output_file: Path | None, color: bool = False) -> None:
    if output_file is not None:
        try:
            output_file.parent.mkdir(parents=True, exist_ok=True)
            output_file.write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot write {output_file}: {exc.strerror or exc}")
    else:
        # click strips ANSI codes when stdout is not a TTY unless told otherwise.
        click.echo(text, nl=False, color=color or None)


def _statistics(diags: list[Any], fmt: str) -> str:
    counts = Counter(d.code for d in diags)
    names = {d.code: d.name for d in diags}
    fixable = {d.code for d in diags if d.fixable}
    unsafe = {d.code for d in diags if d.fix is not None and not d.fixable}
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if fmt in ("json", "json-lines"):
        data = [{"code": c, "name": names[c], "count": n, "fixable": c in fixable,
                 "unsafe_fixable": c in unsafe and c not in fixable} for c, n in rows]
        return json.dumps(data, indent=2) + "\n"
    width = max((len(str(n)) for _, n in rows), default=1)

    def mark(c: str) -> str:
        return "[*]" if c in fixable else ("[-]" if c in unsafe else "[ ]")

    return "".join(f"{str(n).rjust(width)}\t{c}\t{mark(c)} {names[c]}\n" for c, n in rows)


@cli.command("rule")
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Show every rule.")
@click.option("--output-format", type=click.Choice(["text", "json", "markdown-table"]), default="text", show_default=True)
def rule_cmd(code: str | None, show_all: bool, output_format: str) -> None:
    """Explain a rule (what it does, why, example, fix)."""
    from clawlint.registry import all_codes
    from clawlint.ruledocs import load_all

    docs = load_all()
    codes = all_codes()
    if show_all:
        selected = codes
    elif code:
        c = code.upper()
        by_name = {docs[k].name: k for k in codes}
        c = by_name.get(code, c)
        if c not in codes:
            _fail(f"invalid value {code!r} for RULE: no such rule; see `clawlint rule --all`")
        selected = [c]
    else:
        _fail("give a rule CODE or --all")
        return
    if output_format == "json":
        data = [docs[c].to_json() for c in selected]
        click.echo(json.dumps(data if show_all else data[0], indent=2, ensure_ascii=False))
    elif output_format == "markdown-table":
        from clawlint.docs import rule_table

        click.echo(rule_table(selected), nl=False)
    else:
        click.echo("\n\n".join(docs[c].render() for c in selected), nl=False)


def main() -> None:
    from clawlint import replay

    replay.begin(sys.argv[1:])  # the key of a replay record this run may leave
    try:
        cli.main(prog_name="clawlint", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_ERROR)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_ERROR)
    except ConfigError as exc:
        _fail(str(exc))
    except Exception as exc:  # one line, never a traceback unless asked for
        if "--verbose" in sys.argv or "-v" in sys.argv[1:]:
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (run with --verbose for details)")
    sys.exit(EXIT_CLEAN)
