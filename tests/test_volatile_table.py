"""Labelled table of real-style lines: which must be flagged as volatile (and by which rule),
which must be left alone. Precision first: every "no" row is a false positive we refuse."""

from __future__ import annotations

import pytest

from clawlint.checks.volatile import scan_text

# (line, expected code or None, file it lives in)
FLAGGED: list[tuple[str, str, str]] = [
    # --- stamps (CV001), English
    ("Last updated: 2026-11-20 09:14", "CV001", "AGENTS.md"),
    ("_Last updated: 2026-11-20_", "CV001", "AGENTS.md"),
    ("**Last checked:** 14:05 UTC", "CV001", "MEMORY.md"),
    ("- Last run: 2026-11-20T08:00:00Z (ok)", "CV001", "AGENTS.md"),
    # the next run of a routine job is rewritten after every run: a stamp, not a schedule
    ("Next heartbeat: 2026-11-21 10:30", "CV001", "MEMORY.md"),
    ("- Next check at 2026-11-22 06:00 UTC", "CV001", "AGENTS.md"),
    ("下次检查：2026-11-21 10:30", "CV001", "MEMORY.md"),
    ("Updated: Nov 20, 2026", "CV001", "SOUL.md"),
    ("Disk usage is 71% as of 2026-11-20.", "CV001", "MEMORY.md"),
    ("Status: green (as of today)", "CV001", "MEMORY.md"),
    ("Last evaluated 3 minutes ago", "CV001", "AGENTS.md"),
    ("Backups verified 2026-11-20 03:12 by the nightly job.", "CV001", "MEMORY.md"),
    ("- NAS reachable · last heartbeat: 09:55", "CV001", "MEMORY.md"),
    ("Snapshot taken at epoch 1763629200 during the last heartbeat.", "CV001", "MEMORY.md"),
    ("Current time: 2026-11-20 09:14 (Europe/Lisbon)", "CV001", "USER.md"),
    ("Timestamp: 1763629200", "CV001", "AGENTS.md"),
    ("Last sync: 5 min ago", "CV001", "MEMORY.md"),
    # a bare date-time is a stamp when it stands alone or the line says it is rewritten
    ("_2026-11-20 09:14 UTC_", "CV001", "AGENTS.md"),
    ("- 2026-11-20T09:14:03Z", "CV001", "MEMORY.md"),
    ("Disk 71% full, auto-updated 2026-11-20 09:14", "CV001", "MEMORY.md"),
    ("Heartbeat stamp (update after every heartbeat): 2026-11-20 09:14", "CV001", "AGENTS.md"),
    ('Last updated: "2026-11-20 09:14"', "CV001", "AGENTS.md"),
    ("Status: green (as of now)", "CV001", "MEMORY.md"),
    ("last_run=1763629200", "CV001", "MEMORY.md"),
    # --- stamps, Chinese / German / Portuguese
    ("最后更新：2026-11-20 09:14", "CV001", "AGENTS.md"),
    ("最後更新: 2026年11月20日", "CV001", "MEMORY.md"),
    ("更新时间: 2026-11-20 21:30", "CV001", "MEMORY.md"),
    ("截至2026年11月20日，磁盘使用率为 71%", "CV001", "MEMORY.md"),
    ("Stand: 20.11.2026", "CV001", "AGENTS.md"),
    ("Zuletzt aktualisiert: 20.11.2026, 09:14", "CV001", "SOUL.md"),
    ("Stand vom 20. November 2026", "CV001", "MEMORY.md"),
    ("Atualizado em 20/11/2026 às 09:14", "CV001", "AGENTS.md"),
    ("Última atualização: hoje", "CV001", "MEMORY.md"),
    ("Atualizado: 20 de novembro de 2026", "CV001", "USER.md"),
    ("Stand 20.11.2026", "CV001", "AGENTS.md"),
    ("- Sincronizado às 21/11/2026 08:00 a partir do NAS.", "CV001", "MEMORY.md"),
    ("- NAS geprüft am 20.11.2026 um 09:14.", "CV001", "MEMORY.md"),
    ("- 备份已检查于 2026-11-20 09:14", "CV001", "MEMORY.md"),
    # --- live values (CV002)
    # a resource's ID field whose label says it moves
    ("- Last item ID: 1b4e28ba-2fa1-41d2-883f-0016d3cca427", "CV002", "MEMORY.md"),
    ("- Current item ID: 1b4e28ba-2fa1-41d2-883f-0016d3cca428", "CV002", "MEMORY.md"),
    ("- Last processed container ID: 1b4e28ba-2fa1-41d2-883f-0016d3cca429", "CV002", "MEMORY.md"),
    ("Tokens: 88k in / 2.1k out · Cache: 47% hit", "CV002", "MEMORY.md"),
    ("Context: 45k/200k", "CV002", "MEMORY.md"),
    ("Cache hit rate: 82%", "CV002", "AGENTS.md"),
    ("Balance: $12.40 (checked 09:00)", "CV002", "MEMORY.md"),
    ("Saldo: R$ 120,00 (verificado hoje)", "CV002", "MEMORY.md"),
    ("Guthaben: 42,10 € (geprüft um 08:00)", "CV002", "MEMORY.md"),
    ("余额：¥35.20（截至今天）", "CV002", "MEMORY.md"),
    ("Session ID: 7f3a9c2e41", "CV002", "MEMORY.md"),
    ("Current run: 3f2b8c1e-9d4a-4c7b-8e2f-1a2b3c4d5e6f", "CV002", "AGENTS.md"),
    # A label word far earlier on the line does not make the value lasting.
    ("Last item processed: 1b4e28ba-2fa1-41d2-883f-0016d3cca427", "CV002", "AGENTS.md"),
    ("Current request on host web1: 1b4e28ba-2fa1-41d2-883f-0016d3cca427", "CV002", "AGENTS.md"),
    ("Request ID: 1b4e28ba-2fa1-41d2-883f-0016d3cca427", "CV002", "AGENTS.md"),
    ("Ask the server for the trace 1b4e28ba-2fa1-41d2-883f-0016d3cca427 each turn", "CV002",
     "AGENTS.md"),
    ("Use the workspace as usual; current job 1b4e28ba-2fa1-41d2-883f-0016d3cca427", "CV002",
     "AGENTS.md"),
    ("Gateway PID: 48213", "CV002", "MEMORY.md"),
    ("缓存命中率：47%", "CV002", "MEMORY.md"),
    ("Usage: 61k tokens used this session", "CV002", "MEMORY.md"),
    # --- dreaming output in MEMORY.md (CV003)
    ("<!-- openclaw-memory-promotion:2026-11-20 -->", "CV003", "MEMORY.md"),
    ("## Promoted From Short-Term Memory (2026-11-19)", "CV003", "MEMORY.md"),
    ("- Candidate: Assistant: ran `df -h` on nas.local [score=0.850 recalls=0 avg=0.620]",
     "CV003", "MEMORY.md"),
    # --- loader placeholders (CV004)
    ("Today is {{date}}.", "CV004", "AGENTS.md"),
    ("Heute ist {now}.", "CV004", "SOUL.md"),
    ("Hoje é $(date +%F).", "CV004", "AGENTS.md"),
    # --- routine rewrites of a prefix file (CV005)
    ("After every heartbeat, update the timestamp in MEMORY.md.", "CV005", "AGENTS.md"),
    ("Append a summary to MEMORY.md after every message.", "CV005", "AGENTS.md"),
    ("Update this file after each reply with the open tasks.", "CV005", "MEMORY.md"),
    ("Nach jeder Nachricht MEMORY.md aktualisieren.", "CV005", "AGENTS.md"),
    ("After each turn, rewrite MEMORY.md instead of the daily log.", "CV005", "AGENTS.md"),
    ("Após cada mensagem, atualize o MEMORY.md com o resumo.", "CV005", "AGENTS.md"),
    ("每次对话后更新 MEMORY.md 的时间戳。", "CV005", "AGENTS.md"),
]

