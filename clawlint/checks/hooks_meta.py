"""HK: workspace hooks (`hooks/<name>/HOOK.md` + handler) as OpenClaw discovers them (facts §1.7).

What a handler does at run time (e.g. non-deterministic bootstrap content) is judged by the
prompt-cache rules; these rules check that the hook registers at all.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import PurePosixPath

from clawlint.checks.skills import _at_key, _did_you_mean, _find_in_fm, _fm_lines
from clawlint.diagnostics import Diagnostic, Edit, Fix
from clawlint.knowledge import skills as K
from clawlint.knowledge.workspace_files import HOOK_HANDLER_FILENAMES
from clawlint.registry import Context, rule
from clawlint.skillset import Hook, parse_hook
from clawlint.workspace import Kind, SourceFile


def _hook(ctx: Context, f: SourceFile) -> Hook | None:
    if f.text is None:
        return None
    return ctx.ws.memo(f"hooks_meta.{f.rel}", lambda: parse_hook(f.rel, f.text or ""))


def _events(hk: Hook) -> list[str] | None:
    """The hook's events as OpenClaw reads them (a list, or a comma-separated string)."""
    if hk.manifest is None:
        return None
    ev = hk.manifest.get("events")
    if isinstance(ev, str):
        return [e.strip() for e in ev.split(",") if e.strip()]
    if isinstance(ev, list):
        return [e.strip() for e in ev if isinstance(e, str) and e.strip()]
    return []


_EXAMPLE = '`metadata: {"openclaw": {"events": ["command:new"]}}`'


