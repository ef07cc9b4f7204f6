"""How OpenClaw sees the workspace's skills and hooks: frontmatter, metadata, names, winners.

OpenClaw does not read SKILL.md/HOOK.md frontmatter as plain YAML: it parses the block with a
line-based reader AND with YAML, merges the two (src/markdown/frontmatter.ts
parseFrontmatterBlock), flattens every value to a string (objects become JSON) and re-parses
`metadata` as JSON5. This module reproduces that view so rules judge what OpenClaw will load,
not what a strict YAML parser thinks. It works on plain text, so the churn report can reuse it
on file contents read from git.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from clawlint.knowledge import skills as K

if TYPE_CHECKING:
    from clawlint.workspace import SourceFile, Workspace

_LINE_KEY = re.compile(r"^([\w-]+):\s*(.*)$", re.ASCII)


# ---- frontmatter as OpenClaw reads it ----------------------------------------------------
def _strip_quotes(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    if value in ('"', "'"):  # JS slice(1, -1) of a lone quote is ""
        return ""
    return value


def _line_frontmatter(block: str) -> dict[str, str]:
    """The line-based reader: `key: value` lines, indented continuation for empty values."""
    out: dict[str, str] = {}
    lines = block.split("\n")
    i = 0
    while i < len(lines):
        m = _LINE_KEY.match(lines[i])
        if not m:
            i += 1
            continue
        key, inline = m.group(1), m.group(2).strip()
        if not inline and i + 1 < len(lines) and lines[i + 1][:1] in (" ", "\t"):
            j = i + 1
            cont: list[str] = []
            while j < len(lines) and (not lines[j] or lines[j][:1] in (" ", "\t")):
                cont.append(lines[j])
                j += 1
            value = "\n".join(cont).strip()
            if value:
                out[key] = value
            i = j
            continue
        value = _strip_quotes(inline)
        if value:
            out[key] = value
        i += 1
    return out


def _js_string(value: Any) -> str | None:
    """String(value) / JSON.stringify(value) the way OpenClaw coerces frontmatter values."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dict, list)):
        try:
            return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            return None
    return str(value)  # dates and timestamps: the text form


_CORE_LOADER: Any = None


def _core_loader() -> Any:
    """A SafeLoader with YAML 1.2 core-schema scalars, as OpenClaw's `yaml` package reads them:
    only true/false are booleans (`yes`, `off` stay strings), no timestamps, `012` is decimal."""
    global _CORE_LOADER
    if _CORE_LOADER is not None:
        return _CORE_LOADER
    import yaml

    class CoreLoader(yaml.SafeLoader):
        pass

    CoreLoader.yaml_implicit_resolvers = {}
    resolvers = [
        ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
        ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
         "-+0123456789"),
        ("tag:yaml.org,2002:float",
         r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
         r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+.0123456789"),
    ]
    for tag, pattern, first in resolvers:
        CoreLoader.add_implicit_resolver(tag, re.compile(pattern), list(first))

    def construct_int(loader: Any, node: Any) -> int:
        v = loader.construct_scalar(node)
        if v.startswith("0o"):
            return int(v[2:], 8)
        if v.startswith("0x"):
            return int(v[2:], 16)
        return int(v, 10)

    CoreLoader.add_constructor("tag:yaml.org,2002:int", construct_int)
    _CORE_LOADER = CoreLoader
    return CoreLoader