CLEAN: list[tuple[str, str]] = [
    # a prefix file named only to keep writes away from it (CV005)
    ("After every message, write notes to the daily log, never to MEMORY.md.", "AGENTS.md"),
    ("After every session, append findings to memory/YYYY-MM-DD.md, not MEMORY.md.", "AGENTS.md"),
    ("Nach jeder Nachricht Notizen ins Tageslog schreiben, nie in MEMORY.md.", "AGENTS.md"),
    ("Nach jeder Sitzung Erkenntnisse ins Tageslog, nicht in MEMORY.md.", "AGENTS.md"),
    ("Após cada mensagem, escreva notas no log diário, nunca no MEMORY.md.", "AGENTS.md"),
    # identifiers of lasting things (CV002)
    ("- Filesystem UUID: 3f2a9c1e-7b44-4d2a-9e1f-0c8b5a6d7e21", "USER.md"),
    ("- Proxmox node ID: 3f2a9c1e-7b44-4d2a-9e1f-0c8b5a6d7e21", "TOOLS.md"),
    ("- Home Assistant entity id: light.kitchen_ceiling_7f3a9c2e41", "TOOLS.md"),
    ("- Backup repository ID: 9c1e7b44d2a9e1f0c8b5", "TOOLS.md"),
    ("- Printer serial: X3F2A9C1E7B44", "TOOLS.md"),
    # past events and decisions, birthdays, creation dates
    ("- 2026-02-20: moved backups to restic (see card).", "MEMORY.md"),
    ("Birthday: 1991-07-14", "USER.md"),
    ("Next heartbeat check: read HEARTBEAT.md and report only failures.", "AGENTS.md"),
    ("Created: 2026-01-05", "IDENTITY.md"),
    ("We switched to Tailscale on 2025-12-01 after the router died.", "MEMORY.md"),
    ("Geburtstag: 14.07.1991", "USER.md"),
    ("Criado em 05/01/2026.", "IDENTITY.md"),
    ("生日：1991年7月14日", "USER.md"),
    ("Meeting with Ana on 2026-03-01 at 14:00 about the lease.", "MEMORY.md"),
    ("## 2026-11-19", "MEMORY.md"),
    # schedules and quiet hours
    ("- Home server: quiet hours 23:00–08:00, no restarts.", "AGENTS.md"),
    ("Weekly review: 9:00 AM every Monday.", "USER.md"),
    ("Ruhezeiten: 22:00–07:00", "USER.md"),
    ("Horário de silêncio: 23h00 às 07h00", "USER.md"),
    ("每天 09:00 检查备份。", "AGENTS.md"),
    # versions
    ("Runs OpenClaw 2026.4.9 with gpt-5.4 for chat.", "MEMORY.md"),
    ("Requires Node 24.19.0 or newer.", "AGENTS.md"),
    # code, inline code, example JSON
    ("Run `date -u +%FT%TZ` to get the time.", "AGENTS.md"),
    ('{"updated": "2026-03-01T10:00:00Z"}', "AGENTS.md"),
    ('"lastRun": "2026-11-20T08:00:00Z",', "AGENTS.md"),
    # file names, links and daily-log patterns with dates
    ("- Skim today's and yesterday's daily logs (`memory/YYYY-MM-DD.md`).", "AGENTS.md"),
    ("See memory/2026-11-20.md for yesterday's notes.", "MEMORY.md"),
    ("- Router notes: [2024 notes](memory/cards/router-2024-03-01.md)", "MEMORY.md"),
    ("Export saved as backup-2026-11-20.tar.gz in the NAS share.", "MEMORY.md"),
    ("Docs: https://docs.openclaw.ai/changelog/2026-11-20T09:14", "AGENTS.md"),
    # "last check" without a value, ratios, substrings
    ("Mention when the last check failed.", "AGENTS.md"),
    ("If the last run failed, retry once.", "AGENTS.md"),
    ("Escalation ladder: 15/30/60 minutes.", "AGENTS.md"),
    ("Gegenstand: Mietvertrag Lissabon", "MEMORY.md"),
    ("Der aktuelle Stand der Dinge ist unklar.", "MEMORY.md"),
    ("I stand by the decision to use restic.", "MEMORY.md"),
    # stable facts that look a bit like counters or IDs
    ("Never paste tokens into memory files.", "AGENTS.md"),
    ("Keep the prompt cache warm: heartbeat every 55m.", "AGENTS.md"),
    ("Credits are billed monthly on the 1st.", "USER.md"),
    ("Use a new session for unrelated work.", "AGENTS.md"),
    # instructions that do not rewrite prefix files routinely
    ("Write durable facts to memory/cards/ after each session.", "AGENTS.md"),
    ("Update MEMORY.md when a decision changes.", "AGENTS.md"),
    ("Never edit SOUL.md mid-session; never update MEMORY.md after every message.", "AGENTS.md"),
    ("Append to memory/YYYY-MM-DD.md after every heartbeat.", "AGENTS.md"),
    ("Nach jeder Sitzung eine Karte in memory/cards/ anlegen.", "AGENTS.md"),
    ("Após cada sessão, registre as decisões em memory/cards/.", "AGENTS.md"),
    ("每次会话结束后，把要点写到 memory/ 目录的卡片里。", "AGENTS.md"),
    ("Atualizado conforme necessário.", "AGENTS.md"),
    ("Last updated by Sam.", "AGENTS.md"),
    ("Updated the router firmware to 7.57 on Monday.", "MEMORY.md"),
    ("Check the backups at 08:00 and 20:00 daily.", "AGENTS.md"),
    ("Flight LH1173 departs 2026-12-03 07:45 from LIS.", "MEMORY.md"),
    ("As of version 2026.4.9, TOOLS.md is retired.", "MEMORY.md"),
    ("Dentist appointment 2026-12-03 10:30", "MEMORY.md"),
    ("Invoice #1763629200 paid in full.", "MEMORY.md"),
    ("Use session IDs like agent:main:main for the main chat.", "AGENTS.md"),
    ("Token budget: keep MEMORY.md under 4k tokens.", "AGENTS.md"),
    ("Context: 200k window on Sonnet.", "MEMORY.md"),
    ("Termin beim Zahnarzt am 03.12.2026 um 10:30.", "MEMORY.md"),
    ("Reunião com a Ana em 03/12/2026 às 10:30.", "MEMORY.md"),
    ("最后更新日志请看 git log。", "AGENTS.md"),
    # reviewer's false positives: "as of now" / "Stand heute" idioms
    ("- As of now, Dana prefers Signal over WhatsApp for family chats.", "USER.md"),
    ("- Stand heute gilt: keine Termine vor 9 Uhr.", "USER.md"),
    ("- Hoje em dia a Dana prefere o Signal.", "USER.md"),
    # phone numbers and customer numbers are not epochs
    ("- Reach Sam at 2025550143 if Dana is unreachable.", "USER.md"),
    ("Customer number 1698765432 at our DNS registrar.", "MEMORY.md"),
    ("Kundennummer 1698765432 beim Stromanbieter.", "MEMORY.md"),
    ("Telefone da Ana: 11987654321", "USER.md"),
    ("Order ID: 1763629200", "MEMORY.md"),
    # past events with a date-time: a log line is written once
    ("- 2026-10-14 09:32 UTC: Server in Lisboa nicht erreichbar, Provider informiert.",
     "MEMORY.md"),
    ("- 2026年11月3日 14:20 妈妈的航班改签成功。", "MEMORY.md"),
    ("- Em 2026-11-02 às 10:15 assinei o contrato novo.", "MEMORY.md"),
    ("## 2026-11-19 14:00", "MEMORY.md"),
    ("- Updated the router firmware to 7.57 on 2026-11-19 14:00.", "MEMORY.md"),
    # schedules
    ("- Flug nach São Paulo: 2026-12-20 um 11:45 ab BER.", "MEMORY.md"),
    ("- Next maintenance window: 2026-12-05 02:00–04:00 UTC.", "AGENTS.md"),
    ("- 航班 CA123：2026-12-20 11:45 起飞。", "MEMORY.md"),
    ("- Voo para Lisboa em 20/12/2026 às 11:45.", "MEMORY.md"),
    ("- Prazo da declaração: 30/12/2026 23:59", "MEMORY.md"),
    ("- Besprechung am 02.12.2026 um 15:00 mit dem Vermieter.", "MEMORY.md"),
    # quoted examples
    ('- If the user says "remind me at 2026-12-01 08:00", create a reminder.', "AGENTS.md"),
    ("- Wenn jemand „Stand: 20.11.2026“ schreibt, ist das ein Beispiel.", "AGENTS.md"),
    ("- 用户说「最后更新：2026-11-20 09:14」时，只是举例。", "AGENTS.md"),
    ("- Exemplo: «atualizado em 20/11/2026 às 09:14» não vai no arquivo.", "AGENTS.md"),
    # CV002: limits, verbs, stable session names and resource IDs
    ("Max tokens: 4096", "AGENTS.md"),
    ("Tokens: 4k per request at most.", "AGENTS.md"),
    ("Process 500 emails per batch.", "AGENTS.md"),
    ("Session key: agent:main:main", "AGENTS.md"),
    ("Calendar ID: 3f2b8c1e-9d4a-4c7b-8e2f-1a2b3c4d5e6f", "TOOLS.md"),
    # a resource's ID field: the label names the resource, the value follows its colon
    ("- Home server ID: 4f1c2b9a-8d3e-4a7b-9c6d-1e2f3a4b5c6f", "MEMORY.md"),
    ("- Bitwarden item ID: 4f1c2b9a-8d3e-4a7b-9c6d-1e2f3a4b5c62", "MEMORY.md"),
    ("- Proxmox host UUID: 4f1c2b9a-8d3e-4a7b-9c6d-1e2f3a4b5c64", "MEMORY.md"),
    ("- Tailscale node ID (the NAS in the basement closet): 4f1c2b9a-8d3e-4a7b-9c6d-1e2f3a4b5c60",
     "MEMORY.md"),
    ("- Google Calendar ID for family events: 4f1c2b9a-8d3e-4a7b-9c6d-1e2f3a4b5c63", "MEMORY.md"),
    ("- Home server ID (last rebuilt in May): 4f1c2b9a-8d3e-4a7b-9c6d-1e2f3a4b5c65", "MEMORY.md"),
    ("Credits: 500 per month, top up now if low.", "USER.md"),
]


