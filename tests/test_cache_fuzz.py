"""Randomized differential test of the result cache: after any sequence of edits, a cached
run reports exactly what a fresh (`no_cache=True`) run reports.

Each seed builds a small workspace from a pool of realistic parts, fills the cache, then
applies a few random edits (append, replace, bad bytes, delete, add, rename, symlink, folder,
config changes) and compares the two runs after every edit. A stale finding means a cache key
(clawlint/engine.py: per-file content, `workspace_inputs`, or a rule's declared `Rule.inputs`
via `scoped_inputs`) misses something the rule depends on.

The seeds are fixed, so a failure reproduces with its test id. CLAWLINT_FUZZ_SEEDS raises the
count for a local soak run (`CLAWLINT_FUZZ_SEEDS=500 python -m pytest -q tests/test_cache_fuzz.py`;
CLAWLINT_FUZZ_FIRST=500 starts at seed 500, to split a soak over processes).
"""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

import pytest
from helpers import write_files

from clawlint.config import load_settings
from clawlint.engine import RunOptions, lint_workspace
from clawlint.registry import resolve_selection
from clawlint.workspace import Workspace

TOML = ".clawlint.toml"
SEEDS = int(os.environ.get("CLAWLINT_FUZZ_SEEDS", "24"))
FIRST = int(os.environ.get("CLAWLINT_FUZZ_FIRST", "0"))  # to split a soak run over processes
TODAY = "2026-11-20"

# ---- the pool of parts ----------------------------------------------------------------------


def _card(topic: str, body: str, *, tags: str | None = "[backup, restic]", category: str = "ops",
          created: str = "2026-01-02", updated: str = "2026-01-02") -> str:
    lines = ["---", f"topic: {topic}", f"category: {category}"]
    if tags is not None:
        lines.append(f"tags: {tags}")
    lines += [f"created: {created}", f"updated: {updated}", "---", "", body, ""]
    return "\n".join(lines)


BACKUP = "Restic nightly snapshot at 02:00 to the NAS, keep 7 daily and 4 weekly."
PORTS = "- 22/tcp ssh on nas.local (key-only)\n- 443/tcp Caddy for the photo library"

CARDS = [
    _card("Backup plan", BACKUP),
    _card("Backup plan", BACKUP + " Prune on Sundays."),  # duplicate topic, near-duplicate body
    _card("Home network ports", PORTS, tags="[network, ports]", category="infra",
          created="2026-02-11", updated="2026-03-02"),
    _card("SSH keys", "Use ed25519 keys; the old RSA key was revoked.", tags=None),  # no tags
    _card("Router", "The 2024 router config lives on the NAS.", tags="[#network, #router]",
          created="2024-01-05", updated="2024-02-01"),  # hashtag tags, stale dates
    _card("Future", "Planned migration to ZFS.", created="2027-01-01", updated="2027-02-01"),
    "# No frontmatter\n\nJust a loose note about " + BACKUP + "\n",
    "---\ntopic: Broken\ntags: [a, b\n---\n\nUnclosed list in the frontmatter.\n",
]

MEMORY_MD = [
    "# MEMORY.md\n\n- Sam prefers short answers.\n- Backups: memory/cards/backup-plan.md\n",
    ("# MEMORY.md — index\n\nLast updated: 2026-11-20 10:00\n\n## Pointers\n"
     "- Home network and ports: memory/cards/active-ports.md\n"
     "- SSH and keys: [keys](memory/cards/ssh-keys.md)\n"
     "- Old router notes: memory/cards/router-2024.md\n\n"
     "## 2026-11-19\n- [ ] renew the TLS cert\n- [x] rotate the NAS password\n\n"
     "## 2026-11-20\n- [ ] check disk usage on nas.local\n"),
    ("# MEMORY.md\n\nTokens: 88k in / 2.1k out · Cache: 47% hit\n\n## Decisions\n"
     "- 2026-02-20: moved backups to restic (see card).\n- " + BACKUP + "\n"),
    "# MEMORY.md\n\n" + "- a durable pointer to a card in memory/cards/backup-plan.md\n" * 200,
    ("# MEMORY.md\n\n## Pointers\n- Backups: docs/backup.md\n- Plan: [todo](plans/todo.txt)\n"
     "- Notes: notes/a.md and memory/notes.md\n"),
]

BOOTSTRAP_MD = (
    "# BOOTSTRAP.md - Hello, World\n\n_You just woke up. Time to figure out who you are._\n\n"
    "There is no memory yet. This is a fresh workspace.\n")

