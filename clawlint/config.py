"""clawlint's own configuration: `[tool.clawlint]`, `.clawlint.toml` or `clawlint.toml`."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clawlint.knowledge.workspace_files import DEFAULT_CARDS_PATH

CONFIG_FILES = (".clawlint.toml", "clawlint.toml", "pyproject.toml")


class ConfigError(Exception):
    """A bad clawlint configuration; the CLI exits 2 with this message."""


# key -> (type or tuple of allowed values, default, help)
_STR_LIST = "list[str]"
SETTINGS_SCHEMA: dict[str, tuple[Any, Any, str]] = {
    "select": (_STR_LIST, None, "rule codes or prefixes to enable (replaces the default set)"),
    "extend-select": (_STR_LIST, [], "rule codes or prefixes to add to the selection"),
    "ignore": (_STR_LIST, [], "rule codes or prefixes to disable"),
    "per-file-ignores": ("dict[str,list[str]]", {}, "glob -> codes to ignore in matching files"),
    "severity": ("dict[str,severity]", {}, "code or prefix -> error|warning|info"),
    "exclude": (_STR_LIST, [], "globs of workspace paths to skip"),
    "cards-path": (str, DEFAULT_CARDS_PATH, "folder of knowledge cards"),
    "openclaw-config": (str, None, "path to openclaw.json (default: the workspace copy)"),
    "openclaw-version": (str, None, "OpenClaw version to assume, e.g. 2026.9.6"),
    "agent": (str, None, "agent id whose settings apply (default: the default agent)"),
    "model": (str, None, "model for the prompt-cache report, e.g. anthropic/claude-sonnet-4-6"),
    "embeddings": (("auto", "ollama", "openai", "lexical"), "auto", "retrieval backend"),
    "embed-model": (str, None, "embedding model (default: from memorySearch)"),
    "ollama-url": (str, None, "Ollama base URL (default: memorySearch, then OLLAMA_HOST)"),
    "allow-remote": (bool, False, "allow non-loopback embedding endpoints"),
    "cache-dir": (str, ".clawlint_cache", "where clawlint caches results"),
    "rules": ("dict[str,dict]", {}, "per-rule options: [tool.clawlint.rules.CODE]"),
}


@dataclass
class Settings:
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    cards_path: str = DEFAULT_CARDS_PATH
    openclaw_config: str | None = None
    openclaw_version: str | None = None
    agent: str | None = None
    model: str | None = None
    embeddings: str = "auto"
    embed_model: str | None = None
    ollama_url: str | None = None
    allow_remote: bool = False
    cache_dir: str = ".clawlint_cache"
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    online: bool = False
    unsafe_fixes: bool = False
    no_cache: bool = False
    config_path: Path | None = None  # where the settings came from

    def options_for(self, code: str, defaults: dict[str, Any]) -> dict[str, Any]:
        merged = dict(defaults)
        merged.update(self.rules.get(code, {}))
        return merged


def _did_you_mean(word: str, choices: Any) -> str:
    from clawlint.didyoumean import closest

    m = closest(word, choices)
    return f" (did you mean {m!r}?)" if m else ""


def _check_type(key: str, value: Any, typ: Any, where: str) -> Any:
    def fail(expected: str) -> ConfigError:
        return ConfigError(f"{where}: `{key}` must be {expected}, got {value!r}")

    if typ == _STR_LIST:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail("a list of strings")
        return value
    if typ == "dict[str,list[str]]":
        if not isinstance(value, dict):
            raise fail("a table of glob = [codes]")
        out = {}
        for k, v in value.items():
            if isinstance(v, str):
                v = [v]
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise fail(f"a table of glob = [codes] (bad entry {k!r})")
            out[k] = v
        return out
    if typ == "dict[str,severity]":
        if not isinstance(value, dict):
            raise fail("a table of CODE = \"error\"|\"warning\"|\"info\"")
        for k, v in value.items():
            if v not in ("error", "warning", "info"):
                raise ConfigError(
                    f"{where}: severity for {k!r} must be one of error, warning, info; got {v!r}"
                )
        return dict(value)
    if typ == "dict[str,dict]":
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            raise fail("a table of [rules.CODE] tables")
        return {k.upper(): dict(v) for k, v in value.items()}
    if isinstance(typ, tuple):
        if value not in typ:
            raise ConfigError(
                f"{where}: `{key}` must be one of {', '.join(map(str, typ))}; got {value!r}"
            )
        return value
    if typ is bool:
        if not isinstance(value, bool):
            raise fail("true or false")
        return value
    if typ is str:
        if not isinstance(value, str):
            raise fail("a string")
        return value
    return value  # pragma: no cover


def settings_from_table(table: dict[str, Any], where: str, base: Settings | None = None) -> Settings:
    s = base or Settings()
    for key, value in table.items():
        if key not in SETTINGS_SCHEMA:
            raise ConfigError(
                f"{where}: unknown key `{key}`{_did_you_mean(key, SETTINGS_SCHEMA)}; "
                f"allowed keys: {', '.join(SETTINGS_SCHEMA)}"
            )
        typ = SETTINGS_SCHEMA[key][0]
        setattr(s, key.replace("-", "_"), _check_type(key, value, typ, where))
    return s


def _read_toml(path: Path) -> dict[str, Any]:
    # Imported here: most runs find no TOML config at all.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte offset {exc.start}); re-save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None


def table_from_file(path: Path) -> dict[str, Any] | None:
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        return tool.get("clawlint") if isinstance(tool, dict) else None
    return data


def find_config(start: Path) -> Path | None:
    """Nearest config file at or above `start` (pyproject.toml only if it has [tool.clawlint])."""
    start = start if start.is_dir() else start.parent
    for cand in (start, *start.parents):
        for name in CONFIG_FILES:
            p = cand / name
            if p.is_file():
                if name == "pyproject.toml" and table_from_file(p) is None:
                    continue
                return p
    return None


def config_paths(start: Path) -> list[Path]:
    """Every path find_config() may look at from `start` up to `/`, without reading any: a
    file created or edited at any of them can change the settings (replay depends on them)."""
    start = start if start.is_dir() else start.parent
    return [cand / name for cand in (start, *start.parents) for name in CONFIG_FILES]


def load_settings(start: Path, explicit: Path | None = None) -> Settings:
    path = explicit if explicit is not None else find_config(start)
    if path is None:
        return Settings()
    if explicit is not None and not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    table = table_from_file(path)
    if table is None:
        if explicit is not None:
            raise ConfigError(f"{path}: no [tool.clawlint] table")
        return Settings()
    s = settings_from_table(table, str(path))
    s.config_path = path
    return s