def _codes(line: str, file: str) -> list[str]:
    return [f.code for f in scan_text(line + "\n", memory_file=file == "MEMORY.md", own_name=file)]


def test_table_is_big_enough():
    assert len(FLAGGED) >= 30 and len(CLEAN) >= 30
    assert len(FLAGGED) + len(CLEAN) >= 60


@pytest.mark.parametrize("line,code,file", FLAGGED)
def test_flagged(line, code, file):
    got = _codes(line, file)
    assert code in got, f"{line!r} in {file}: expected {code}, got {got}"


@pytest.mark.parametrize("line,file", CLEAN)
def test_not_flagged(line, file):
    got = _codes(line, file)
    assert got == [], f"{line!r} in {file}: false positive {got}"


def test_future_date_time_is_a_schedule():
    from datetime import date

    line = "- 2026-12-20 11:45\n"
    assert scan_text(line, today=date(2026, 11, 21)) == []
    assert [f.code for f in scan_text(line, today=date(2026, 12, 21))] == ["CV001"]
    # 03/12/2026 reads as 3 Dec or 12 Mar: future only if both readings are
    line = "- 03/12/2026 10:30\n"
    assert [f.code for f in scan_text(line, today=date(2026, 11, 21))] == ["CV001"]
    assert scan_text(line, today=date(2026, 2, 1)) == []