DAILY = [
    "# 2026-11-19\n\n- Set up restic.\n- " + BACKUP + "\n",
    "# 2026-11-20\n\n- Checked the NAS at 09:14.\n- Session id: 7f3c9a2e-1b4d-4c8e-9f00-123456789abc\n",
    "# Notes\n\n- misc\n",
    "",
]

SKILL = [
    "---\nname: {n}\ndescription: Checks the weather for a city.\n---\n\nCall the API.\n",
    "---\nname: {n}\ndescription: Checks the weather for a city (old copy).\n---\n\nCall it.\n",
    "---\nname: other-name\n---\n\nNo description.\n",
    "# {n}\n\nNo frontmatter at all.\n",
]

HOOK_MD = [
    ('---\nname: {n}\ndescription: Stamps the context.\nmetadata: {{"openclaw": '
     '{{"events": ["agent:bootstrap"]}}}}\n---\n\nAdds the date.\n'),
    ('---\nname: {n}\ndescription: Greets.\nmetadata: {{"openclaw": '
     '{{"events": ["command:new"]}}}}\n---\n'),
    "---\nname: {n}\n---\n",
]
HANDLER = [
    "export default async function h() {}\n",
    ("export default async function h(event) {\n  event.context.bootstrapFiles.push("
     "{ name: 'NOW.md', content: new Date().toISOString() });\n}\n"),
]

CONFIGS = [
    '{ agents: { defaults: { workspace: "~/.openclaw/workspace" } } }\n',
    ("// Classic era\n{\n  agents: { defaults: { bootstrapMaxChars: 4000,\n"
     '    memorySearch: { provider: "local", query: { minScore: 1.4 } } } },\n}\n'),
    '{ memory: { search: { enabled: true, chunking: { tokens: 200, overlap: 20 } } } }\n',
    '{ skills: { entries: { weather: { enabled: false } } } }\n',
    '{ agents: { defaults: { skills: ["weather", "stamp"] } } }\n',
    ('{ hooks: { internal: { enabled: true, entries: { "bootstrap-extra-files": '
     '{ enabled: true, paths: ["notes/*.md"] } } } } }\n'),
    ('{ hooks: { internal: { entries: { "bootstrap-extra-files": '
     '{ enabled: false, paths: ["notes/*.md"] }, "stamp": { enabled: true } } } } }\n'),
    '{ $include: "extra.json5", agents: { defaults: { bootstrapMaxChars: 4000 } } }\n',
    '{ agents: { defaults: { bootstrapMaxChars: "lots" }, }, unknownKey: 1 }\n',
    "{ agents: { defaults: \n",  # does not parse
]
EXTRA_JSON5 = ['{ agents: { defaults: { heartbeat: { every: "60m" } } } }\n', "{ oops\n"]

TOMLS = [
    'exclude = ["memory/notes-old.md"]\n',
    'exclude = ["hooks/*/handler.ts", "notes/**"]\n',
    'exclude = ["memory/cards/**"]\n',
    "",
]  # an invalid .clawlint.toml is a usage error (ConfigError), not a lint result

NOTES = [
    "# Notes\n\nLast updated: 2026-11-21 14:02 by the agent\n",
    "# Plan\n\nRun `pnpm dev` on port 5173.\n",
    "# AGENTS.md\n\nRead SOUL.md first.\n",
]