def _yaml_frontmatter(block: str) -> dict[str, str] | None:
    import yaml

    from clawlint.source import MAX_YAML_NODES, _expanded_size, _hostile_yaml

    loader = _core_loader()
    if _hostile_yaml(block) is not None:
        return None  # too deep to parse safely; OpenClaw's parser gives up too
    try:
        node = yaml.compose(block, Loader=loader)
        if not isinstance(node, yaml.MappingNode):
            return None
        if _expanded_size(node) > MAX_YAML_NODES:
            return None  # an alias bomb: the `yaml` package stops at 100 aliases as well
        keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
        if len(keys) != len(set(keys)):
            return None  # the `yaml` package rejects duplicate keys; OpenClaw falls back
        data = yaml.load(block, Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    out: dict[str, str] = {}
    for raw_key, value in data.items():
        key = (_js_string(raw_key) or "").strip()
        if not key:
            continue
        coerced = _js_string(value)
        if coerced is not None:
            out[key] = coerced
    return out


def frontmatter_block(text: str) -> str | None:
    """The frontmatter text OpenClaw reads (between `---` and the next line starting `---`)."""
    norm = text.replace("\r\n", "\n").replace("\r", "\n")
    if not norm.startswith("---"):
        return None
    end = norm.find("\n---", 3)
    if end == -1:
        return None
    return norm[4:end]


def openclaw_frontmatter(text: str) -> dict[str, str]:
    """The flattened `key -> string` view OpenClaw builds from a SKILL.md or HOOK.md."""
    block = frontmatter_block(text)
    if block is None:
        return {}
    lines = _line_frontmatter(block)
    parsed = _yaml_frontmatter(block)
    if parsed is None:
        return lines
    merged = dict(parsed)
    for key, value in lines.items():
        if value.startswith(("{", "[")):
            merged[key] = value  # inline JSON is taken as written
        elif (
            key in merged
            and merged[key].startswith("{")
            and "\n" not in value
            and value not in ("|", ">")
        ):
            merged[key] = value  # YAML read an unquoted `: ` as a nested key; keep the line text
    return merged


def parse_bool(value: str | None) -> bool | None:
    if value is None:
        return None
    v = value.strip().lower()
    if v in K.TRUE_WORDS:
        return True
    if v in K.FALSE_WORDS:
        return False
    return None


# ---- JSON5 ----------------------------------------------------------------------------------
def json5_loads(text: str) -> tuple[str, Any]:
    """("ok", value) | ("error", message) | ("unknown", None) when no JSON5 parser is available.

    Prefers clawlint's own JSON5 reader; plain JSON is always decided here.
    """
    try:
        return "ok", json.loads(text)
    except (ValueError, RecursionError):
        pass
    try:
        from clawlint import json5 as cj5  # written alongside the config loader
    except ImportError:
        cj5 = None
    if cj5 is not None:
        fn = getattr(cj5, "loads", None) or getattr(cj5, "parse", None)
        if callable(fn):
            try:
                value = fn(text)
                if isinstance(value, tuple) and len(value) == 2 and not isinstance(value[0], str):
                    value = value[0]  # a (value, positions) pair
                return "ok", value
            except RecursionError:
                return "unknown", None
            except Exception as exc:  # noqa: BLE001 - any parser failure means "not JSON5"
                return "error", str(exc).split("\n")[0]
    try:
        import json5 as pj5  # optional third-party reader
    except ImportError:
        return "unknown", None
    try:
        return "ok", pj5.loads(text)
    except RecursionError:
        return "unknown", None
    except Exception as exc:  # noqa: BLE001
        return "error", str(exc).split("\n")[0]


# ---- ordering --------------------------------------------------------------------------------
# JavaScript `a.localeCompare(b, "en")` (ICU root collation): whitespace and punctuation sort
# before symbols, digits and letters; letters compare case- and accent-insensitively first,
# then lowercase before uppercase. This approximation is exact for ASCII skill names.
_PUNCT = "\t\n\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"


def collation_key(s: str) -> tuple:
    primary: list[tuple[int, Any]] = []
    tertiary: list[int] = []
    for ch in s:
        base = unicodedata.normalize("NFD", ch)[0]
        if base.isspace() or base in _PUNCT:
            idx = _PUNCT.find(base)
            primary.append((0, idx if idx >= 0 else -1))
        elif base.isdigit():
            primary.append((2, unicodedata.digit(base, 0)))
        elif base.isalpha():
            primary.append((3, base.casefold()))
        else:
            primary.append((1, ord(base)))
        tertiary.append(1 if ch.isupper() else 0)
    return (primary, [len(unicodedata.normalize("NFD", c)) for c in s], tertiary, s)


# ---- skills -------------------------------------------------------------------------------
@dataclass
class Skill:
    rel: str  # SKILL.md path relative to the workspace (or repository prefix)
    folder: str  # the folder name (OpenClaw's fallback name)
    fields: dict[str, str]
    name: str  # effective name: frontmatter `name`, else the folder name
    description: str | None
    disable_model_invocation: bool
    user_invocable: bool
    metadata_status: str = "absent"  # absent | ok | error | unknown | not-object
    metadata_error: str | None = None
    metadata: Any = None
    manifest_key: str | None = None  # "openclaw" | "clawdbot" | None
    manifest: dict[str, Any] | None = None
    file: SourceFile | None = field(default=None, repr=False)
    # Set by resolution over all skills:
    loadable: bool = True  # False: OpenClaw skips it (reason in skip_reason)
    skip_reason: str | None = None
    shadowed_by: str | None = None  # rel of the same-named skill that wins

    @property
    def name_from_folder(self) -> bool:
        return not (self.fields.get("name") or "").strip()

    @property
    def skill_key(self) -> str:
        if self.manifest and isinstance(self.manifest.get("skillKey"), str):
            key = self.manifest["skillKey"].strip()
            if key:
                return key
        return self.name

    @property
    def dir_rel(self) -> str:
        return str(PurePosixPath(self.rel).parent)


def _manifest(meta: Any) -> tuple[str | None, dict[str, Any] | None]:
    if not isinstance(meta, dict):
        return None, None
    for key in (K.MANIFEST_KEY, K.LEGACY_MANIFEST_KEY):
        block = meta.get(key)
        if block and isinstance(block, dict):
            return key, block
    return None, None


def parse_skill(rel: str, text: str) -> Skill:
    fields = openclaw_frontmatter(text)
    folder = PurePosixPath(rel).parent.name
    name = (fields.get("name") or "").strip() or folder
    desc = (fields.get("description") or "").strip() or None
    dmi = parse_bool(fields.get("disable-model-invocation"))
    ui = parse_bool(fields.get("user-invocable"))
    sk = Skill(
        rel=rel,
        folder=folder,
        fields=fields,
        name=name,
        description=desc,
        disable_model_invocation=bool(dmi) if dmi is not None else False,
        user_invocable=ui if ui is not None else True,
    )
    raw = fields.get("metadata")
    if raw:
        status, value = json5_loads(raw)
        sk.metadata_status = status
        if status == "ok":
            if isinstance(value, dict):
                sk.metadata = value
                sk.manifest_key, sk.manifest = _manifest(value)
            else:
                sk.metadata_status = "not-object"
        elif status == "error":
            sk.metadata_error = value
    if desc is None:
        sk.loadable = False
        sk.skip_reason = "no description"
    return sk


def is_discoverable(rel: str) -> bool:
    """OpenClaw's walk skips hidden folders and node_modules below a skills root."""
    parts = rel.split("/")
    if len(parts) < 2 or parts[-1] != "SKILL.md":
        return False
    if len(parts) - 2 > K.SKILL_MAX_DEPTH:
        return False
    return not any(p.startswith(".") or p == "node_modules" for p in parts[1:-1])


def resolve(skills: list[Skill]) -> list[Skill]:
    """Apply OpenClaw's discovery rules in place; return the skills in load order.

    A SKILL.md below another skill's folder is not discovered (the walk stops at the first
    SKILL.md). Folders load in path order and a later skill with the same name replaces an
    earlier one (a Map keyed by name), so the LAST folder in path order wins.
    """
    ordered = sorted(skills, key=lambda s: collation_key(s.dir_rel))
    dirs = [s.dir_rel for s in ordered]
    for s in ordered:
        parent = s.dir_rel
        for d in dirs:
            if d != parent and parent.startswith(d + "/"):
                s.loadable = False
                s.skip_reason = f"inside the skill folder {d}/ (discovery stops at its SKILL.md)"
                break
    winners: dict[str, Skill] = {}
    for s in ordered:
        if not s.loadable:
            continue
        prev = winners.get(s.name)
        if prev is not None:
            prev.shadowed_by = s.rel
        winners[s.name] = s
    for s in ordered:
        if s.shadowed_by is not None:
            # The final winner for the name, even when more than two folders share it.
            s.shadowed_by = winners[s.name].rel
    return ordered


def workspace_skills(ws: Workspace) -> list[Skill]:
    """All discovered workspace skills (readable SKILL.md files), resolved; memoized per run."""

    def build() -> list[Skill]:
        from clawlint.workspace import Kind

        out: list[Skill] = []
        for f in ws.of_kind(Kind.SKILL):
            if not is_discoverable(f.rel) or f.text is None:
                continue
            sk = parse_skill(f.rel, f.text)
            sk.file = f
            limit = max_skill_file_bytes(ws)
            size = _file_size(f)
            if size is not None and size > limit:
                sk.loadable = False
                sk.skip_reason = f"over the {limit:,}-byte SKILL.md limit"
            out.append(sk)
        return resolve(out)

    return ws.memo("skillset.skills", build)


def _file_size(f: SourceFile) -> int | None:
    try:
        return f.path.stat().st_size
    except OSError:
        return None


# ---- config access (defensive: the config loader may be missing or fail) ---------------------
def openclaw_config(ws: Workspace) -> Any:
    return ws.openclaw_or_none()


def config_get(ws: Workspace, *path: str | int, default: Any = None) -> Any:
    cfg = openclaw_config(ws)
    if cfg is None:
        return default
    try:
        return cfg.get(*path, default=default)
    except Exception:  # noqa: BLE001
        return default


def openclaw_version(ws: Workspace) -> str | None:
    if ws.settings.openclaw_version:
        return ws.settings.openclaw_version
    cfg = openclaw_config(ws)
    v = getattr(cfg, "version", None) if cfg is not None else None
    return v if isinstance(v, str) else None


def positive_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return int(value) if value >= 0 else None


def max_skill_file_bytes(ws: Workspace) -> int:
    v = positive_int(config_get(ws, "skills", "limits", "maxSkillFileBytes"))
    return v if v is not None else K.MAX_SKILL_FILE_BYTES


# ---- hooks --------------------------------------------------------------------------------
@dataclass
class Hook:
    rel: str
    folder: str
    fields: dict[str, str]
    metadata_status: str = "absent"
    metadata_error: str | None = None
    metadata: Any = None
    manifest_key: str | None = None  # only "openclaw" is read for hooks
    manifest: dict[str, Any] | None = None
    legacy: dict[str, Any] | None = None  # metadata.clawdbot, ignored for hooks

    @property
    def name(self) -> str:
        return (self.fields.get("name") or "").strip() or self.folder

    @property
    def hook_key(self) -> str:
        if self.manifest and isinstance(self.manifest.get("hookKey"), str):
            key = self.manifest["hookKey"].strip()
            if key:
                return key
        return self.name


def parse_hook(rel: str, text: str) -> Hook:
    fields = openclaw_frontmatter(text)
    hk = Hook(rel=rel, folder=PurePosixPath(rel).parent.name, fields=fields)
    raw = fields.get("metadata")
    if raw:
        status, value = json5_loads(raw)
        hk.metadata_status = status
        if status == "ok":
            if isinstance(value, dict):
                hk.metadata = value
                block = value.get(K.MANIFEST_KEY)
                if block and isinstance(block, dict):
                    hk.manifest_key, hk.manifest = K.MANIFEST_KEY, block
                legacy = value.get(K.LEGACY_MANIFEST_KEY)
                if legacy and isinstance(legacy, dict):
                    hk.legacy = legacy
            else:
                hk.metadata_status = "not-object"
        elif status == "error":
            hk.metadata_error = value
    return hk