def test_stamp_labels_ignore_the_future_rule():
    from datetime import date

    got = scan_text("Last updated: 2026-12-20 11:45\n", today=date(2026, 11, 21))
    assert [f.code for f in got] == ["CV001"]


def test_quotes_mask_only_timestamps():
    # A quoted session ID is still a live value.
    assert _codes('Session ID: "7f3a9c2e41"', "MEMORY.md") == ["CV002"]


def test_epoch_needs_nearby_context():
    assert _codes("Call Sam at 2025550143, last resort.", "USER.md") == []
    assert _codes("Snapshot taken at epoch 1763629200.", "MEMORY.md") == ["CV001"]


def test_fenced_code_is_ignored():
    text = "# AGENTS\n\n```json\n{\"updated\": \"2026-03-01T10:00:00Z\"}\nLast updated: 2026-11-20 09:14\n```\n"
    assert scan_text(text) == []


def test_indented_code_is_ignored():
    text = "# AGENTS\n\nExample:\n\n    Last updated: 2026-11-20 09:14\n"
    assert scan_text(text) == []


def test_positions_point_at_the_stamp():
    text = "# AGENTS\n\nSome intro.\nLast updated: 2026-11-20 09:14\n"
    (f,) = scan_text(text)
    assert f.line == 4
    assert text[f.start:f.end] == "Last updated: 2026-11-20 09:14"


