"""DUP001/DUP002/DUP003 end to end: the offline default, the Ollama path through the fake
server, thresholds, related-but-distinct cards, self-retrieval and failure handling."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_ollama import FakeOllama, fake_ollama  # noqa: F401  (fixture)
from helpers import codes, lint, write_files
from test_retrieval_corpus import (
    BACKUP_PLAN,
    BACKUP_PLAN_COPY,
    BACKUP_RETENTION,
    OTHER_CARDS,
    RESTORE_DRILL,
    card,
)

from clawlint.config import Settings
from clawlint.diagnostics import Severity

DUP = ["DUP001", "DUP002", "DUP003"]


def corpus(extra: dict[str, str] | None = None) -> dict[str, str]:
    files = {
        "AGENTS.md": "# Agent\n",
        "memory/cards/backup-plan.md": BACKUP_PLAN,
        "memory/cards/backup-plan-copy.md": BACKUP_PLAN_COPY,
        "memory/cards/backup-restore-drill.md": RESTORE_DRILL,
        "memory/cards/backup-retention.md": BACKUP_RETENTION,
        **{f"memory/cards/{k}": v for k, v in OTHER_CARDS.items()},
    }
    files.update(extra or {})
    return files


def ollama_config(url: str, model: str = "nomic-embed-text", provider: str = "ollama",
                  suffix: str = "") -> str:
    return ('{\n  agents: {\n    defaults: {\n      memorySearch: {\n'
            f'        provider: "{provider}",\n        model: "{model}",\n'
            f'        remote: {{ baseUrl: "{url}{suffix}", apiKey: "ollama" }},\n'
            '      },\n    },\n  },\n}\n')


def dup001(diags):
    return [d for d in diags if d.code == "DUP001"]


# ---- done-when ------------------------------------------------------------------------------
def test_offline_default_reports_copy_not_related(tmp_path):
    write_files(tmp_path, corpus())
    diags = lint(tmp_path, select=DUP)
    found = dup001(diags)
    assert len(found) == 1, [d.message for d in found]
    d = found[0]
    # Reported once, on the newer card (updated 2026-11-02), naming the older copy.
    assert d.path == "memory/cards/backup-plan.md" and d.line == 2
    assert "memory/cards/backup-plan-copy.md" in d.message and "lexical" in d.message
    assert "merge" in d.message and d.severity is Severity.ERROR
    assert d.extra["other"] == "memory/cards/backup-plan-copy.md"
    assert "DUP003" not in codes(diags)  # nothing configured: no backend problem to report


def test_ollama_path_end_to_end(tmp_path, fake_ollama):  # noqa: F811
    write_files(tmp_path, corpus({"openclaw.json": ollama_config(fake_ollama.url, suffix="/v1")}))
    diags = lint(tmp_path, select=DUP)
    found = dup001(diags)
    assert [(d.path, d.extra["other"]) for d in found] == [
        ("memory/cards/backup-plan.md", "memory/cards/backup-plan-copy.md")]
    assert "ollama nomic-embed-text" in found[0].message
    assert "DUP003" not in codes(diags)
    embeds = [b for (_, p, b) in fake_ollama.requests if p == "/api/embed"]
    assert embeds and all(t.startswith(("clustering: ", "search_query: ")) or "topic:" in t
                          for b in embeds for t in b["input"])
    assert any(t.startswith("clustering: Backup plan") for b in embeds for t in b["input"])
    # Warm run: nothing re-embedded.
    fake_ollama.reset_counts()
    again = lint(tmp_path, select=DUP)
    assert fake_ollama.embed_calls == 0
    assert [d.message for d in dup001(again)] == [d.message for d in found]


def test_openai_compatible_path(tmp_path, fake_ollama):  # noqa: F811
    write_files(tmp_path, corpus({"openclaw.json": ollama_config(
        fake_ollama.url, provider="openai", suffix="/v1")}))
    diags = lint(tmp_path, select=["DUP001", "DUP003"])
    assert [d.path for d in dup001(diags)] == ["memory/cards/backup-plan.md"]
    assert "openai nomic-embed-text" in dup001(diags)[0].message
    assert any(p == "/v1/embeddings" for (_, p, _) in fake_ollama.requests)


def test_settings_path_without_config(tmp_path, fake_ollama):  # noqa: F811
    write_files(tmp_path, corpus())
    s = Settings(embeddings="ollama", ollama_url=fake_ollama.url, embed_model="all-minilm")
    diags = lint(tmp_path, select=DUP, settings=s)
    assert [d.path for d in dup001(diags)] == ["memory/cards/backup-plan.md"]
    assert "ollama all-minilm" in dup001(diags)[0].message
    # all-minilm uses no prefixes: cards, queries and chunks share one cache namespace.
    fake_ollama.reset_counts()
    lint(tmp_path, select=DUP, settings=s)
    assert fake_ollama.embed_calls == 0


# ---- related-but-distinct, thresholds ---------------------------------------------------
def test_related_cards_sharing_tags_are_not_reported(tmp_path):
    files = corpus()
    del files["memory/cards/backup-plan-copy.md"]
    write_files(tmp_path, files)
    assert dup001(lint(tmp_path, select=["DUP001"])) == []


def test_related_cards_not_reported_through_ollama(tmp_path, fake_ollama):  # noqa: F811
    files = corpus({"openclaw.json": ollama_config(fake_ollama.url)})
    del files["memory/cards/backup-plan-copy.md"]
    write_files(tmp_path, files)
    assert dup001(lint(tmp_path, select=["DUP001"])) == []


def test_two_card_workspace_still_flags_copy(tmp_path):
    write_files(tmp_path, {"memory/cards/a.md": BACKUP_PLAN, "memory/cards/b.md": BACKUP_PLAN_COPY})
    assert [d.path for d in dup001(lint(tmp_path, select=["DUP001"]))] == ["memory/cards/a.md"]


def test_changed_facts_copy_is_a_warning(tmp_path):
    changed = BACKUP_PLAN_COPY.replace("02:30", "03:00").replace("7 daily", "14 daily")
    write_files(tmp_path, corpus({"memory/cards/backup-plan-copy.md": changed}))
    found = dup001(lint(tmp_path, select=["DUP001"]))
    assert len(found) == 1 and found[0].severity is Severity.WARNING
    assert "Very similar" in found[0].message


def test_lexical_thresholds_configurable(tmp_path):
    write_files(tmp_path, corpus())
    strict = Settings(rules={"DUP001": {"lexical_warning_threshold": 0.99,
                                        "lexical_error_threshold": 0.995}})
    assert dup001(lint(tmp_path, select=["DUP001"], settings=strict)) == []
    loose = Settings(rules={"DUP001": {"lexical_warning_threshold": 0.05,
                                       "lexical_error_threshold": 0.99}})
    many = dup001(lint(tmp_path, select=["DUP001"], settings=loose))
    assert len(many) > 3 and all(d.severity is Severity.WARNING for d in many)
    # Each pair once.
    pairs = {frozenset((d.path, d.extra["other"])) for d in many}
    assert len(pairs) == len(many)


def test_embedding_thresholds_and_model_overrides(tmp_path, fake_ollama):  # noqa: F811
    write_files(tmp_path, corpus({"openclaw.json": ollama_config(fake_ollama.url)}))
    base = dup001(lint(tmp_path, select=["DUP001"]))
    assert len(base) == 1
    sim = base[0].extra["similarity"]
    above = Settings(rules={"DUP001": {"model_thresholds": {
        "nomic-embed-text": {"error": min(1.0, sim + 0.01), "warning": min(1.0, sim + 0.005)}}}})
    assert dup001(lint(tmp_path, select=["DUP001"], settings=above)) == []
    warn_only = Settings(rules={"DUP001": {"error_threshold": 1.0, "warning_threshold": 0.5}})
    found = dup001(lint(tmp_path, select=["DUP001"], settings=warn_only))
    assert found and all(d.severity is Severity.WARNING for d in found)


def test_user_severity_override_respected(tmp_path):
    write_files(tmp_path, corpus())
    s = Settings(severity={"DUP001": "info"})
    assert [d.severity for d in dup001(lint(tmp_path, select=["DUP001"], settings=s))] == [
        Severity.INFO]


def test_newer_by_created_then_path(tmp_path):
    a = card("Backup plan", "backups", BACKUP_PLAN.split("# Backup plan\n", 1)[1],
             created="2026-01-01", updated="")
    b = a.replace("created: 2026-01-01", "created: 2026-05-01")
    write_files(tmp_path, {"memory/cards/z-old.md": a, "memory/cards/a-new.md": b})
    assert [d.path for d in dup001(lint(tmp_path, select=["DUP001"]))] == ["memory/cards/a-new.md"]
    write_files(tmp_path, {"memory/cards/z-old.md": a, "memory/cards/a-new.md": a})
    assert [d.path for d in dup001(lint(tmp_path, select=["DUP001"]))] == ["memory/cards/z-old.md"]


def test_scope_daily_reports_log_passage(tmp_path):
    body = BACKUP_PLAN.split("# Backup plan\n", 1)[1]
    log = f"# 2026-11-03\n\n## Backups\n{body}\n## Errands\nBought milk and stamps.\n"
    files = corpus({"memory/2026-11-03.md": log})
    del files["memory/cards/backup-plan-copy.md"]
    write_files(tmp_path, files)
    assert dup001(lint(tmp_path, select=["DUP001"])) == []  # default scope: cards only
    s = Settings(rules={"DUP001": {"scope": ["cards", "daily"]}})
    found = dup001(lint(tmp_path, select=["DUP001"], settings=s))
    assert [d.path for d in found] == ["memory/2026-11-03.md"]
    assert "memory/cards/backup-plan.md" in found[0].message


def test_unreadable_and_empty_cards_are_skipped(tmp_path):
    write_files(tmp_path, {"memory/cards/a.md": "", "memory/cards/b.md": b"\xff\xfe bad",
                           "memory/cards/c.md": "---\n---\n", "memory/cards/d.md": BACKUP_PLAN})
    assert dup001(lint(tmp_path, select=DUP)) == []


# ---- DUP002 -------------------------------------------------------------------------------
def _standup(topic: str, tags: str) -> dict[str, str]:
    files = {"memory/cards/standup.md": (
        f"---\ntopic: {topic}\ntags: [{tags}]\n---\n# {topic}\n\nThe daily standup is at 09:15 "
        "in room Ada. Priya runs it on Mondays, Tom on the other days; the dial-in code is 4471.\n")}
    for day in ("02", "03", "04", "05", "06", "09", "10"):
        files[f"memory/2026-03-{day}.md"] = (
            f"# 2026-03-{day}\n\n### Standup (work)\n- Standup ran long again; work on the billing "
            "migration is blocked on review.\n- After standup, paired with Tom on the work queue.\n")
    return files


def test_hard_to_find_generic_topic(tmp_path):
    write_files(tmp_path, _standup("Standup", "work"))
    found = [d for d in lint(tmp_path, select=["DUP002"]) if d.code == "DUP002"]
    assert len(found) == 1 and found[0].path == "memory/cards/standup.md"
    assert "outside the top 6" in found[0].message and found[0].extra["rank"] > 6
    assert all(r.startswith("memory/2026-03-") for r in found[0].extra["outranked_by"])


def test_hard_to_find_is_opt_in(tmp_path):
    write_files(tmp_path, _standup("Standup", "work"))
    assert "DUP002" not in codes(lint(tmp_path))  # default selection: audit is off
    s = Settings(extend_select=["DUP002"])
    assert "DUP002" in codes(lint(tmp_path, settings=s))


def test_hard_to_find_block_scoring_matches_per_query(tmp_path, monkeypatch):
    """Scoring queries in numpy blocks gives the same findings as one query at a time."""
    from clawlint.checks import duplicates as D

    files = corpus(_standup("Standup", "work"))
    files.update({f"memory/cards/misc-{i}.md": card("Notes", "backups, nas",
                                                    f"Misc note {i} about the NAS backup.")
                  for i in range(12)})
    write_files(tmp_path, files)
    whole = [(d.path, d.message) for d in lint(tmp_path, select=["DUP002"])]
    monkeypatch.setattr(D, "QUERY_BLOCK", 1)
    one = [(d.path, d.message) for d in lint(tmp_path, select=["DUP002"])]
    assert whole == one and len(whole) >= 2


def test_specific_topic_is_found(tmp_path):
    write_files(tmp_path, _standup("Standup time, room and dial-in code", "work, schedule"))
    assert "DUP002" not in codes(lint(tmp_path, select=["DUP002"]))


def test_max_results_option_and_config(tmp_path):
    write_files(tmp_path, _standup("Standup", "work"))
    s = Settings(rules={"DUP002": {"max_results": 10}})
    assert "DUP002" not in codes(lint(tmp_path, select=["DUP002"], settings=s))
    write_files(tmp_path, {"openclaw.json": "{agents: {defaults: {memorySearch: "
                                            "{query: {maxResults: 10}}}}}"})
    assert "DUP002" not in codes(lint(tmp_path, select=["DUP002"]))


def test_competitors_cards_only(tmp_path):
    write_files(tmp_path, _standup("Standup", "work"))
    s = Settings(rules={"DUP002": {"competitors": "cards"}})
    assert "DUP002" not in codes(lint(tmp_path, select=["DUP002"], settings=s))


def test_corpus_cards_are_all_findable(tmp_path):
    write_files(tmp_path, corpus())
    assert "DUP002" not in codes(lint(tmp_path, select=["DUP002"]))


def test_hard_to_find_through_ollama_and_min_score(tmp_path, fake_ollama):  # noqa: F811
    write_files(tmp_path, corpus({"openclaw.json": ollama_config(fake_ollama.url)}))
    assert "DUP002" not in codes(lint(tmp_path, select=["DUP002"]))
    queries = [t for (_, p, b) in fake_ollama.requests if p == "/api/embed" for t in b["input"]
               if t.startswith("search_query: ")]
    assert "search_query: Backup plan backups restic nas" in queries
    s = Settings(rules={"DUP002": {"min_score": 0.99}})
    found = [d for d in lint(tmp_path, select=["DUP002"], settings=s) if d.code == "DUP002"]
    assert found and all("below query.minScore 0.99" in d.message for d in found)


# ---- DUP003 and fallback ------------------------------------------------------------------
def _down_url() -> str:
    srv = FakeOllama().start()
    url = srv.url
    srv.stop()
    return url


def test_server_down_one_diagnostic_and_lexical_fallback(tmp_path):
    write_files(tmp_path, corpus({"openclaw.json": ollama_config(_down_url())}))
    diags = lint(tmp_path, select=DUP)
    d3 = [d for d in diags if d.code == "DUP003"]
    assert len(d3) == 1 and d3[0].path == "openclaw.json" and d3[0].line == 7  # remote
    assert "cannot reach" in d3[0].message and "ollama serve" in d3[0].message
    found = dup001(diags)
    assert [d.path for d in found] == ["memory/cards/backup-plan.md"]
    assert "lexical fallback" in found[0].message


def test_model_missing_suggests_pull(tmp_path, fake_ollama):  # noqa: F811
    write_files(tmp_path, corpus({"openclaw.json": ollama_config(fake_ollama.url,
                                                                 model="mxbai-embed-large")}))
    diags = lint(tmp_path, select=DUP)
    d3 = [d for d in diags if d.code == "DUP003"]
    assert len(d3) == 1 and "ollama pull mxbai-embed-large" in d3[0].message
    assert len(dup001(diags)) == 1


def test_chat_model_and_wrong_path(tmp_path, fake_ollama):  # noqa: F811
    write_files(tmp_path, corpus({"openclaw.json": ollama_config(fake_ollama.url,
                                                                 model="llama3.1:8b")}))
    d3 = [d for d in lint(tmp_path, select=DUP) if d.code == "DUP003"]
    assert len(d3) == 1 and "cannot produce embeddings" in d3[0].message
    write_files(tmp_path, {"openclaw.json": ollama_config(fake_ollama.url, suffix="/api/embed")})
    d3 = [d for d in lint(tmp_path, select=DUP) if d.code == "DUP003"]
    assert len(d3) == 1 and "HTTP 404" in d3[0].message and "base URL" in d3[0].message


def test_remote_endpoint_refused_without_allow_remote(tmp_path):
    write_files(tmp_path, corpus({"openclaw.json": ollama_config("http://192.0.2.10:11434")}))
    diags = lint(tmp_path, select=DUP)
    d3 = [d for d in diags if d.code == "DUP003"]
    assert len(d3) == 1 and "--allow-remote" in d3[0].message
    assert len(dup001(diags)) == 1


def test_dup003_alone_checks_the_server(tmp_path, fake_ollama):  # noqa: F811
    write_files(tmp_path, corpus({"openclaw.json": ollama_config(fake_ollama.url, model="nope")}))
    assert codes(lint(tmp_path, select=["DUP003"])) == ["DUP003"]
    write_files(tmp_path, {"openclaw.json": ollama_config(fake_ollama.url)})
    assert codes(lint(tmp_path, select=["DUP003"])) == []


def test_timeout_option(tmp_path, fake_ollama):  # noqa: F811
    write_files(tmp_path, corpus({"openclaw.json": ollama_config(fake_ollama.url)}))
    fake_ollama.delay = 1.0
    s = Settings(rules={"DUP003": {"timeout": 0.2}})
    diags = lint(tmp_path, select=DUP, settings=s)
    d3 = [d for d in diags if d.code == "DUP003"]
    assert len(d3) == 1 and "within 0.2 s" in d3[0].message
    assert len(dup001(diags)) == 1


def test_lexical_mode_never_touches_server(tmp_path, fake_ollama):  # noqa: F811
    write_files(tmp_path, corpus({"openclaw.json": ollama_config(fake_ollama.url)}))
    lint(tmp_path, select=DUP, settings=Settings(embeddings="lexical"))
    assert fake_ollama.requests == []


@pytest.mark.parametrize("n", [1, 7])
def test_tiny_workspaces(tmp_path, n):
    write_files(tmp_path, {f"memory/cards/c{i}.md": card(f"Topic {i} unique{i}", f"t{i}",
                                                         f"Fact number {i}: value {i * 7}.")
                           for i in range(n)})
    assert [c for c in codes(lint(tmp_path, select=DUP)) if c.startswith("DUP")] == []


def test_example_workspace_flags_the_copy():
    root = Path(__file__).resolve().parent.parent / "examples" / "workspace"
    found = dup001(lint(root, select=["DUP001"], settings=Settings(embeddings="lexical")))
    rels = {frozenset((d.path, d.extra["other"])) for d in found}
    assert frozenset(("memory/cards/backup-plan.md", "memory/cards/backup-plan-copy.md")) in rels


def test_dup003_is_info_unless_the_backend_was_requested(ws):
    """A configured but stopped Ollama must not fail CI or pre-commit runs by default."""
    import socket

    from helpers import lint

    from clawlint.config import Settings
    from clawlint.diagnostics import Severity

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    root = ws({
        "AGENTS.md": "# A\n",
        "openclaw.json": '{ memory: { search: { provider: "ollama", model: "nomic-embed-text", '
                         f'remote: {{ baseUrl: "http://127.0.0.1:{port}" }} }} }} }}',
        "memory/cards/a.md": "---\ntopic: A\ntags: [a]\ncreated: 2026-01-01\nupdated: 2026-01-02\n---\nx\n",
    })
    (d,) = [d for d in lint(root, ["DUP003"]) if d.code == "DUP003"]
    assert d.severity is Severity.INFO
    (d,) = [d for d in lint(root, ["DUP003"], Settings(embeddings="ollama", no_cache=True))
            if d.code == "DUP003"]
    assert d.severity is Severity.WARNING


def test_chinese_copy_is_found_and_distinct_chinese_cards_are_not(ws):
    from helpers import lint

    card = ("---\ntopic: 家人联系方式\ntags: [家人, 联系]\ncreated: 2026-10-01\nupdated: 2026-10-02\n---\n"
            "妈妈住在杭州，平时用微信联系，周末下午三点以后方便打电话。爸爸不用微信，只能打座机。"
            "姐姐在上海工作，生日是九月十二日，喜欢收到书作为礼物。\n")
    copy = card.replace("喜欢收到书作为礼物", "喜欢收到书和花作为礼物").replace("updated: 2026-10-02",
                                                                 "updated: 2026-10-05")
    other = ("---\ntopic: 家里网络设置\ntags: [家人, 网络]\ncreated: 2026-10-01\nupdated: 2026-10-02\n---\n"
             "路由器在客厅书架上，管理地址只在内网可用。访客网络每月更换一次密码，"
             "孩子的平板在晚上十点以后自动断网。\n")
    root = ws({"AGENTS.md": "# A\n", "memory/cards/family.md": card,
               "memory/cards/family-2.md": copy, "memory/cards/network.md": other})
    found = [d for d in lint(root, ["DUP001"]) if d.code == "DUP001"]
    assert [d.path for d in found] == ["memory/cards/family-2.md"]
    assert "memory/cards/family.md" in found[0].message
