"""SKL: workspace skills (`skills/**/SKILL.md`) as OpenClaw loads them (facts §5.2, §6).

YAML syntax errors are PAR007's; these rules judge what OpenClaw makes of the file, using its
own lenient reader (clawlint.skillset), so they still work when strict YAML fails.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

from clawlint import didyoumean
from clawlint.diagnostics import Applicability, Diagnostic, Edit, Fix
from clawlint.knowledge import skills as K
from clawlint.paths import is_within
from clawlint.registry import Context, kinds_inputs, rule
from clawlint.skills_budget import budget
from clawlint.skillset import (
    Skill,
    frontmatter_block,
    is_discoverable,
    max_skill_file_bytes,
    openclaw_config,
    workspace_skills,
)
from clawlint.workspace import Kind, SourceFile


# ---- shared helpers ----------------------------------------------------------------------
def _skill(ctx: Context, f: SourceFile) -> Skill | None:
    if f.text is None or not is_discoverable(f.rel):
        return None
    for sk in workspace_skills(ctx.ws):
        if sk.rel == f.rel:
            return sk
    return None


def _fm_lines(f: SourceFile) -> range:
    """File lines (1-based) of the frontmatter body, whether or not its YAML parsed."""
    fm = f.frontmatter
    if fm is None:
        return range(0)
    end = fm.end_line if fm.terminated else f.src.line_count + 1
    return range(fm.content_line, end)


def _key_line(f: SourceFile, key: str) -> int | None:
    fm = f.frontmatter
    if fm is not None and key in fm.keys:
        return fm.keys[key].line
    pat = re.compile(rf"^{re.escape(key)}\s*:")
    for line in _fm_lines(f):
        if pat.match(f.src.line_text(line)):
            return line
    return None


def _key_span(f: SourceFile, key: str) -> tuple[int, int] | None:
    """Offsets of `key` itself on its frontmatter line."""
    line = _key_line(f, key)
    if line is None:
        return None
    start = f.src.offset(line)
    return start, start + len(key)


def _line_span(f: SourceFile, line: int) -> tuple[int, int]:
    start = f.src.offset(line)
    return start, start + len(f.src.line_text(line))


def _at_key(f: SourceFile, key: str) -> dict[str, int]:
    span = _key_span(f, key)
    if span is None:
        return {"line": 1, "end_col": 4}
    return {"start": span[0], "end": span[1]}


def _find_in_fm(f: SourceFile, needle: str, after_key: str = "metadata") -> dict[str, int]:
    """Position of `needle` (e.g. a JSON key) inside the frontmatter, at or after `after_key`."""
    first = _key_line(f, after_key) or 1
    for line in _fm_lines(f):
        if line < first:
            continue
        text = f.src.line_text(line)
        col = text.find(needle)
        if col >= 0:
            start = f.src.offset(line, col + 1)
            return {"start": start, "end": start + len(needle)}
    return _at_key(f, after_key)


def _did_you_mean(word: str, choices: Any, cutoff: float = 0.75) -> str | None:
    return didyoumean.closest(word, choices, cutoff)


def _suggest(word: str, choices: Any) -> str:
    return didyoumean.hint(word, choices, 0.75)


def _yaml_scalar(value: str) -> str:
    """`value` as a YAML plain scalar when safe, else double-quoted."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ._/-]*", value) and value.strip() == value:
        return value
    return json.dumps(value, ensure_ascii=False)