# rel -> variants; "{n}" is the folder name of skills and hooks.
POOL: dict[str, list[str]] = {
    "AGENTS.md": ["# AGENTS.md\nYou are Juno.\n",
                  "# AGENTS.md\n\nRead SOUL.md and USER.md first. Today is 2026-11-20.\n",
                  "# AGENTS.md\n" + "- always double-check the backup logs.\n" * 120],
    "SOUL.md": ["# SOUL.md\nBe kind.\n", "# SOUL.md - Who You Are\n\n_You're not a chatbot._\n"],
    "USER.md": ["# USER.md\n- Name: Sam\n", "# USER.md - About Your Human\n\n- **Name:**\n"],
    "IDENTITY.md": ["# IDENTITY.md\n- Name: Juno\n", "# IDENTITY.md - Who Am I?\n\n- **Name:**\n"],
    "TOOLS.md": ["# TOOLS.md\n- NAS: nas.local\n", "# TOOLS.md\n\nUse rsync; never rm -rf.\n"],
    "HEARTBEAT.md": ["# HEARTBEAT.md\n\n- check the backup log\n", ""],
    "BOOTSTRAP.md": [BOOTSTRAP_MD, "# BOOTSTRAP.md\n\nCustomised first-run notes.\n"],
    "MEMORY.md": MEMORY_MD,
    "memory.md": ["# memory\n\n- legacy notes\n", MEMORY_MD[0]],
    "memory/2026-11-19.md": DAILY,
    "memory/2026-11-20.md": DAILY,
    "memory/2026-3-6.md": DAILY,
    "memory/2027-01-05.md": DAILY,
    "memory/2026-11-18-standup.md": DAILY,
    "memory/cards/backup-plan.md": CARDS,
    "memory/cards/backup-plan-copy.md": CARDS,
    "memory/cards/active-ports.md": CARDS,
    "memory/cards/ssh-keys.md": CARDS,
    "memory/cards/infra/router-2024.md": CARDS,
    "memory/notes.md": ["# notes\n\n- " + BACKUP + "\n", "# notes\n\nNothing much.\n"],
    "memory/notes-old.md": ["# old notes\n\n- " + BACKUP + "\n", "# old notes\n"],
    "memory/MEMORY-backup.md": MEMORY_MD[:2],
    "memory/scan.pdf": ["%PDF-1.4\n"],
    "skills/weather/SKILL.md": SKILL,
    "skills/weather-old/SKILL.md": SKILL,
    "skills/stamp/SKILL.md": SKILL,
    "hooks/stamp/HOOK.md": HOOK_MD,
    "hooks/stamp/handler.ts": HANDLER,
    "hooks/greet/HOOK.md": HOOK_MD,
    "hooks/greet/handler.ts": HANDLER,
    "openclaw.json": CONFIGS,
    "extra.json5": EXTRA_JSON5,
    ".clawlint.toml": TOMLS,
    "notes/a.md": NOTES,
    "notes/MEMORY.md": NOTES,
    "docs/readme.md": ["# Readme\n\nSee MEMORY.md.\n"],
}

APPENDS = [
    "\nLast updated: 2026-11-22 09:00\n",
    "\n## 2026-11-21\n- [ ] renew the TLS cert\n",
    "\n- " + BACKUP + "\n",
    "\n- see memory/cards/missing.md\n",
    "\nToday is 2026-11-20 and it is 09:14.\n",
    "\n" + "- padding line to make the file longer than its caps\n" * 80,
    "\n<!-- clawlint-disable CV001 -->\n",
    "\u00e9\u00e8 caf\u00e9\n",
]

BAD_BYTES = [b"# notes\nCaf\xe9 rules.\n", b"\x00\x01\x02 binary", b"\xff\xfe#\x00 \x00",
             b"---\nname: x\ndescription: Gr\xfc\xdft.\n---\n", b""]


def _fill(rel: str, text: str) -> str:
    parts = rel.split("/")
    return text.replace("{n}", parts[1]) if len(parts) > 2 else text


# ---- the workspace and its edits ------------------------------------------------------------


