"""The rule registry: each rule is a `check` function registered under its code.

Rule modules live in `clawlint/checks/`; metadata (name, severity, options, docs) comes
from `rules/<CODE>.md` so that it is written once.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clawlint.diagnostics import Diagnostic, Fix
from clawlint.ruledocs import RuleDoc, load_all

if TYPE_CHECKING:
    from clawlint.config import Settings
    from clawlint.workspace import Kind, SourceFile, Workspace

CheckFn = Callable[..., Iterable[Diagnostic]]


@dataclass
class Rule:
    code: str
    func: CheckFn
    # Per-file rules run once for each file of these kinds: check(ctx, file).
    # Workspace rules (kinds=None) run once: check(ctx).
    kinds: frozenset[Kind] | None = None
    # False for rules whose result depends on more than the workspace files, settings and the
    # environment fingerprint (network probes, embedding servers): the result cache never stores
    # them. A callable `(ctx) -> bool` decides per run (e.g. only when an option is set).
    cache: bool | Callable[[Context], bool] = True
    # Workspace rules only: the files the rule reads, `(ws) -> files` (besides openclaw.json,
    # the settings and the environment, which key every cached result). Such a rule's cached
    # result is reused while those files are unchanged, even when others changed: an edit of
    # AGENTS.md does not re-run the duplicate index. None: it depends on every file.
    # Strings among them are hashed as they are (e.g. whether a folder exists).
    # tests/test_scoped_inputs.py checks that a rule reads no file outside its inputs.
    inputs: Callable[[Workspace], Iterable[SourceFile | str]] | None = None

    def cacheable(self, ctx: Context) -> bool:
        if callable(self.cache):
            try:
                return bool(self.cache(ctx))
            except Exception:  # noqa: BLE001 - when in doubt, run the rule
                return False
        return bool(self.cache)

    @property
    def doc(self) -> RuleDoc:
        return load_all()[self.code]

    @property
    def name(self) -> str:
        return self.doc.name


_RULES: dict[str, Rule] = {}
# Codes emitted by the engine itself (parse problems, suppressions); documented like rules.
ENGINE_CODES: set[str] = set()


def rule(
    code: str, *, kinds: Iterable[Kind] | None = None,
    cache: bool | Callable[[Context], bool] = True,
    inputs: Callable[[Workspace], Iterable[SourceFile | str]] | None = None,
) -> Callable[[CheckFn], CheckFn]:
    if inputs is not None and kinds is not None:
        raise ValueError(f"{code}: inputs are for workspace rules (per-file rules key by file)")

    def deco(fn: CheckFn) -> CheckFn:
        if code in _RULES:
            raise RuntimeError(f"duplicate rule code {code}")
        _RULES[code] = Rule(code, fn, frozenset(kinds) if kinds is not None else None, cache,
                            inputs)
        return fn

    return deco


def kinds_inputs(*kinds: Kind) -> Callable[[Workspace], list[SourceFile]]:
    """Rule.inputs of a workspace rule that reads only files of `kinds`. Rules naming the same
    kinds get the same function, so the engine hashes those files once for all of them (35
    rules: 10,000 cards hashed once instead of a dozen times)."""
    return _kinds_inputs(frozenset(kinds))


@cache
def _kinds_inputs(wanted: frozenset[Kind]) -> Callable[[Workspace], list[SourceFile]]:
    def inputs(ws: Workspace) -> list[SourceFile]:
        # Every file of those kinds, unreadable ones too: rules report them, test that they
        # exist, and OpenClaw injects markers for them.
        return [f for f in ws.files.values() if f.kind in wanted]

    return inputs


def engine_code(*codes: str) -> None:
    ENGINE_CODES.update(codes)


_loaded = False
_imported: set[str] = set()
_RULE_RE = re.compile(r"""@rule\(\s*["']([A-Z]+[0-9]+)["']""")
_ENGINE_RE = re.compile(r"engine_code\(([^)]*)\)")
_CODE_RE = re.compile(r"""["']([A-Z]+[0-9]+)["']""")


@lru_cache(maxsize=1)
def _static_index() -> tuple[dict[str, str], frozenset[str]]:
    """code -> check module, and the engine codes, from a text scan of `clawlint/checks/*.py`:
    a run imports only the modules of the rules it must actually execute."""
    import clawlint.checks as pkg

    modules: dict[str, str] = {}
    engine: set[str] = set()
    for base in pkg.__path__:
        for path in sorted(Path(base).glob("*.py")):
            if path.name.startswith("_"):
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except OSError:
                continue
            for code in _RULE_RE.findall(text):
                modules.setdefault(code, path.stem)
            for args in _ENGINE_RE.findall(text):
                engine.update(_CODE_RE.findall(args))
    return modules, frozenset(engine)


def load_rules(codes: Iterable[str] | None = None) -> dict[str, Rule]:
    """Import the check modules: all of them, or only those that define `codes`."""
    global _loaded
    if _loaded:
        return _RULES
    if codes is None:
        import clawlint.checks as pkg

        for mod in pkgutil.iter_modules(pkg.__path__):
            _import(mod.name)
        _loaded = True
        return _RULES
    modules, engine = _static_index()
    for code in codes:
        if code in _RULES or code in engine:
            continue
        mod = modules.get(code)
        if mod is None:
            return load_rules()  # not found by the scan (unusual spelling): import everything
        _import(mod)
    return _RULES


def _import(mod: str) -> None:
    if mod not in _imported:
        importlib.import_module(f"clawlint.checks.{mod}")
        _imported.add(mod)


def all_codes() -> list[str]:
    # Every rule has a page in rules/ (a test checks that), so the pages' index names them
    # all without scanning or importing the check modules.
    return sorted(set(load_all()) | set(_RULES) | ENGINE_CODES)


def matches(code: str, selector: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def resolve_selection(
    settings: Settings,
    cli_select: list[str] | None = None,
    cli_extend: list[str] | None = None,
    cli_ignore: list[str] | None = None,
) -> set[str]:
    """Ruff's model: the highest-priority `select`, then `extend-select`, then `ignore`."""
    from clawlint.config import ConfigError

    docs = load_all()
    codes = all_codes()

    def check(selectors: Iterable[str], where: str) -> list[str]:
        out = []
        for s in selectors:
            s = s.strip().upper()
            if not s:
                continue
            if s != "ALL" and not any(matches(c, s) for c in codes):
                raise ConfigError(f"{where}: unknown rule selector {s!r}")
            out.append(s)
        return out

    where = f"{settings.config_path}: " if settings.config_path else ""
    # Ruff's model: levels apply in order (defaults, config file, command line). A level with
    # a `select` starts over from it; then its `extend-select` adds and its `ignore` removes,
    # the more specific selector winning (select CV + ignore CV001 drops CV001; ignore CV +
    # extend-select CV001 keeps CV001); on a tie `ignore` wins.
    levels = [
        (
            check(settings.select, f"{where}select") if settings.select is not None else None,
            check(settings.extend_select, f"{where}extend-select"),
            check(settings.ignore, f"{where}ignore"),
        ),
        (
            check(cli_select, "--select") if cli_select else None,
            check(cli_extend or [], "--extend-select"),
            check(cli_ignore or [], "--ignore"),
        ),
    ]
    active = {c for c in codes if docs[c].default}

    def rank(code: str, selectors: list[str]) -> int:
        hits = [0 if s == "ALL" else len(s) for s in selectors if matches(code, s)]
        return max(hits) if hits else -1

    for select, extend, ignore in levels:
        new_active = set()
        for code in codes:
            pos = rank(code, (select or []) + extend)
            neg = rank(code, ignore)
            on = pos >= 0 if select is not None else (code in active or pos >= 0)
            if neg >= 0 and neg >= pos:
                on = False
            if on:
                new_active.add(code)
        active = new_active
    return active


# `scheme://user:secret@host` and `?api_key=...` in a URL a message quotes (base URLs from
# openclaw.json): reports end up in CI logs and SARIF uploads, credentials must not.
_URL_USERINFO = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^\s/@`'\"]+@")
_URL_SECRET_PARAM = re.compile(  # any parameter whose name mentions a credential (query or fragment)
    r"([?&#;][\w.-]*?(?:key|token|pass(?:word|wd)?|secret|sig(?:nature)?|auth|credential|session)"
    r"[\w.-]*=)[^&;\s`'\"#]+",
    re.I,
)


def redact_urls(text: str) -> str:
    """Credentials inside URLs replaced by `***` (only what a URL carries; the rest as is)."""
    if "://" not in text and "=" not in text:
        return text
    text = _URL_USERINFO.sub(r"\1***@", text)
    return _URL_SECRET_PARAM.sub(r"\1***", text)


class Context:
    """What a rule's check function gets: the workspace, its options, a diagnostic factory."""

    def __init__(self, rule: Rule, ws: Workspace, options: dict[str, Any]) -> None:
        self.rule = rule
        self.ws = ws
        self.options = options
        self.code = rule.code

    @property
    def settings(self) -> Settings:
        return self.ws.settings

    def diag(
        self,
        file: SourceFile | str,
        message: str,
        *,
        line: int | None = None,
        col: int = 1,
        end_line: int | None = None,
        end_col: int | None = None,
        start: int | None = None,
        end: int | None = None,
        fix: Fix | None = None,
        help: str | None = None,
        code: str | None = None,
    ) -> Diagnostic:
        rel = file if isinstance(file, str) else file.rel
        if start is not None and not isinstance(file, str):
            line, col = file.src.pos(start)
            if end is not None:
                end_line, end_col = file.src.pos(end)
        line = line or 1
        if fix is not None and fix.title != redact_urls(fix.title):
            import dataclasses

            fix = dataclasses.replace(fix, title=redact_urls(fix.title))
        return Diagnostic(
            code=code or self.code,
            message=redact_urls(message),
            path=rel,
            line=line,
            column=col,
            end_line=end_line if end_line is not None else line,
            end_column=end_col if end_col is not None else col,
            fix=fix,
            help=redact_urls(help) if help else help,
        )


def iter_rules(active: set[str]) -> Iterator[Rule]:
    load_rules(active)
    for code in sorted(active):
        r = _RULES.get(code)
        if r is not None:
            yield r