def test_dreaming_block_is_one_finding():
    text = ("# MEMORY\n\n## Promoted From Short-Term Memory (2026-11-19)\n"
            "- Candidate: User: prefers tea [score=0.850 recalls=0 avg=0.620]\n"
            "- Candidate: Assistant: ran df -h confidence: 0.58\n\n## Pointers\n- cards\n")
    fs = scan_text(text, memory_file=True)
    assert [f.code for f in fs] == ["CV003"]
    assert "3 lines" in fs[0].kind


def test_dreaming_markers_only_count_in_memory_md():
    assert _codes("- Candidate: Assistant: ran df -h [score=0.850 recalls=0]", "AGENTS.md") == []


def test_rewrite_target_must_be_in_the_prefix():
    # HEARTBEAT.md is not above the boundary in the Current era.
    names = frozenset({"AGENTS.md", "MEMORY.md"})
    got = scan_text("Update HEARTBEAT.md after every heartbeat.\n", prefix_names=names,
                    own_name="AGENTS.md")
    assert got == []


def test_schedule_rule_uses_the_pinned_clock(monkeypatch):
    """A bare future date-time is a schedule; 'future' follows CLAWLINT_TODAY like every rule."""
    line = "- 2026-12-20 11:45 flight leaves BER"
    monkeypatch.setenv("CLAWLINT_TODAY", "2026-11-21")
    assert scan_text(line) == []
    monkeypatch.setenv("CLAWLINT_TODAY", "2027-01-10")
    assert [f.code for f in scan_text("2026-12-20 11:45")] == ["CV001"]