@rule("HK001", kinds={Kind.HOOK})
def no_events(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    hk = _hook(ctx, f)
    if hk is None:
        return
    if hk.manifest is None and hk.legacy is not None:
        return  # HK003 explains the legacy block
    events = _events(hk)
    if events:
        return
    if hk.metadata_status == "error":
        why = (f"OpenClaw cannot parse its `metadata` as JSON5 ({hk.metadata_error}), so it "
               "sees no events")
        pos = _at_key(f, "metadata")
    elif hk.manifest is None:
        why = "HOOK.md has no `metadata.openclaw` block with `events`"
        pos = _at_key(f, "metadata") if "metadata" in hk.fields else {"line": 1, "end_col": 4}
    else:
        why = "`metadata.openclaw.events` is empty or missing"
        pos = _find_in_fm(f, "events")
    yield ctx.diag(
        f,
        f"hook `{hk.name}` never registers: {why}, and a hook needs at least one event. Add "
        f"the events it handles, e.g. {_EXAMPLE}",
        **pos,
    )


def _handler(ctx: Context, folder: str) -> str | None:
    for name in HOOK_HANDLER_FILENAMES:  # discovery order
        if os.path.isfile(os.path.join(ctx.ws.root, folder, name)):
            return name
    return None


# A workspace rule: the result depends on other files (the handlers), not on HOOK.md alone.
@rule("HK002")  # not scoped: it tests files on disk that `exclude` hides
def missing_handler(ctx: Context) -> Iterator[Diagnostic]:
    for f in sorted(ctx.ws.of_kind(Kind.HOOK), key=lambda x: x.rel):
        folder = str(PurePosixPath(f.rel).parent)
        if _handler(ctx, folder) is not None:
            continue
        yield ctx.diag(
            f,
            f"hook folder `{folder}/` has no handler, so OpenClaw has nothing to run; add "
            "`handler.ts` (or handler.js, index.ts, index.js) exporting the handler function",
            line=1,
            end_col=4,
        )


@rule("HK003", kinds={Kind.HOOK})
def legacy_metadata(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    hk = _hook(ctx, f)
    if hk is None or hk.legacy is None:
        return
    pos = _find_in_fm(f, K.LEGACY_MANIFEST_KEY)
    if hk.manifest is None:
        block = "\n".join(f.src.line_text(n) for n in _fm_lines(f))
        fix = None
        if block.count(K.LEGACY_MANIFEST_KEY) == 1 and "start" in pos:
            fix = Fix("Rename `clawdbot` to `openclaw`",
                      (Edit(pos["start"], pos["end"], K.MANIFEST_KEY),))
        yield ctx.diag(
            f,
            f"hook `{hk.name}` uses `metadata.clawdbot`, which OpenClaw no longer reads for "
            "hooks (dropped in July 2026), so it has no events and never registers; rename "
            "`clawdbot` to `openclaw`",
            fix=fix,
            **pos,
        )
    else:
        yield ctx.diag(
            f,
            "`metadata.clawdbot` is ignored for hooks; move anything still needed into "
            "`metadata.openclaw` and delete it",
            **pos,
        )


@rule("HK004", kinds={Kind.HOOK})
def shadows_bundled(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    hk = _hook(ctx, f)
    if hk is None or hk.hook_key not in K.BUNDLED_HOOKS:
        return
    if hk.manifest and isinstance(hk.manifest.get("hookKey"), str):
        pos, via = _find_in_fm(f, "hookKey"), "its `hookKey`"
    elif (hk.fields.get("name") or "").strip():
        pos, via = _at_key(f, "name"), "its `name`"
    else:
        pos, via = {"line": 1, "end_col": 4}, "its folder name"
    yield ctx.diag(
        f,
        f"workspace hook key `{hk.hook_key}` (from {via}) is the key of a bundled OpenClaw hook, "
        "and a workspace hook that matches a bundled hook is ignored; give this hook its own "
        "name (to configure the bundled one, use `hooks.internal.entries."
        f"{hk.hook_key}` in openclaw.json)",
        **pos,
    )


@rule("HK005")  # not scoped: it tests files on disk that `exclude` hides
def handler_without_manifest(ctx: Context) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    for f in sorted(ctx.ws.of_kind(Kind.HOOK_HANDLER), key=lambda x: x.rel):
        folder = str(PurePosixPath(f.rel).parent)
        if folder in seen or os.path.isfile(os.path.join(ctx.ws.root, folder, "HOOK.md")):
            continue
        seen.add(folder)
        yield ctx.diag(
            f,
            f"`{folder}/` has a handler but no HOOK.md, so OpenClaw never discovers the hook; "
            f"add `{folder}/HOOK.md` with `name`, `description` and {_EXAMPLE}",
            line=1,
        )


@rule("HK006", kinds={Kind.HOOK})
def unknown_event(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    hk = _hook(ctx, f)
    if hk is None:
        return
    for ev in _events(hk) or []:
        family = ev.split(":", 1)[0]
        if family in K.HOOK_EVENT_FAMILIES:
            continue
        close = _did_you_mean(ev, K.KNOWN_HOOK_EVENTS, cutoff=0.5) or _did_you_mean(
            family, K.HOOK_EVENT_FAMILIES, cutoff=0.6
        )
        hint = f" (did you mean `{close}`?)" if close else ""
        yield ctx.diag(
            f,
            f"event {json.dumps(ev)} is not in a known event family (command, session, agent, "
            f"gateway, message){hint}; the hook is never called for it. Use `family:action`, "
            "e.g. `command:new` or `agent:bootstrap`",
            **_find_in_fm(f, json.dumps(ev) if json.dumps(ev) in (f.text or "") else ev),
        )


def hook_state(ctx: Context, hk: Hook) -> str:
    """Whether OpenClaw runs this workspace hook: "unknown" (no usable openclaw.json),
    "internal-off" (`hooks.internal.enabled: false`), "not-enabled" (workspace hooks load
    only after an explicit `enabled: true` on the hook key, name or folder) or "enabled".
    The one reading of it, for HK007 and CV006."""
    from clawlint.skillset import openclaw_config

    cfg = openclaw_config(ctx.ws)
    if cfg is None or not getattr(cfg, "ok", True):
        return "unknown"

    def get(*path: str) -> object:
        try:
            return cfg.get(*path)
        except Exception:  # noqa: BLE001
            return None

    if get("hooks", "internal", "enabled") is False:
        return "internal-off"
    return "enabled" if opted_in(cfg, hk) else "not-enabled"


def opted_in(cfg: object, hk: Hook) -> bool:
    """Whether the config enables this hook explicitly (on its key, name or folder)."""
    for k in dict.fromkeys((hk.hook_key, hk.name, hk.folder)):
        try:
            if cfg.get("hooks", "internal", "entries", k, "enabled") is True:  # type: ignore[attr-defined]
                return True
        except Exception:  # noqa: BLE001
            continue
    return False


@rule("HK007", kinds={Kind.HOOK})
def not_enabled(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    hk = _hook(ctx, f)
    if hk is None:
        return
    state = hook_state(ctx, hk)
    if state in ("unknown", "enabled"):
        return  # without the config there is no telling whether the hook is enabled
    if state == "internal-off":
        from clawlint.skillset import openclaw_config

        also = ("" if opted_in(openclaw_config(ctx.ws), hk) else
                f", and enable the hook itself (`hooks.internal.entries.{hk.hook_key}.enabled: "
                f"true`, or `openclaw hooks enable {hk.hook_key}`): workspace hooks load only "
                "after that opt-in")
        yield ctx.diag(
            f,
            f"hook `{hk.hook_key}` never runs: `hooks.internal.enabled` is false in "
            "openclaw.json, which turns off all internal hooks; set it to true (or remove it) "
            f"if this hook should run{also}",
            line=1,
            end_col=4,
        )
        return
    entry = json.dumps({"hooks": {"internal": {"entries": {hk.hook_key: {"enabled": True}}}}})
    yield ctx.diag(
        f,
        f"workspace hook `{hk.hook_key}` is not enabled, and workspace hooks only load after an "
        f"explicit opt-in: add `{entry}` to openclaw.json or run "
        f"`openclaw hooks enable {hk.hook_key}`",
        line=1,
        end_col=4,
    )
