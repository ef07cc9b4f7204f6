"""The injection simulator: exact truncation arithmetic, budgets, eras, sessions, rendering."""

from __future__ import annotations

import os

import pytest

from clawlint import prefix as P
from clawlint.config import Settings
from clawlint.knowledge import bootstrap as K
from clawlint.workspace import Workspace

CUR = K.profile_for("current", "2026.9.6")
CLASSIC_EARLY = K.profile_for("classic", "2026.2.17")


def _build(files, prof=CUR, max_chars=None, total=None, session="main"):
    inputs = [P.BootstrapInput(n, n, t) for n, t in files]
    return P.build(P.PrefixInputs(profile=prof, max_chars=max_chars or prof.max_chars,
                                  total_max_chars=total or prof.total_max_chars, files=inputs,
                                  session=session, display_root="/ws"))


def test_profiles_by_version():
    assert (CLASSIC_EARLY.max_chars, CLASSIC_EARLY.total_max_chars, CLASSIC_EARLY.algorithm) == (20000, 150000, "v1")
    mid = K.profile_for("classic", "2026.4.27")
    assert (mid.max_chars, mid.total_max_chars) == (12000, 60000)
    assert (CUR.max_chars, CUR.total_max_chars, CUR.user_max_chars) == (20000, 60000, 4000)
    assert K.profile_for("current", "2026.8.1").user_max_chars is None
    assert K.profile_for(None, None).era == "current"
    assert not K.profile_for("classic", "2026.4.4").heartbeat_dynamic
    assert K.profile_for("classic", "2026.4.5").heartbeat_dynamic


def test_trim_end_and_utf16_lengths():
    r = _build([("AGENTS.md", "hi 😀 \n\n\u3000")])
    v = r.files[0]
    assert v.status == "ok" and v.content == "hi 😀" and v.raw_chars == 5  # emoji = 2 units


def test_v2_truncation_marker_and_split():
    text = "".join(f"line {i:05d}\n" for i in range(3000))  # 33,000 chars
    r = _build([("MEMORY.md", text)])
    v = r.files[0]
    assert v.status == "truncated" and v.causes == ("per-file-limit",)
    assert v.injected_chars <= 20000
    assert "[...truncated, read MEMORY.md for full content...]" in v.content
    assert f"chars of {len(text.rstrip())})…" in v.content
    # 75/25 split of what the marker leaves
    assert v.head_chars > 2.9 * v.tail_chars
    assert text.startswith(v.content[: v.head_chars])
    assert v.cut_start == v.head_chars and v.cut_end == len(text.rstrip()) - v.tail_chars


def test_v1_classic_split_is_70_20_of_max():
    text = "x" * 30000
    r = _build([("MEMORY.md", text)], prof=CLASSIC_EARLY)
    v = r.files[0]
    assert v.head_chars == 14000 and v.tail_chars == 4000
    assert "kept 14000+4000 chars of 30000" in v.content


def test_user_md_fixed_cap_in_current():
    r = _build([("AGENTS.md", "a"), ("USER.md", "u" * 5000)])
    v = r.verdict("USER.md")
    assert v.limit == 4000 and v.status == "truncated"
    r2 = _build([("AGENTS.md", "a"), ("USER.md", "u" * 5000)], prof=K.profile_for("current", "2026.8.1"))
    assert r2.verdict("USER.md").status == "ok"


def test_total_budget_and_64_char_floor_drop_later_files():
    r = _build([("AGENTS.md", "a" * 2950), ("SOUL.md", "s" * 10), ("MEMORY.md", "m" * 500)], total=3000)
    assert r.verdict("AGENTS.md").status == "ok"
    assert r.verdict("SOUL.md").status == "dropped"  # 50 left < 64
    assert r.verdict("MEMORY.md").status == "dropped"
    assert any("skipping additional bootstrap files" in w for w in r.warnings)


def test_partial_budget_clamps_with_ellipsis():
    r = _build([("AGENTS.md", "a" * 2800), ("MEMORY.md", "m" * 500)], total=3000)
    v = r.verdict("MEMORY.md")
    assert v.status == "truncated" and v.causes == ("total-limit",)
    # min(maxChars, remaining) = 200 becomes this file's cap: head/tail around the marker.
    assert 190 <= v.injected_chars <= 200 and "truncated, read MEMORY.md" in v.content


def test_missing_file_consumes_budget():
    r = _build([("AGENTS.md", None), ("SOUL.md", "soul")])
    v = r.verdict("AGENTS.md")
    assert v.status == "missing" and v.content == "[MISSING] Expected at: /ws/AGENTS.md"
    assert r.remaining == 60000 - len(v.content) - 4


def test_empty_file_is_not_injected():
    r = _build([("AGENTS.md", "   \n"), ("SOUL.md", "soul")])
    assert r.verdict("AGENTS.md").status == "empty"
    assert "## /ws/AGENTS.md" not in r.text


def test_prompt_order_and_boundary_text():
    r = _build([("MEMORY.md", "mem"), ("AGENTS.md", "agents"), ("SOUL.md", "soul")])
    assert [v.name for v in r.prompt_files] == ["AGENTS.md", "SOUL.md", "MEMORY.md"]
    assert r.text.endswith(K.CACHE_BOUNDARY)
    stable = r.stable_text
    assert stable.index("## /ws/AGENTS.md\nagents") < stable.index("## /ws/MEMORY.md\nmem")
    assert stable.startswith("# Project Context\nLoaded project context:\nSOUL.md: persona/tone.")