# ---- SKL001 ----------------------------------------------------------------------------------
@rule("SKL001", kinds={Kind.SKILL})
def missing_description(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    sk = _skill(ctx, f)
    if sk is None or sk.description is not None:
        return
    if frontmatter_block(f.text or "") is None:
        yield ctx.diag(
            f,
            "SKILL.md has no frontmatter OpenClaw can read, so the skill is skipped; start the "
            "file with a `---` block holding `name:` and `description:` and close it with `---`",
            line=1,
        )
        return
    if "description" in (f.frontmatter.keys if f.frontmatter else {}) or _key_line(
        f, "description"
    ):
        msg = (f"`description` of skill `{sk.name}` is empty, so OpenClaw skips the skill; "
               "say in one sentence what it does and when to use it")
        yield ctx.diag(f, msg, **_at_key(f, "description"))
        return
    yield ctx.diag(
        f,
        f"skill `{sk.name}` has no `description`, so OpenClaw skips it (the description is what "
        "the model reads to pick a skill); add `description: <what it does and when to use it>`",
        line=1,
        end_col=4,
    )


# ---- SKL002 / SKL003 -------------------------------------------------------------------------
def _insert_after_open(f: SourceFile, line_text: str) -> Edit | None:
    fm = f.frontmatter
    if fm is None or not fm.terminated:
        return None
    nl = "\r\n" if (f.text or "").startswith("---\r\n") else "\n"
    return Edit(fm.start_offset, fm.start_offset, line_text + nl)


@rule("SKL002", kinds={Kind.SKILL})
def missing_name(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    sk = _skill(ctx, f)
    if sk is None or not sk.name_from_folder or frontmatter_block(f.text or "") is None:
        return
    if "skill" in sk.fields:
        return  # SKL003 explains the `skill:` key
    edit = _insert_after_open(f, f"name: {_yaml_scalar(sk.folder)}")
    fix = Fix(f"Add `name: {sk.folder}`", (edit,)) if edit else None
    yield ctx.diag(
        f,
        f"SKILL.md has no `name`, so OpenClaw names the skill after its folder (`{sk.folder}`) "
        "and renaming the folder silently renames the skill; add an explicit `name:`",
        line=1,
        end_col=4,
        fix=fix,
    )


@rule("SKL003", kinds={Kind.SKILL})
def skill_key_instead_of_name(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    sk = _skill(ctx, f)
    if sk is None or not sk.name_from_folder or "skill" not in sk.fields:
        return
    wanted = sk.fields["skill"].strip()
    span = _key_span(f, "skill")
    if span is None:
        return
    if wanted and wanted != sk.folder:
        effect = (f"so the skill is listed as `{sk.folder}` (its folder), not `{wanted}`, and "
                  f"allowlists naming `{wanted}` do not match it")
        applicability = Applicability.UNSAFE  # the visible skill name changes
    else:
        effect = f"so the name comes from the folder (`{sk.folder}`)"
        applicability = Applicability.SAFE
    yield ctx.diag(
        f,
        f"`skill:` is not a SKILL.md key; OpenClaw reads `name:` {effect}; rename `skill:` to "
        "`name:`",
        start=span[0],
        end=span[1],
        fix=Fix("Rename `skill:` to `name:`", (Edit(span[0], span[1], "name"),), applicability),
    )


# ---- SKL004 ----------------------------------------------------------------------------------
@rule("SKL004", inputs=kinds_inputs(Kind.SKILL))
def duplicate_name(ctx: Context) -> Iterator[Diagnostic]:
    for sk in workspace_skills(ctx.ws):
        if sk.shadowed_by is None or sk.file is None:
            continue
        pos = _at_key(sk.file, "name") if not sk.name_from_folder else {"line": 1, "end_col": 4}
        yield ctx.diag(
            sk.file,
            f"skill name `{sk.name}` is also used by {sk.shadowed_by}, which wins: OpenClaw loads "
            "skill folders in path order and a later folder with the same name replaces an "
            "earlier one, so this skill is never offered to the model. Rename one of them or "
            "delete the stale copy",
            **pos,
        )


# ---- SKL005 ----------------------------------------------------------------------------------
@rule("SKL005", kinds={Kind.SKILL})
def invalid_metadata(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    sk = _skill(ctx, f)
    if sk is None or sk.metadata_status == "absent":
        return
    raw = sk.fields.get("metadata", "")
    shown = raw if len(raw) <= 60 else raw[:57] + "..."
    shown = shown.replace("\n", " ")
    pos = _at_key(f, "metadata")
    if sk.metadata_status == "error":
        hint = ""
        if not raw.lstrip().startswith(("{", "[")):
            hint = (" (OpenClaw keeps a single indented line under `metadata:` as plain text; "
                    "write the whole value as one JSON object)")
        elif re.search(r"[\[,:]\s*[A-Za-z_][\w-]*\s*[\],}]", raw):
            hint = " (JSON5 needs quotes around string values such as `[\"darwin\"]`)"
        yield ctx.diag(
            f,
            f"OpenClaw cannot parse `metadata` as JSON5 ({sk.metadata_error}){hint}, so it ignores "
            "the whole block: requirements, OS gates and install hints are lost. Write it as "
            f'JSON, e.g. `metadata: {{"openclaw": {{"emoji": "🌤"}}}}`; OpenClaw read: {shown}',
            **pos,
        )
    elif sk.metadata_status == "not-object":
        yield ctx.diag(
            f,
            "`metadata` must be an object such as `{\"openclaw\": {...}}`; OpenClaw ignores it",
            **pos,
        )
    elif sk.metadata_status == "ok" and isinstance(sk.metadata, dict):
        for key in (K.MANIFEST_KEY, K.LEGACY_MANIFEST_KEY):
            val = sk.metadata.get(key)
            if key in sk.metadata and not (val and isinstance(val, dict)):
                yield ctx.diag(
                    f,
                    f"`metadata.{key}` must be a non-empty object, e.g. "
                    f'`{{"{key}": {{"requires": {{"bins": ["curl"]}}}}}}`; OpenClaw ignores it',
                    **_find_in_fm(f, key),
                )


# ---- SKL006 ----------------------------------------------------------------------------------
def _manifest_problems(m: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(needle to locate, message) for each unknown key or value in metadata.openclaw."""
    for key in m:
        if key not in K.SKILL_MANIFEST_KEYS:
            yield key, f"unknown key `{key}`{_suggest(key, K.SKILL_MANIFEST_KEYS)}"
    if "always" in m and not isinstance(m["always"], bool):
        yield "always", f"`always` must be true or false, not {json.dumps(m['always'])}"
    req = m.get("requires")
    if "requires" in m and not isinstance(req, dict):
        yield "requires", "`requires` must be an object with bins/anyBins/env/config"
    elif isinstance(req, dict):
        for key, value in req.items():
            if key not in K.REQUIRES_KEYS:
                yield key, f"unknown `requires.{key}`{_suggest(key, K.REQUIRES_KEYS)}"
            elif not (isinstance(value, str) or (
                isinstance(value, list) and all(isinstance(v, (str, dict)) for v in value)
            )):
                yield key, f"`requires.{key}` must be a list of strings"
    osv = m.get("os")
    os_list = [osv] if isinstance(osv, str) else osv if isinstance(osv, list) else []
    for v in os_list:
        for item in (v.split(",") if isinstance(v, str) else [v]):
            item_s = item.strip() if isinstance(item, str) else item
            if item_s not in K.OS_VALUES:
                yield str(item_s), (f"`os` value {json.dumps(item_s)} is not one of darwin, linux, "
                                    f"win32{_suggest(str(item_s), K.OS_VALUES)}")
    inst = m.get("install")
    if "install" in m and not isinstance(inst, list):
        yield "install", "`install` must be a list of install specs"
    for spec in inst if isinstance(inst, list) else []:
        kind = spec.get("kind", spec.get("type")) if isinstance(spec, dict) else None
        if not isinstance(kind, str) or kind.strip().lower() not in K.INSTALL_KINDS:
            shown = json.dumps(kind) if kind is not None else "missing"
            yield str(kind or "install"), (
                f"install kind {shown} is not one of brew, node, go, uv, download; OpenClaw "
                "skips that install spec"
            )


@rule("SKL006", kinds={Kind.SKILL})
def unknown_manifest_key(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    sk = _skill(ctx, f)
    if sk is None or sk.manifest is None:
        return
    for needle, problem in _manifest_problems(sk.manifest):
        yield ctx.diag(
            f,
            f"metadata.{sk.manifest_key}: {problem}. OpenClaw ignores what it does not know, so "
            "the gate or hint has no effect; correct it as suggested or delete it",
            **_find_in_fm(f, needle),
        )


# ---- SKL007 ----------------------------------------------------------------------------------
@rule("SKL007", kinds={Kind.SKILL})
def legacy_metadata(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    sk = _skill(ctx, f)
    if sk is None or not isinstance(sk.metadata, dict):
        return
    legacy = sk.metadata.get(K.LEGACY_MANIFEST_KEY)
    if not (legacy and isinstance(legacy, dict)):
        return
    pos = _find_in_fm(f, K.LEGACY_MANIFEST_KEY)
    if sk.manifest_key == K.LEGACY_MANIFEST_KEY:
        fix = None
        block = "\n".join(f.src.line_text(n) for n in _fm_lines(f))
        if block.count(K.LEGACY_MANIFEST_KEY) == 1 and "start" in pos:
            fix = Fix("Rename `clawdbot` to `openclaw`",
                      (Edit(pos["start"], pos["end"], K.MANIFEST_KEY),))
        yield ctx.diag(
            f,
            "`metadata.clawdbot` is the pre-rename key: skills still read it when "
            "`metadata.openclaw` is absent, but hooks no longer do and new tooling expects "
            "`openclaw`; rename it to `openclaw`",
            fix=fix,
            **pos,
        )
    else:
        yield ctx.diag(
            f,
            "`metadata.clawdbot` is ignored because `metadata.openclaw` is present; merge "
            "anything still needed into `openclaw` and delete `clawdbot`",
            **pos,
        )


# ---- SKL008 ----------------------------------------------------------------------------------
@rule("SKL008", kinds={Kind.SKILL})
def invalid_boolean(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    sk = _skill(ctx, f)
    if sk is None:
        return
    from clawlint.skillset import parse_bool

    for key, default in K.SKILL_BOOLEAN_KEYS.items():
        raw = sk.fields.get(key)
        if raw is None or parse_bool(raw) is not None:
            continue
        shown = raw if len(raw) <= 40 else raw[:37] + "..."
        yield ctx.diag(
            f,
            f"`{key}: {shown}` is not a boolean; OpenClaw ignores it and uses the default "
            f"({str(default).lower()}); write `true` or `false`",
            **_at_key(f, key),
        )


# ---- SKL009 ----------------------------------------------------------------------------------
_HASHTAG_LINE = re.compile(r"^([A-Za-z_][\w-]*)([ \t]*:[ \t]+)(#\S.*?)\s*$")


@rule("SKL009", kinds={Kind.SKILL})
def hashtag_value(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    fm = f.frontmatter
    if fm is None or not fm.terminated or fm.error is not None or not isinstance(fm.data, dict):
        return
    for key, info in fm.keys.items():
        m = _HASHTAG_LINE.match(f.src.line_text(info.line))
        if not m or m.group(1) != key or fm.data.get(key) is not None:
            continue
        tokens = m.group(3).split()
        start = f.src.offset(info.line, m.end(2) + 1)
        end = start + len(m.group(3))
        fix = None
        if all(re.fullmatch(r"#[^#\s]+", t) for t in tokens):
            items = ", ".join(_yaml_scalar(t[1:]) for t in tokens)
            fix = Fix(f"Write `{key}: [{items}]`", (Edit(start, end, f"[{items}]"),))
        yield ctx.diag(
            f,
            f"`{key}: {m.group(3)}` is empty: in YAML `#` after a space starts a comment, so "
            f"`{key}` parses as null and the tags are lost; write a list such as "
            f"`{key}: [a, b]`",
            start=start,
            end=end,
            fix=fix,
        )


# ---- SKL010 ----------------------------------------------------------------------------------
@rule("SKL010", kinds={Kind.SKILL})
def file_too_large(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    if f.text is None or not is_discoverable(f.rel):
        return  # unreadable (incl. over 2 MiB) files are reported by PAR rules
    try:
        size = f.path.stat().st_size
    except OSError:
        return
    limit = max_skill_file_bytes(ctx.ws)
    if size <= limit:
        return
    yield ctx.diag(
        f,
        f"SKILL.md is {size:,} bytes, over OpenClaw's {limit:,}-byte limit "
        "(`skills.limits.maxSkillFileBytes`), so the skill is skipped; keep SKILL.md short and "
        "move reference material into files next to it that the skill tells the model to read",
        line=1,
    )


# ---- SKL011 ----------------------------------------------------------------------------------
def _allowed_targets(ctx: Context) -> list[str]:
    cfg = openclaw_config(ctx.ws)
    raw = []
    try:
        raw = cfg.get("skills", "load", "allowSymlinkTargets", default=[]) if cfg else []
    except Exception:  # noqa: BLE001
        raw = []
    out = []
    for d in raw if isinstance(raw, list) else []:
        if isinstance(d, str) and d.strip():
            out.append(os.path.realpath(os.path.expanduser(d.strip())))
    return out


# Cacheable: the cross-file inputs hash lists every path and where each symlink points.
@rule("SKL011")
def outside_root(ctx: Context) -> Iterator[Diagnostic]:
    ws_root = os.path.realpath(ctx.ws.root)
    skills_dir = os.path.join(ctx.ws.root, "skills")
    if not os.path.isdir(skills_dir) or os.path.islink(skills_dir):
        return
    skills_real = os.path.realpath(skills_dir)
    allowed = _allowed_targets(ctx)
    for dirpath, dirnames, filenames in os.walk(skills_dir, followlinks=False):
        rel_dir = os.path.relpath(dirpath, ctx.ws.root).replace(os.sep, "/")
        depth = rel_dir.count("/")  # skills/a -> 1
        dirnames[:] = [d for d in sorted(dirnames) if not d.startswith(".") and d != "node_modules"]
        links = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        links += [n for n in filenames if n == "SKILL.md" and os.path.islink(os.path.join(dirpath, n))]
        for name in links:
            full = os.path.join(dirpath, name)
            try:
                target = os.path.realpath(full, strict=True)
            except OSError:
                continue  # broken links and loops are PAR005's
            if is_within(target, skills_real) or not is_within(target, ws_root):
                continue  # fine, or PAR006 already reports links leaving the workspace
            if any(is_within(target, a) for a in allowed):
                continue
            if name != "SKILL.md" and not os.path.isfile(os.path.join(target, "SKILL.md")):
                continue  # not a skill folder
            rel = f"{rel_dir}/{name}"
            rel_target = os.path.relpath(target, ws_root).replace(os.sep, "/")
            yield ctx.diag(
                rel,
                f"`{rel}` is a symlink to `{rel_target}`, outside `skills/`; OpenClaw resolves "
                "skill paths and skips any that leave the skills root, so this skill is not "
                "loaded. Move the skill into `skills/`, or list its folder in "
                "`skills.load.allowSymlinkTargets`",
            )
        dirnames[:] = [d for d in dirnames if d not in links]
        if depth >= K.SKILL_MAX_DEPTH:
            dirnames[:] = []


# ---- SKL012 ----------------------------------------------------------------------------------
def _allowlists(cfg: Any) -> Iterator[tuple[tuple[str | int, ...], list[Any]]]:
    def get(*path: str | int) -> Any:
        try:
            return cfg.get(*path)
        except Exception:  # noqa: BLE001
            return None

    v = get("agents", "defaults", "skills")
    if isinstance(v, list):
        yield ("agents", "defaults", "skills"), v
    lst = get("agents", "list")
    if isinstance(lst, list):
        for i, a in enumerate(lst):
            if isinstance(a, dict) and isinstance(a.get("skills"), list):
                yield ("agents", "list", i, "skills"), a["skills"]
    ent = get("agents", "entries")
    if isinstance(ent, dict):
        for aid, a in ent.items():
            if isinstance(a, dict) and isinstance(a.get("skills"), list):
                yield ("agents", "entries", aid, "skills"), a["skills"]


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


def _config_diag(ctx: Context, cfg: Any, path: tuple[str | int, ...], message: str,
                 fix: Fix | None) -> Diagnostic:
    """A diagnostic at the value written at `path` (in openclaw.json or an included file)."""
    loc = None
    try:
        loc = cfg.loc(*path)
    except Exception:  # noqa: BLE001
        loc = None
    span = getattr(loc, "value", None) or getattr(loc, "span", None)
    file = getattr(loc, "file", None) or getattr(cfg, "display", None) or "openclaw.json"
    if span is None:
        return ctx.diag(file, message, line=1, fix=fix)
    return ctx.diag(file, message, line=span.line, col=span.column, end_line=span.end_line,
                    end_col=span.end_column, fix=fix)


@rule("SKL012", inputs=kinds_inputs(Kind.SKILL))
def unknown_allowlist_name(ctx: Context) -> Iterator[Diagnostic]:
    cfg = openclaw_config(ctx.ws)
    if cfg is None or not getattr(cfg, "ok", True):
        return
    try:
        from clawlint.checks.config_common import string_fix
    except ImportError:  # pragma: no cover - the config helpers ship with the loader
        string_fix = None
    names = {sk.name for sk in workspace_skills(ctx.ws) if sk.loadable}
    report_all = bool(ctx.options.get("report-unmatched", False))
    for path, items in _allowlists(cfg):
        for i, item in enumerate(items):
            if not isinstance(item, str):
                continue
            name = item.strip()
            if not name or name in names:
                continue
            close = _did_you_mean(name, names, cutoff=0.7)
            if close is None and not report_all:
                continue  # may be a bundled or managed skill clawlint cannot see
            advice = (f"Did you mean `{close}`? Fix the name or remove the entry" if close else
                      "Fix the name or remove the entry; if it is a bundled or managed skill, "
                      "`openclaw skills list` shows its exact name")
            fix = None
            if close is not None and string_fix is not None:
                fix = string_fix(ctx, cfg, (*path, i), close, f"Replace with `{close}`",
                                 safe=False)  # the name may be a bundled skill after all
            yield _config_diag(
                ctx, cfg, (*path, i),
                f"`{_dotted(path)}` lists `{name}`, but no workspace skill has that name, and "
                f"OpenClaw matches allowlists by exact skill name, so the agent does not get it. "
                f"{advice}",
                fix,
            )


# ---- SKL013 ----------------------------------------------------------------------------------
def _names(entries: list[Any], limit: int = 5) -> str:
    shown = ", ".join(f"`{e.name}`" for e in entries[:limit])
    more = len(entries) - limit
    return shown + (f" and {more} more" if more > 0 else "")


@rule("SKL013", inputs=kinds_inputs(Kind.SKILL))
def prompt_budget(ctx: Context) -> Iterator[Diagnostic]:
    b = budget(ctx.ws)
    if not b.over_budget and not b.over_count:
        return
    files = {sk.rel: sk.file for sk in workspace_skills(ctx.ws)}
    source = ("`skills.limits.maxSkillsPromptChars`" if b.limit_from_config
              else "OpenClaw's default `maxSkillsPromptChars` for this version")
    largest = sorted(b.entries, key=lambda e: -e.full_chars)[:3]
    top = ", ".join(f"`{e.name}` ({e.full_chars:,})" for e in largest)
    dropped = b.dropped
    parts = []
    if b.over_count:
        parts.append(f"{len(b.entries)} skills are eligible but at most {b.max_count} are listed")
    if b.full_chars > b.limit_chars:
        parts.append(
            f"the workspace skills block is {b.full_chars:,} chars, over {source} "
            f"({b.limit_chars:,}; bundled and managed skills add more)"
        )
    effect = []
    if b.compact:
        effect.append("every skill loses its description (names only), so the model picks "
                      "skills by name alone")
    if dropped:
        effect.append(f"{len(dropped)} of {len(b.entries)} skills are cut from the end of the "
                      f"alphabetical list: {_names(dropped)}")
    anchor = dropped[0] if dropped else largest[0]
    f = files.get(anchor.rel)
    if f is None:
        return
    yield ctx.diag(
        f,
        f"{'; '.join(parts)}: {'; and '.join(effect)}. Largest entries: {top}. Shorten "
        "descriptions, set `disable-model-invocation: true` on skills only run by command, or "
        "raise `skills.limits.maxSkillsPromptChars`",
        **_at_key(f, "description"),
    )