def test_digit_and_word_prechecks_change_no_finding(monkeypatch):
    """scan_text skips the stamp and live-value patterns on lines without a digit or a relative
    word, and the rewrite check on lines without a frequency: the same findings as running
    every pattern on every line, over the table, the rule pages, the example workspace and
    lines spliced from them."""
    import random
    import re
    from pathlib import Path

    from clawlint.checks import volatile as V

    root = Path(__file__).resolve().parent.parent
    lines = [row[0] for row in FLAGGED + CLEAN]
    for folder in (root / "examples", root / "clawlint" / "data", root / "docs"):
        for p in sorted(folder.rglob("*.md")) if folder.is_dir() else []:
            lines += p.read_text(encoding="utf-8", errors="replace").splitlines()
    rng = random.Random(7)
    words = [w for line in lines for w in line.split()]
    for _ in range(3000):  # fragments of stamps and prose, in new company
        lines.append(" ".join(rng.choice(words) for _ in range(rng.randint(2, 14))))
    for _ in range(300):  # digits in other scripts, and relative words without digits
        lines.append(rng.choice(["Updated: heute", "Last sync: agora", "Stand: jetzt",
                                 "Last run: ٢٠٢٦-١١-٢٠", "更新时间：今天", "Last checked now",
                                 "cache hit: ٤٢%", 'Status "Cache hit rate: 82%"',
                                 "Worker 'pid 4242' runs", 'The "Context: 45k/200k" note']
                                ) + " " + rng.choice(words))
    # No code blocks: a stray fence in a spliced line would hide everything after it.
    text = "\n".join(x.replace("`", "'").replace("~", "-").lstrip() for x in lines) + "\n"

    def scan(path: str) -> list[tuple[str, int, int, int]]:
        return [(f.code, f.line, f.start, f.end)
                for f in V.scan_text(text, memory_file=path == "MEMORY.md", own_name=path)]

    with_checks = {name: scan(name) for name in ("AGENTS.md", "MEMORY.md")}
    always = re.compile("")  # search() always finds the empty match: every pattern runs
    monkeypatch.setattr(V, "_DIGIT_RE", always)
    monkeypatch.setattr(V, "_RELATIVE_WORD_ANY_RE", always)
    monkeypatch.setattr(V, "_FREQ_LINE_RE", always)
    assert {name: scan(name) for name in ("AGENTS.md", "MEMORY.md")} == with_checks
    assert sum(map(len, with_checks.values())) > 100  # the corpus does exercise the patterns


@pytest.mark.parametrize("stamp", [
    "Last updated: Nov. 20, 2026 09:14.",
    "As of Jan. 5, 2026 the plan holds.",
    "Stand vom 20. November 2026 gilt das.",
])
def test_a_stamp_with_an_abbreviation_in_a_long_paragraph_line(stamp):
    """A paragraph on one line is scanned a sentence at a time; the period of `Nov.` or of
    `20.` does not end a sentence, or the date would be cut off from its label."""
    filler = "The NAS keeps weekly snapshots and the router stays on the old firmware. " * 30
    found = scan_text(filler + stamp + " " + filler + "\n", own_name="MEMORY.md")
    assert [f.code for f in found] == ["CV001"]
    label = stamp.split()[0]
    assert found[0].what.startswith(label) and "2026" in found[0].what  # label and date together
    assert _codes(filler + filler, "MEMORY.md") == []