def test_classic_heartbeat_goes_below_the_boundary():
    prof = K.profile_for("classic", "2026.5.12")
    r = _build([("AGENTS.md", "a"), ("HEARTBEAT.md", "check backups")], prof=prof)
    assert r.text.index("check backups") > r.boundary
    assert "check backups" not in r.stable_text


def test_workspace_inputs_current(tmp_path):
    (tmp_path / "AGENTS.md").write_text("# A\n")
    (tmp_path / "TOOLS.md").write_text("# T\n")
    (tmp_path / "HEARTBEAT.md").write_text("# H\n")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "m.md").write_text("# M\n" + "x" * 100)
    os.symlink("notes/m.md", tmp_path / "MEMORY.md")
    ws = Workspace(tmp_path, Settings())
    res = P.simulate(ws)
    names = [v.name for v in res.files]
    assert "TOOLS.md" not in names and "HEARTBEAT.md" not in names
    assert "MEMORY.md" not in names  # symlink: not injected
    assert "SOUL.md" in names and res.verdict("SOUL.md").status == "missing"
    assert "USER.md" not in names  # optional in Current: omitted when absent
    assert {e[0] for e in res.excluded} >= {"MEMORY.md", "TOOLS.md", "HEARTBEAT.md"}
    assert P.simulate(ws) is res  # memoised


@pytest.mark.parametrize("session,expected", [
    ("subagent", ["AGENTS.md"]),
    ("cron", ["AGENTS.md", "SOUL.md", "IDENTITY.md", "USER.md"]),
    ("group", ["AGENTS.md", "SOUL.md", "IDENTITY.md", "USER.md"]),
    ("heartbeat", []),
])
def test_sessions_current(tmp_path, session, expected):
    for n in ("AGENTS.md", "SOUL.md", "USER.md", "MEMORY.md"):
        (tmp_path / n).write_text(f"# {n}\n")
    res = P.simulate(Workspace(tmp_path, Settings()), session)
    assert [v.name for v in res.prompt_files] == expected


def test_config_caps_and_version(tmp_path):
    (tmp_path / "AGENTS.md").write_text("a" * 900)
    (tmp_path / "openclaw.json").write_text(
        '{ meta: { lastTouchedVersion: "2026.5.12" }, agents: { defaults: { bootstrapMaxChars: 500 } } }')
    res = P.simulate(Workspace(tmp_path, Settings()))
    assert res.profile.era == "classic" and res.max_chars == 500 and res.total_max_chars == 60000
    assert res.verdict("AGENTS.md").status == "truncated"
    assert res.verdict("TOOLS.md").status == "missing"  # Classic: [MISSING] marker


def test_surrogate_pairs_are_never_split():
    text = "😀" * 20000
    r = _build([("MEMORY.md", text)])
    v = r.files[0]
    v.content.encode("utf-8")  # would raise on a lone surrogate
    assert v.injected_chars <= 20000


# ---- optional differential test against the real OpenClaw build ---------------------------
ORACLE = """
import fs from "node:fs";
const mod = await import(process.argv[2]);
const build = Object.values(mod).find((f) => typeof f === "function" && f.name === "buildBootstrapContextFiles");
const cases = JSON.parse(fs.readFileSync(process.argv[3], "utf-8"));
const out = cases.map((c) => build(c.files, { maxChars: c.maxChars, totalMaxChars: c.totalMaxChars })
  .map((f) => ({ path: f.path, content: f.content })));
fs.writeFileSync(process.argv[4], JSON.stringify(out));
"""


def test_matches_openclaw_build(tmp_path):
    """Set CLAWLINT_OPENCLAW_BOOTSTRAP_MJS to dist/bootstrap-*.mjs of `npm i openclaw@2026.9.6`."""
    import json
    import random
    import shutil
    import subprocess

    mjs = os.environ.get("CLAWLINT_OPENCLAW_BOOTSTRAP_MJS")
    node = shutil.which("node")
    if not mjs or not node:
        pytest.skip("OpenClaw build or node not available")
    rnd = random.Random(7)
    pieces = ["a", " ", "\n", "- must do\n", "## H\n", "é", "😀", "中文", "\r\n", "```\n", "x" * 40]
    cases = []
    for _ in range(200):
        files = []
        for n in K.LOAD_ORDER["current"]:
            if rnd.random() < 0.1:
                files.append({"name": n, "path": "/ws/" + n, "missing": True})
                continue
            size = rnd.choice([0, 10, 300, 5000, 25000])
            text = "".join(rnd.choice(pieces) for _ in range(size // 3))
            files.append({"name": n, "path": "/ws/" + n, "content": text, "missing": False})
        cases.append({"files": files, "maxChars": rnd.choice([50, 500, 4000, 20000]),
                      "totalMaxChars": rnd.choice([64, 3000, 60000])})
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    (tmp_path / "oracle.mjs").write_text(ORACLE)
    subprocess.run([node, str(tmp_path / "oracle.mjs"), "file://" + mjs, str(tmp_path / "cases.json"),
                    str(tmp_path / "out.json")], check=True)
    expected = json.loads((tmp_path / "out.json").read_text())
    for c, exp in zip(cases, expected, strict=True):
        inputs = [P.BootstrapInput(f["name"], f["name"], None if f["missing"] else f["content"])
                  for f in c["files"]]
        r = P.build(P.PrefixInputs(profile=CUR, max_chars=c["maxChars"],
                                   total_max_chars=c["totalMaxChars"], files=inputs, display_root="/ws"))
        got = [{"path": v.path, "content": v.content} for v in r.files
               if v.status in ("ok", "truncated", "missing")]
        assert got == exp