class Fuzz:
    def __init__(self, rng: random.Random, root: Path, outside: Path, backdate: bool) -> None:
        self.rng, self.root, self.outside, self.backdate = rng, root, outside, backdate
        self.clock = time.time() - 100_000  # mtimes old enough for the stat cache to trust
        # Outside the workspace: files and folders that symlinks in it may point to, and a
        # folder link (`link`) that edits retarget.
        for d in ("d1", "d2", "docs", "plans"):
            (outside / d).mkdir()
        (outside / "d1" / "a.md").write_text("# d1\n\nLast updated: 2026-11-21 10:00\n")
        (outside / "d2" / "a.md").write_text("# d2\n\n- other\n")
        (outside / "link").symlink_to("d1")

    def files(self) -> list[str]:
        """Every file or symlink in the workspace, the cache and .clawlint.toml left out (only
        `config` edits that one: an invalid one is a usage error)."""
        out = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if d != ".clawlint_cache"]
            for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
                out.append(Path(dirpath, name).relative_to(self.root).as_posix())
        return sorted(rel for rel in out if rel != TOML)

    def _stamp(self, p: Path) -> None:
        if self.backdate and not p.is_symlink() and p.exists():
            self.clock += 7
            os.utime(p, (self.clock, self.clock))

    def write(self, rel: str, data: str | bytes) -> None:
        p = self.root / rel
        if p.is_symlink():
            p.unlink()
        write_files(self.root, {rel: data})
        self._stamp(p)

    def build(self) -> None:
        rng = self.rng
        chosen = [rel for rel in POOL if rng.random() < 0.45]
        if not any(rel in chosen for rel in ("AGENTS.md", "SOUL.md", "MEMORY.md")):
            chosen.append(rng.choice(["AGENTS.md", "SOUL.md", "MEMORY.md"]))
        if "extra.json5" in chosen or rng.random() < 0.6:
            chosen.append("openclaw.json")
        for rel in sorted(set(chosen)):
            self.write(rel, _fill(rel, rng.choice(POOL[rel])))

    # Each edit returns a description for the failure message, or None when it did not apply.
    def append(self) -> str | None:
        files = [f for f in self.files() if (self.root / f).is_file()]
        if not files:
            return None
        rel, text = self.rng.choice(files), self.rng.choice(APPENDS)
        p = self.root / rel
        with open(p, "ab") as fh:  # through a symlink, like an editor appending would
            fh.write(text.encode())
        self._stamp(p.resolve())
        return f"append {text!r} to {rel}"

    def _pool_variant(self, rel: str) -> str:
        """Write one of the pool's variants of `rel`; returns the text written."""
        text = _fill(rel, self.rng.choice(POOL[rel]))
        self.write(rel, text)
        return text

    def replace(self) -> str | None:
        files = [f for f in self.files() if f in POOL]
        if not files:
            return None
        rel = self.rng.choice(files)
        return f"replace {rel} with {self._pool_variant(rel)[:40]!r}"

    def bad_bytes(self) -> str | None:
        files = self.files()
        if not files:
            return None
        rel, data = self.rng.choice(files), self.rng.choice(BAD_BYTES)
        self.write(rel, data)
        return f"write {data!r} to {rel}"

    def delete(self) -> str | None:
        files = self.files()
        if not files:
            return None
        rel = self.rng.choice(files)
        p = self.root / rel
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        else:
            p.unlink()
        return f"delete {rel}"

    def add(self) -> str | None:
        have = set(self.files())
        missing = [rel for rel in POOL if rel not in have and not (self.root / rel).exists()]
        if not missing:
            return None
        rel = self.rng.choice(missing)
        return f"add {rel} = {self._pool_variant(rel)[:40]!r}"

    def rename(self) -> str | None:
        files = [f for f in self.files() if not (self.root / f).is_dir()]
        have = set(files)
        targets = [rel for rel in POOL if rel not in have and rel != TOML]
        targets += ["memory/2026-11-21.md", "memory/cards/renamed.md", "memory/archive/old.md",
                    "archive/MEMORY.md", "memory/2026-11-19.txt"]
        targets = [t for t in targets if not (self.root / t).exists()]
        if not files or not targets:
            return None
        src, dst = self.rng.choice(files), self.rng.choice(targets)
        (self.root / dst).parent.mkdir(parents=True, exist_ok=True)
        os.rename(self.root / src, self.root / dst)
        return f"rename {src} -> {dst}"

    def symlink(self) -> str | None:
        files = self.files()
        if not files:
            return None
        rel = self.rng.choice(files + [t for t in POOL if t not in files and t != TOML])
        p = self.root / rel
        real = [f for f in files if f != rel and (self.root / f).is_file()]
        how = self.rng.choice(["inside", "outside", "outside", "dangling"] if real else
                              ["outside", "dangling"])
        if how == "inside":
            target: str | Path = os.path.relpath(self.root / self.rng.choice(real), p.parent)
        elif how == "outside":
            out = self.outside / self.rng.choice(["a.md", "b.md", "c.bin", "link/a.md"])
            if not out.exists() or (out.parent == self.outside and self.rng.random() < 0.5):
                out.write_bytes(self.rng.choice([b"# a\n\nLast updated: 2026-11-21 10:00\n",
                                                 b"# b\n" + b"- x\n" * 50, b"\xe9\x00"]))
            target = out
        else:
            target = self.outside / "nowhere.md"
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        elif p.exists() or p.is_symlink():
            p.unlink()
        p.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, p)
        return f"symlink {rel} -> {target}"

    def edit_outside(self) -> str | None:
        """Change what lies outside the workspace, where its symlinks may point: a file's
        content, a file appearing or going away in a linked folder, the folder link retargeted."""
        choice = self.rng.random()
        if choice < 0.4:
            out = self.outside / self.rng.choice(["a.md", "b.md", "d1/a.md"])
            out.write_bytes(self.rng.choice([b"# a2\n\nLast updated: 2026-11-23 11:00\n",
                                             b"# b2\n" + b"- y\n" * 400, b"\xff"]))
            return f"edit outside {out.relative_to(self.outside)}"
        if choice < 0.8:
            out = self.outside / self.rng.choice(["docs/backup.md", "plans/todo.txt",
                                                  "docs/SKILL.md"])
            if out.exists():
                out.unlink()
                return f"delete outside {out.relative_to(self.outside)}"
            out.write_text("# outside\n\nRestic.\n")
            return f"create outside {out.relative_to(self.outside)}"
        link = self.outside / "link"
        new = "d2" if os.readlink(link) == "d1" else "d1"
        link.unlink()
        link.symlink_to(new)
        return f"retarget outside link -> {new}"

    def folder(self) -> str | None:
        """An empty memory/ folder appears, or memory/ (with everything in it) goes away; or
        a folder becomes a symlink to another one."""
        mem = self.root / "memory"
        choice = self.rng.random()
        if choice < 0.3:
            name = self.rng.choice(["docs", "plans", "skills/linked-docs"])
            p = self.root / name
            if p.is_symlink():
                p.unlink()
                return f"remove folder link {name}"
            if p.exists():
                shutil.rmtree(p)
            p.parent.mkdir(parents=True, exist_ok=True)
            target = self.outside / self.rng.choice(["docs", "plans", "link"])
            p.symlink_to(target)
            return f"folder link {name} -> {target}"
        if choice < 0.45:
            target = self.outside / "linked-skills"
            (target / "linked").mkdir(parents=True, exist_ok=True)
            (target / "linked" / "SKILL.md").write_text(_fill("s/linked/x", SKILL[0]))
            if (self.root / "skills").exists() or (self.root / "skills").is_symlink():
                return None
            os.symlink(target, self.root / "skills")
            return "skills -> a folder outside"
        if mem.is_symlink():
            mem.unlink()
            return "remove memory symlink"
        if mem.is_dir():
            shutil.rmtree(mem)
            if self.rng.random() < 0.5:
                mem.mkdir()
                return "empty memory/"
            return "remove memory/"
        mem.mkdir()
        if self.rng.random() < 0.3:
            (mem / "cards").mkdir()
        return "create empty memory/"

    def config(self) -> str | None:
        rel = self.rng.choice(["openclaw.json", "openclaw.json", ".clawlint.toml", "extra.json5"])
        p = self.root / rel
        if (p.exists() or p.is_symlink()) and self.rng.random() < 0.25:
            p.unlink()
            return f"delete {rel}"
        text = self.rng.choice(POOL[rel])
        self.write(rel, text)
        return f"{rel} = {text!r}"

    EDITS = ("append", "append", "replace", "replace", "bad_bytes", "delete", "add", "add",
             "rename", "symlink", "edit_outside", "folder", "config", "config")

    def edit(self) -> str:
        while True:
            done = getattr(self, self.rng.choice(self.EDITS))()
            if done is not None:
                return done


def _run(root: Path, no_cache: bool) -> list[tuple]:
    s = load_settings(root, None)
    s.embeddings, s.no_cache = "lexical", no_cache
    res = lint_workspace(Workspace(root, s, None), RunOptions(active=resolve_selection(s, ["ALL"])))
    assert not res.internal_errors, res.internal_errors
    return sorted((d.code, d.path, d.line, d.column, d.message) for d in res.diagnostics)


def _diff(cached: list[tuple], fresh: list[tuple]) -> str:
    a, b = set(cached), set(fresh)
    lines = [f"  stale (cached only): {d}" for d in sorted(a - b)]
    lines += [f"  missing (fresh only): {d}" for d in sorted(b - a)]
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(FIRST, FIRST + SEEDS))
def test_cached_run_equals_a_fresh_run_after_random_edits(seed, tmp_path, monkeypatch):
    monkeypatch.setenv("CLAWLINT_TODAY", TODAY)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no real ~/.openclaw/openclaw.json
    rng = random.Random(seed)
    root, outside = tmp_path / "ws", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    fz = Fuzz(rng, root, outside, backdate=rng.random() < 0.5)
    fz.build()
    history = [f"build: {fz.files()}"]
    _run(root, no_cache=False)  # fills the cache
    for _ in range(rng.choice([3, 4])):
        history.append(fz.edit())
        cached = _run(root, no_cache=False)
        fresh = _run(root, no_cache=True)
        assert cached == fresh, (f"seed {seed}: cached run differs from a fresh run after:\n  "
                                 + "\n  ".join(history) + "\n" + _diff(cached, fresh))
