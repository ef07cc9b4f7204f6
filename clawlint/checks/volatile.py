"""CV: content in the cached prompt prefix that changes between turns or is rewritten routinely.

Only files OpenClaw injects above the cache boundary in a main session count (prefix.py decides:
era, version, symlinks, caps). Each byte that changes there re-bills the whole prefix at the
cache-write price (facts §5.2-5.3, #131093, #54256). Precision first: dates of past events,
birthdays, schedules, versions, code, links and file names are left alone; a stamp needs a
stamp label *and* a value, a counter needs a number.

`scan_text()` is the pure scanner (used by the rules and by the labelled-table tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from clawlint import prefix as P
from clawlint.diagnostics import Diagnostic
from clawlint.knowledge import bootstrap as K
from clawlint.registry import Context, rule
from clawlint.source import MarkdownDoc, SourceText, mask_inline_code

# ---- value grammar -------------------------------------------------------------------------
_MON_EN = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_MON_DE = r"(?:januar|februar|märz|maerz|april|mai|juni|juli|august|september|oktober|november|dezember)"
_MON_PT = r"(?:janeiro|fevereiro|março|marco|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro)"
_MON = f"(?:{_MON_EN}|{_MON_DE}|{_MON_PT})"
_ISO_D = r"(?<![\dA-Za-z.])(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\dA-Za-z])"
_NUM_D = (
    r"(?<![\w./])(?:(?:0?[1-9]|[12]\d|3[01])[./](?:0?[1-9]|1[0-2])|(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01]))"
    r"[./](?:19|20)?\d{2}(?![\w/])"
)
_YMD_SLASH = r"(?<![\w./])(?:19|20)\d{2}/(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])(?![\w/])"
_WORD_D = (
    rf"(?:\b{_MON_EN}\.? (?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?,? (?:19|20)\d{{2}}\b|"
    rf"\b(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?\.? (?:de )?{_MON}\.?,? (?:de )?(?:19|20)\d{{2}}\b)"
)
_CJK_D = r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
_DATE = f"(?:{_ISO_D}|{_NUM_D}|{_YMD_SLASH}|{_WORD_D}|{_CJK_D})"
_TIME = (
    r"(?:(?<![\d:])(?:[01]?\d|2[0-3])(?::[0-5]\d){1,2}(?:\.\d+)?(?![\d:])"
    r"(?:\s?[ap]\.?m\.?\b)?(?:\s?(?:Z\b|UTC\b|GMT\b|(?-i:[A-Z]{3,4})\b|[+-]\d{2}:?\d{2}))?"
    r"|(?<!\d)(?:[01]?\d|2[0-3])h[0-5]\d(?!\d)"
    r"|\d{1,2}\s*[点點時时]\s*\d{1,2}\s*分)"
)
_DT_SEP = r"(?:[T ]|,\s*|\s+(?:at|um|às|as|à|at)\s+|\s*)"
_DATETIME = f"(?:{_DATE}{_DT_SEP}{_TIME})"
_ISO_DT = (
    r"(?<![\w.])(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[T ]"
    r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?(?![\w:])"
)
# "now"/"today" alone are idioms ("As of now, Dana prefers ...", "Stand heute gilt"); they count
# only after a stamp label, or as "(as of today)" qualifying a value.
_RELATIVE_WORD = (
    r"(?:\b(?:today|now|just now|right now|heute|gerade eben|hoje|agora)\b|今天|今日|刚刚|剛剛)"
)
_RELATIVE_AGO = (
    r"(?:\b\d+\s*(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)\s+ago\b|"
    r"\bvor \d+ (?:Sekunden|Minuten|Stunden)\b|\bhá \d+ (?:segundos|minutos|horas)\b|"
    r"\d+\s*(?:分钟|分鐘|小时|小時)前)"
)
_RELATIVE = f"(?:{_RELATIVE_WORD}|{_RELATIVE_AGO})"
_EPOCH = r"(?<![\w.,/#+-])(?:1[5-9]\d{8}|20\d{8})(?:\d{3})?(?![\w,/-]|\.\d)"
_VALUE = f"(?:{_ISO_DT}|{_DATETIME}|{_DATE}|{_TIME}|{_RELATIVE}|{_EPOCH})"

# ---- stamp labels --------------------------------------------------------------------------
# Strong labels are stamps by themselves; weak ones (plain "Updated") need a colon.
_STRONG = (
    r"last[ _-]?(?:updated?|modified|edited|changed|checked|check|run|ran|evaluated|refreshed|"
    r"synced|sync|seen|heartbeat|reviewed|activity|active|poll(?:ed)?)(?:[ _](?:at|on))?|"
    r"next[ _-]?(?:heartbeat|run|poll|check|sync)(?:[ _](?:at|on|due))?|"
    r"nächste[rs]? (?:heartbeat|prüfung|lauf)|próxim[oa] (?:verificação|execução|heartbeat)|"
    r"下次(?:检查|檢查|运行|運行|心跳)|"
    r"updated[ _](?:at|on)|current[ _](?:time|date(?:[ _]?time)?)|time[ _]?stamp|"
    r"zuletzt (?:aktualisiert|geprüft|geändert|gesehen)(?: am)?|letzte (?:aktualisierung|änderung|"
    r"prüfung)|aktualisiert am|stand(?: vom)?|"
    r"atualizad[oa] (?:em|às|as)|últim[ao] (?:atualização|verificação|modificação|execução)|"
    r"ultim[ao] (?:atualizacao|verificacao)|actualizado (?:el|a las)|última actualización|"
    r"最后更新(?:时间|于)?|最後更新(?:時間|於)?|更新时间|更新時間|更新于|更新於|最后检查(?:时间)?|"
    r"最後檢查|上次更新|上次检查"
)
_WEAK = (
    r"updated|refreshed|checked|generated|synced|now|aktualisiert|geprüft|atualizado|"
    r"atualizada|verificado|actualizado"
)
_LEAD = r"(?:^|(?<=[·•|;(\[—–])|(?<=\s[-–—]\s))\s*(?:[-*+>]|\d+[.)]|#{1,6})?\s*(?:\*\*|__|\*|_)?\s*"
_POST = r"\s*(?:\*\*|__|\*|_)?\s*"
_STAMP_STRONG_RE = re.compile(
    rf"{_LEAD}(?P<label>{_STRONG}){_POST}[:：=]?{_POST}[\"“„«]?(?P<value>{_VALUE})", re.I | re.M
)
_STAMP_WEAK_RE = re.compile(
    rf"{_LEAD}(?P<label>{_WEAK}){_POST}[:：=]{_POST}[\"“„«]?(?P<value>{_VALUE})", re.I | re.M
)
_AS_OF_RE = re.compile(
    rf"(?P<label>\bas of\b|\bstand\b|截至|截止)\s*[:：]?\s*(?P<value>{_ISO_DT}|{_DATETIME}|{_DATE}|{_RELATIVE})",
    re.I,
)
_RELATIVE_WORD_RE = re.compile(f"{_RELATIVE_WORD}$", re.I)
_RELATIVE_WORD_ANY_RE = re.compile(_RELATIVE_WORD, re.I)
_DIGIT_RE = re.compile(r"\d")  # Unicode digits, as \d in the patterns above
_OPEN_PAREN_BEFORE_RE = re.compile(r"[(\[（【]\s*$")
_DATETIME_RE = re.compile(f"{_ISO_DT}|(?:{_DATE}{_DT_SEP}{_TIME})", re.I)
_EPOCH_RE = re.compile(_EPOCH)
# Context must sit just before the number ("at epoch 1763629200", "last_run=1763629200"); plain
# "at" is not enough ("Reach Sam at 2025550143" is a phone number).
_EPOCH_CONTEXT_RE = re.compile(
    r"\b(?:epoch|unix|timestamp|ts|updated|checked|last[ _-]?\w+|time|zeit|hora|run)\b|时间|時間|@|=",
    re.I,
)
_EPOCH_ID_RE = re.compile(
    r"\b(?:numbers?|no|nr|nº|n°|num|ids?|phone|tel|telephone|telefon\w*|mobile|cell|fax|whatsapp|"
    r"signal|call|text|sms|\w*nummer|order|invoice|account|customer|ticket|case|conta|pedido|"
    r"celular|cliente|fatura|número)\b|[#+(]|电话|電話|手机|手機|号码|號碼|编号|編號|订单|訂單",
    re.I,
)
# A line longer than MAX_LINE is scanned only when it reads like prose (a paragraph written on
# one line) and stays under MAX_PROSE_LINE; otherwise it is a blob (base64, hex, minified JSON)
# with no stamp to find, and the date patterns backtrack for seconds on a 30 KB run of digits.
MAX_LINE = 2000
MAX_PROSE_LINE = 100_000
_PROSE_SPACE_SHARE = 20  # prose has a space at least every 20 characters on average
# Lines about stable facts: a date-time there is an event or a schedule, not a stamp.
_STABLE_LABEL_RE = re.compile(
    r"\b(?:created|creation|born|birthday|birth|since|founded|started|start(?:s|ed)?|deadline|due|"
    r"scheduled|schedule|appointment|meeting|flight|departs?|arrives?|expires?|until|next|window|"
    r"maintenance|erstellt|geboren|geburtstag|termin|seit|flug|abflug|ankunft|besprechung|frist|"
    r"wartung\w*|nächste[nrs]?|criado|criada|nascid[oa]|aniversário|reunião|desde|vence|voo|"
    r"partida|chegada|consulta|prazo|próxim[oa]|janela|manutenção|agendad[oa])\b|"
    r"\b\w*(?:termin|fenster)\b|创建|建立|生日|出生|会议|會議|截止|航班|预约|預約|下次|下一次|维护|維護",
    re.I,
)
_STABLE_BEFORE_STRONG_RE = re.compile(r"\b(?:created|born|birthday)\b", re.I)
# A bare date-time (no stamp label) is a stamp only when the text says it is rewritten: a
# checking verb right before it ("Backups verified 2026-11-20 03:12"), a rewrite marker on the
# line, or the date-time standing alone. Log lines ("- 2026-10-14 09:32 UTC: server down") are
# history, written once.
_STAMP_VERB_RE = re.compile(
    r"(?:\b(?:verified|checked|synced|synchronized|refreshed|polled|pinged|fetched|generated|"
    r"updated|scanned|seen|geprüft|aktualisiert|synchronisiert|abgerufen|verificad[oa]|"
    r"atualizad[oa]|sincronizad[oa]|gerad[oa])\b|检查于|檢查於|更新于|更新於|同步于|同步於)"
    r"\s*(?:at|on|am|um|em|às|as|[:：])?\s*$",
    re.I,
)
_REWRITTEN_RE = re.compile(
    r"\bauto[- ]?(?:updated|generated|refreshed|written)\b|\b(?:re|over)written\b|"
    r"\b(?:updated|refreshed|written|set)\s+(?:by|on|after|every|each)\s+(?:the\s+|each\s+|every\s+)?"
    r"(?:\w+\s+)?(?:job|cron|heartbeat|script|hook|run|turn|message)s?\b|"
    r"\bby the (?:nightly |hourly |daily |weekly )?(?:job|cron|heartbeat|script|hook)\b|"
    r"\bkeep (?:this|it) (?:current|up to date)\b|automatisch aktualisiert|"
    r"atualizad[oa] automaticamente|自动更新|自動更新",
    re.I,
)
_TZ_REST_RE = re.compile(r"\b(?:UTC|GMT|Z|[A-Z]{3,4})\b|\([\w/+:. -]*\)")
_LETTER_RE = re.compile(r"[^\W\d_]")
# Quoted text is an example ("remind me at 2026-12-01 08:00"), unless it is a label's value
# (a colon, then a quoted value that starts with a digit).
_QUOTED_RE = re.compile(
    r'"[^"\n]*"|“[^“”\n]*[”“]|„[^“”\n]*[“”]|«[^»\n]*»|‹[^›\n]*›|「[^」\n]*」|『[^』\n]*』'
)
_VALUE_QUOTE_BEFORE_RE = re.compile(r"[:=：]\s*$")


def _mask_quotes(line: str) -> str:
    def blank(m: re.Match[str]) -> str:
        if _VALUE_QUOTE_BEFORE_RE.search(line, 0, m.start()) and m.group(0)[1:2].isdigit():
            return m.group(0)  # `Last updated: "2026-11-20 09:14"` quotes a value
        return " " * len(m.group(0))

    return _QUOTED_RE.sub(blank, line)


_MONTHS = {
    **{m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                   "sep", "oct", "nov", "dec"), start=1)},
    **{m: i for i, m in enumerate(("januar", "februar", "märz", "april", "mai", "juni", "juli",
                                   "august", "september", "oktober", "november", "dezember"),
                                  start=1)},
    **{m: i for i, m in enumerate(("janeiro", "fevereiro", "março", "abril", "maio", "junho",
                                   "julho", "agosto", "setembro", "outubro", "novembro",
                                   "dezembro"), start=1)},
    "maerz": 3, "marco": 3,
}


def _month(name: str) -> int | None:
    n = name.lower()
    return _MONTHS.get(n) or _MONTHS.get(n[:3])


def _dates_of(text: str) -> list[date]:
    """Every calendar reading of the date at the start of a date-time (both for 03/12/2026)."""
    out: list[tuple[int, int, int]] = []
    if m := re.match(r"((?:19|20)\d{2})\s*[-/年]\s*(\d{1,2})\s*[-/月]\s*(\d{1,2})", text):
        out.append((int(m[1]), int(m[2]), int(m[3])))
    elif m := re.match(r"(\d{1,2})([./])(\d{1,2})[./]((?:19|20)?\d{2})\b", text):
        y = int(m[4]) + (2000 if len(m[4]) == 2 else 0)
        out.append((y, int(m[3]), int(m[1])))
        if m[2] == "/":
            out.append((y, int(m[1]), int(m[3])))
    elif m := re.match(r"([a-zäç]+)\.? (\d{1,2})\D*?((?:19|20)\d{2})", text, re.I):
        if mon := _month(m[1]):
            out.append((int(m[3]), mon, int(m[2])))
    elif m := re.match(r"(\d{1,2})\D*?\s(?:de )?([a-zäç]+)\.?,? (?:de )?((?:19|20)\d{2})", text,
                       re.I):
        if mon := _month(m[2]):
            out.append((int(m[3]), mon, int(m[1])))
    res: list[date] = []
    for y, mo, d in out:
        try:
            res.append(date(y, mo, d))
        except ValueError:
            pass
    return res


def _is_future(text: str, today: date) -> bool:
    """A date after today is a schedule: a stamp records when something already happened."""
    ds = _dates_of(text)
    return bool(ds) and all(d > today for d in ds)


def _bare_datetime_is_stamp(line: str, s: int, e: int) -> bool:
    before = line[:s]
    if _STAMP_VERB_RE.search(before) or _REWRITTEN_RE.search(line):
        return True
    if _FREQ_RE.search(line) and re.search(_VERB, line, re.I):
        return True  # "(update after every heartbeat)"
    if re.match(r"\s*#", line):
        return False  # a heading names a log section
    rest = _TZ_REST_RE.sub(" ", re.sub(r"[*_~]", " ", before + line[e:]))
    return not _LETTER_RE.search(rest)  # the date-time stands alone


# ---- live values ---------------------------------------------------------------------------
_NUMK = r"\d[\d.,]*\s*[kKmM]?"
_TOKENS_RE = re.compile(
    rf"(?P<hit>\b(?:tokens?|token usage|token[ _]count)\s*[:=：]\s*{_NUMK}\b(?:\s*(?:in|out)\b)?"
    rf"(?:\s*/\s*{_NUMK}\b(?:\s*(?:in|out)\b)?)?|"
    rf"\b(?:context|ctx|usage)\s*[:=：]\s*(?:\d[\d.,]*\s*[kKmM]?\s*/\s*\d[\d.,]*\s*[kKmM]?\b|"
    rf"\d[\d.,]*\s*[kKmM]?\s*(?:tokens\s+)?(?:used|in\b)|\d{{1,3}}\s*%\s*(?:used|full))|"
    rf"\b\d[\d.,]*\s*[kKmM]?\s*(?:tokens?\s+)?in\s*/\s*\d[\d.,]*\s*[kKmM]?\s*(?:tokens?\s+)?out\b|"
    rf"(?:token|令牌)\s*(?:用量|使用量|数)?\s*[:：]\s*\d)",
    re.I,
)
_CACHE_RE = re.compile(
    r"(?P<hit>\bcache(?:[ _-]?(?:hit(?:[ _-]?rate)?|hits|read|ratio|rate))?\s*[:=]\s*\d{1,3}(?:[.,]\d+)?\s*%"
    r"|\bcache\b[^.\n%]{0,20}?\d{1,3}(?:[.,]\d+)?\s*%\s*(?:hit|hits|read|cached|warm)"
    r"|\bcache-hit-rate\s*[:=]\s*\d{1,3}(?:[.,]\d+)?\s*%"
    r"|缓存命中率\s*[:：]\s*\d{1,3}(?:\.\d+)?\s*%|快取命中率\s*[:：]\s*\d{1,3}(?:\.\d+)?\s*%)",
    re.I,
)
_BALANCE_RE = re.compile(
    r"(?P<hit>\b(?:balance|credits?|credit balance|saldo|guthaben|kontostand|quota left|"
    r"remaining credits?)\b|余额|剩余额度|餘額)\s*[:=：]?\s*(?:US\$|R\$|[$€£¥])?\s*\d",
    re.I,
)
_CHECK_TIME_RE = re.compile(
    rf"\b(?:checked|as of|at|verificad[oa]|geprüft|um|às|em)\b.{{0,12}}?(?:{_TIME}|{_DATE}|{_RELATIVE})|"
    rf"{_DATETIME}|{_RELATIVE_AGO}|[(（]\s*{_RELATIVE_WORD}\s*[)）]|截至|查询于|查詢於",
    re.I,
)
_SESSION_RE = re.compile(
    r"(?P<hit>\bsession[ _-]?(?:id|key)\s*[:=]\s*[`\"']?(?=[\w:.-]*\d)[\w:.-]{6,}|"
    r"\bsessionKey=[\w:.-]+|"
    r"\bagent:[\w-]+:(?:subagent|cron|run|thread|dm|direct|group|channel)[:\w.-]*:[0-9a-f-]{6,})",
    re.I,
)
_UUID_RE = re.compile(
    r"(?<![\w-])[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}(?![\w-])",
    re.I,
)
# "Process 500 emails" is a verb and a count: a bare "process" needs "#".
_PID_RE = re.compile(r"\b(?:pid|process[ _-]?id)\s*[:=#]?\s*\d{2,7}\b|\bprocess\s+#\d{3,7}\b", re.I)
# Limits and budgets are configuration, not counters ("Max tokens: 4096").
_LIMIT_RE = re.compile(
    r"\b(?:max(?:imum)?|min(?:imum)?|limit|budget|cap|at most|up to|per (?:request|turn|message|"
    r"call|reply|run|day)|höchstens|maximal|limite|máximo|no máximo)\b|上限|最多|最大|预算",
    re.I,
)
# A UUID labelled as a lasting resource (calendar, folder, device) is a stable fact.
STABLE_LABEL_REACH = 24  # characters before a UUID where its label must be
_STABLE_NOUNS = (
    r"calendar|page|database|db|folder|drive|device|account|user|project|workspace|tenant|"
    r"client|app|application|channel|chat|list|board|team|org|organi[sz]ation|document|doc|sheet|"
    r"spreadsheet|notion|repo|repository|bucket|zone|filesystem|fs|partition|volume|disk|entity|"
    r"node|serial|vault|printer|router|"
    r"kalender|ordner|konto|gerät|projekt|calendário|pasta|"
    r"conta|dispositivo|projeto|planilha"
)
_STABLE_ID_RE = re.compile(
    rf"\b(?:{_STABLE_NOUNS})\b|日历|日曆|文件夹|資料夾|账号|帳號|设备|設備|项目|項目", re.I)
# "Home server ID: <uuid>", "Tailscale node ID (the NAS in the closet): <uuid>": a resource's
# ID field, the value right after its colon. Host, server and item count only this way ("Last
# item processed: <uuid>" and "request on host web1: <uuid>" are live).
_ID_FIELD_REACH = 96
_ID_FIELD_RE = re.compile(
    rf"\b(?:{_STABLE_NOUNS}|host|server|item|machine|vm|container)\s+(?:id|uuid|guid|identifier)"
    r"\b[^.;|\n]{0,48}[:=][ \t]*[`'\"(]?\Z",
    re.I,
)
# ...unless the label says it moves: "Last item ID:", "Current container ID:".
_LIVE_LABEL_RE = re.compile(
    r"\b(?:last|latest|current|previous|prev|next|recent|processed|active|running)\b[^.;|\n]*\Z",
    re.I,
)

# ---- dreaming / promotion output (MEMORY.md) ------------------------------------------------
_DREAM_RE = re.compile(
    r"<!--\s*openclaw-memory-promotion|^\s*#{1,6}\s*Promoted From Short-Term Memory\b|"
    r"^\s*(?:[-*+]\s+)?(?:\*\*)?Candidate:|\[score=\d|\brecalls=\d+|\bconfidence:\s*0\.\d+|"
    r"\bstatus:\s*staged\b|\bevidence:\s*memory/\.dreams/",
    re.I,
)

# ---- loader placeholders -------------------------------------------------------------------
_PLACEHOLDER_RE = re.compile(
    r"\{\{\s*(?:date|now|time|today|timestamp|datetime|current[_ ]?(?:date|time)|uuid|random)"
    r"\s*(?:\|[^}\n]*)?\}\}|"
    r"(?<![{$\w])\{(?:now|date|time|today|timestamp|datetime)\}(?!\})|"
    r"\$\(\s*date\b[^)\n]*\)|\$\{(?:now|date|time|timestamp)\}|%(?:DATE|TIME)%",
    re.I,
)

# ---- routine self-rewrite instructions ------------------------------------------------------
_PREFIX_NAMES = "MEMORY|AGENTS|SOUL|USER|IDENTITY|TOOLS|BOOTSTRAP|HEARTBEAT"
_VERB = (
    r"(?:update|rewrite|re-write|append|write|add|log|record|bump|refresh|edit|increment|"
    r"overwrite|save|touch|stamp|aktualisier\w*|schreib\w*|ergänz\w*|trag\w* \w+ ein|"
    r"atualiz\w*|escrev\w*|adicion\w*|registr\w*|anot\w*|更新|写入|寫入|追加|记录|記錄)"
)
_TARGET_RE = re.compile(
    rf"\b(?P<file>(?:{_PREFIX_NAMES})\.md)\b|(?P<self>\bthis file\b|\bdiese[rn]? Datei\b|"
    r"\beste arquivo\b|\bneste arquivo\b|本文件|这个文件|此文件|這個檔案)",
    re.I,
)
_FREQ_RE = re.compile(
    r"\b(?:after|on|with|following)\s+(?:every|each)\s+(?:single\s+)?(?:user\s+)?"
    r"(?:message|turn|reply|response|answer|heartbeat|exchange|run|request|interaction|tool call|"
    r"prompt|minute|hour|poll|check)s?\b|"
    r"\b(?:every|each)\s+(?:single\s+)?(?:user\s+)?(?:message|turn|reply|response|answer|heartbeat|"
    r"exchange|run|request|interaction|tool call|prompt|poll|minute|hour|\d+\s*(?:min|minutes|m|h|"
    r"hours))s?\b|\bevery time\b|\bper (?:message|turn|reply|request)\b|\bcontinuously\b|"
    r"\b(?:nach|bei)\s+jede[rmn]?\s+(?:Nachricht|Antwort|Runde|Heartbeat|Anfrage|Minute|Stunde)\b|"
    r"\b(?:após|depois de|a)\s+cada\s+(?:mensagem|resposta|turno|heartbeat|interação|pedido|"
    r"minuto|hora)\b|每次(?:对话|對話|回复|回覆|消息|訊息|心跳|请求|請求)?|每条消息|每條訊息|每轮|每輪|每个心跳|每個心跳",
    re.I,
)
_FREQ_LINE_RE = _FREQ_RE  # the whole-line pre-check (tests turn it off)
# A target named only to exclude it: "never to MEMORY.md", "not MEMORY.md", "instead of …".
_NOT_HERE_RE = re.compile(
    r"(?:\b(?:never|not|nie|nicht|nunca|não|nao)\b|instead of|rather than|\b(?:an)?statt\b|"
    r"em vez d[eo]|em lugar d[eo]|而不是|不要写到|不要寫到)[^.;:!?]{0,12}$",
    re.I,
)
_NEGATION_RE = re.compile(
    r"\b(?:never|don't|do not|dont|avoid|no need to|must not|mustn't|should not|shouldn't|"
    r"stop|nie|niemals|nicht|kein|nunca|não|nao|evite)\b|不要|别|別|禁止|切勿|不得",
    re.I,
)

# ---- masking -------------------------------------------------------------------------------
_LINK_TARGET_RE = re.compile(r"\]\([^)\n]*\)|<(?:https?|file|mailto):[^>\n]*>|\bhttps?://\S+")
_PATHLIKE_RE = re.compile(
    # A slash-separated token with a word-like segment: paths, memory/YYYY-MM-DD.md (not
    # 20/11/2026 or 45k/200k).
    r"(?<![\w/])(?=[\w.~@-]*/)(?=(?:[\w.~@-]*/)*[A-Za-z.~_][A-Za-z._-])(?:[\w.~@-]*/)+[\w.@-]*|"
    r"\b[\w.-]*\d{4}-\d{2}-\d{2}[\w.-]*\.(?:md|txt|json|jsonl|log|csv|ya?ml|png|jpe?g|pdf|gz|zip)\b",
    re.I,
)
_JSONISH_RE = re.compile(r'^\s*(?:[{\[]|"[\w.-]+"\s*:)')


def _mask(line: str) -> str:
    out = mask_inline_code(line)
    for rx in (_LINK_TARGET_RE, _PATHLIKE_RE):
        out = rx.sub(lambda m: " " * len(m.group(0)), out)
    return out


@dataclass(frozen=True)
class Finding:
    code: str
    line: int  # 1-based
    start: int  # char offset in the file text
    end: int
    what: str  # the flagged text
    kind: str  # short description used in messages


def scan_text(text: str, *, memory_file: bool = False, own_name: str | None = None,
              prefix_names: frozenset[str] | None = None,
              md: MarkdownDoc | None = None, src: SourceText | None = None,
              today: date | None = None) -> list[Finding]:
    """Every volatile-content finding in one prefix file (`today` decides what is a schedule)."""
    if today is None:
        from clawlint.memory_support import today as clock  # honours CLAWLINT_TODAY

        today = clock()
    src = src or SourceText(text)
    md = md or MarkdownDoc(src, 0)
    names = prefix_names if prefix_names is not None else frozenset(
        n for n in K.LOAD_ORDER[K.CURRENT])
    out: list[Finding] = []
    dream_lines: list[tuple[int, int, int]] = []
    for ln, raw in enumerate(src.lines, start=1):
        if md.in_code(ln):
            continue
        if len(raw) > MAX_LINE and (len(raw) > MAX_PROSE_LINE or _separators(raw)
                                    * _PROSE_SPACE_SHARE < len(raw)):
            continue  # a blob, not prose (see MAX_LINE)
        base = src.line_starts[ln - 1]
        if memory_file:
            m = _DREAM_RE.search(raw)
            if m:
                dream_lines.append((ln, base + m.start(), base + len(raw)))
                continue
        line = _mask(raw)
        if not line.strip() or _JSONISH_RE.match(line):
            continue
        # A paragraph on one line is scanned a sentence at a time: the checks look around each
        # match within its line, which over a 100 KB line took minutes.
        for a, b in _sentences(line) if len(raw) > MAX_LINE else [(0, len(raw))]:
            out.extend(_scan_line(ln, base + a, raw[a:b], line[a:b], own_name, names, today))
    out.extend(_group_dreams(dream_lines, src))
    return out


_SENTENCE_END_RE = re.compile(r"(?<=[.!?;])\s+|(?<=[。！？；])")
# A period that ends an abbreviation or a number, not a sentence: "Nov. 20, 2026", "am 20.
# November 2026", "e.g. Monday": the date must stay with its label.
_NOT_SENTENCE_END_RE = re.compile(
    r"(?:\b(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|mr|mrs|ms|dr|st|vs|etc|no|"
    r"approx|ca|e\.g|i\.e)|\d)\.\Z",
    re.I,
)
_CJK_SEPARATORS = "。，、；！？"


def _separators(raw: str) -> int:
    """Word and clause separators: spaces, and the punctuation CJK prose uses instead."""
    return raw.count(" ") + sum(raw.count(c) for c in _CJK_SEPARATORS)


def _sentences(line: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a long line, none over MAX_LINE (a longer run is cut
    at its last space before the limit)."""
    spans: list[tuple[int, int]] = []
    start = 0
    ends = [m for m in _SENTENCE_END_RE.finditer(line)
            if not _NOT_SENTENCE_END_RE.search(line, max(0, m.start() - 8), m.start())]
    for m in [*ends, None]:
        end = m.start() if m is not None else len(line)
        while end - start > MAX_LINE:
            cut = line.rfind(" ", start + 1, start + MAX_LINE)
            cut = cut if cut > start else start + MAX_LINE
            spans.append((start, cut))
            start = cut
        if end > start:
            spans.append((start, end))
        start = m.end() if m is not None else len(line)
    return spans


def _add(out: list[Finding], taken: list[tuple[int, int]], code: str, ln: int, base: int,
         raw: str, s: int, e: int, kind: str) -> None:
    if any(s < te and ts < e for ts, te in taken):
        return
    taken.append((s, e))
    out.append(Finding(code, ln, base + s, base + e, raw[s:e].strip(), kind))


def _scan_line(ln: int, base: int, raw: str, line: str, own: str | None,
               names: frozenset[str], today: date) -> list[Finding]:
    out: list[Finding] = []
    taken: list[tuple[int, int]] = []
    q = _mask_quotes(line)  # CV001 only: a quoted session ID or counter is still live
    # Every stamp value is a number or a relative word, and every live value below but the
    # session patterns has a digit: a line without them skips those patterns (most prose
    # lines; the stamp patterns alone were half of a bootstrap file's scan).
    q_digit = _DIGIT_RE.search(q) is not None
    stamps = q_digit or _RELATIVE_WORD_ANY_RE.search(q) is not None
    digit = q_digit or _DIGIT_RE.search(line) is not None
    for rx in (_STAMP_STRONG_RE, _STAMP_WEAK_RE) if stamps else ():
        for m in rx.finditer(q):
            pre = q[: m.start("label")]
            if _STABLE_BEFORE_STRONG_RE.search(pre):
                continue
            label = m.group("label")
            if label.lower().startswith("stand"):
                if not re.match(r"Stand\b", label):
                    continue  # the German stamp is capitalised; "stand" is an English verb
                sep = q[m.end("label"):m.start("value")]
                if _RELATIVE_WORD_RE.match(m.group("value")) and not re.search("[:：=]", sep):
                    continue  # "Stand heute gilt: ..." is an idiom ("as things stand")
            _add(out, taken, "CV001", ln, base, raw, m.start("label"), m.end("value"), "timestamp")
    for m in _AS_OF_RE.finditer(q) if stamps else ():
        label = m.group("label")
        if label.lower() == "stand" and (
            label != "Stand" or not re.match(r"\s*[:：]", q[m.end("label"):])
        ):
            continue
        if _RELATIVE_WORD_RE.match(m.group("value")) and not _OPEN_PAREN_BEFORE_RE.search(
            q, 0, m.start("label")
        ):
            continue  # "As of now, Dana prefers ..." (idiom); "(as of today)" qualifies a value
        _add(out, taken, "CV001", ln, base, raw, m.start("label"), m.end("value"), "timestamp")
    if q_digit and not _STABLE_LABEL_RE.search(q):
        for m in _DATETIME_RE.finditer(q):
            if _bare_datetime_is_stamp(q, m.start(), m.end()) and not _is_future(m.group(0), today):
                _add(out, taken, "CV001", ln, base, raw, m.start(), m.end(), "date-time")
        for m in _EPOCH_RE.finditer(q):
            before = q[max(0, m.start() - 30): m.start()]
            before = re.split(r"[.;,!?。；，]\s", before)[-1]  # same clause only
            if _EPOCH_CONTEXT_RE.search(before) and not _EPOCH_ID_RE.search(before):
                _add(out, taken, "CV001", ln, base, raw, m.start(), m.end(), "Unix timestamp")
    for m in _TOKENS_RE.finditer(line) if digit else ():
        if _LIMIT_RE.search(line):
            break
        _add(out, taken, "CV002", ln, base, raw, m.start("hit"), m.end("hit"), "token counter")
    for m in _CACHE_RE.finditer(line) if digit else ():
        _add(out, taken, "CV002", ln, base, raw, m.start("hit"), m.end("hit"), "cache statistic")
    for m in _BALANCE_RE.finditer(line) if digit else ():
        if _CHECK_TIME_RE.search(line):
            end = _number_end(line, m.end())
            _add(out, taken, "CV002", ln, base, raw, m.start("hit"), end, "balance with check time")
    for m in _SESSION_RE.finditer(line):
        _add(out, taken, "CV002", ln, base, raw, m.start("hit"), m.end("hit"), "session key/ID")
    for m in _UUID_RE.finditer(line) if digit else ():
        # A lasting ID is labelled right before it ("Calendar ID: ..."); a label word far
        # earlier on the line says nothing about this value.
        if _STABLE_ID_RE.search(line, max(0, m.start() - STABLE_LABEL_REACH), m.start()):
            continue
        before = line[max(0, m.start() - _ID_FIELD_REACH): m.start()]
        field = _ID_FIELD_RE.search(before)
        if field and not _LIVE_LABEL_RE.search(before, 0, field.start()):
            continue
        _add(out, taken, "CV002", ln, base, raw, m.start(), m.end(), "UUID")
    for m in _PID_RE.finditer(line) if digit else ():
        _add(out, taken, "CV002", ln, base, raw, m.start(), m.end(), "process ID")
    for m in _PLACEHOLDER_RE.finditer(line):
        _add(out, taken, "CV004", ln, base, raw, m.start(), m.end(), "loader placeholder")
    out.extend(_rewrite_instruction(ln, base, raw, line, own, names))
    return out


def _number_end(line: str, pos: int) -> int:
    m = re.compile(r"[\d.,]*(?:\s*(?:USD|EUR|BRL|credits?|créditos?))?", re.I).match(line, pos)
    return m.end() if m else pos


_CLAUSE_SPLIT_RE = re.compile(r"(?<=[.!?;。！？；])\s+")


def _rewrite_instruction(ln: int, base: int, raw: str, line: str, own: str | None,
                         names: frozenset[str]) -> list[Finding]:
    out: list[Finding] = []
    # A clause is a stretch of the line between runs of spaces, so a frequency the line as a
    # whole lacks, no clause has (the pattern has no look-behind, only \b).
    if not _FREQ_LINE_RE.search(line):
        return out
    pos = 0
    for clause in _CLAUSE_SPLIT_RE.split(line):
        start = line.find(clause, pos)
        pos = start + len(clause)
        freq = _FREQ_RE.search(clause)
        if not freq:
            continue
        verb = re.search(_VERB, clause, re.I)
        if not verb:
            continue
        target = None
        for t in _TARGET_RE.finditer(clause):
            if _NOT_HERE_RE.search(clause, max(0, t.start() - 24), t.start()):
                continue  # "write notes to the daily log, never to MEMORY.md"
            name = t.group("file")
            if name is not None:
                canon = name.upper()[:-3] + ".md"
                if canon in names:
                    target = canon
                    break
            elif own is not None and own in names:
                target = own
                break
        if target is None:
            continue
        neg = _NEGATION_RE.search(clause)
        if neg and neg.start() < verb.start():
            continue
        s = start + (len(clause) - len(clause.lstrip()))
        out.append(Finding("CV005", ln, base + s, base + start + len(clause.rstrip()),
                           raw[s : start + len(clause.rstrip())], f"routine rewrite of {target}"))
    return out


def _group_dreams(lines: list[tuple[int, int, int]], src: SourceText) -> list[Finding]:
    """One finding per block of dreaming output (marker lines at most 2 apart)."""
    out: list[Finding] = []
    i = 0
    while i < len(lines):
        j = i
        while j + 1 < len(lines) and lines[j + 1][0] - lines[j][0] <= 2:
            j += 1
        first = lines[i]
        text = src.line_text(first[0]).strip()
        out.append(Finding("CV003", first[0], first[1], first[2], text,
                           f"{j - i + 1} line{'s' if j > i else ''} of dreaming output"))
        i = j + 1
    return out


# ---- rules ---------------------------------------------------------------------------------
def _findings(ctx: Context) -> list[tuple[P.FileVerdict, Finding]]:
    def compute() -> list[tuple[P.FileVerdict, Finding]]:
        res = P.simulate(ctx.ws)
        # Files that are (or, once created, would be) injected above the boundary.
        names = frozenset(n for n in res.profile.load_order if n not in res.profile.boundary_files)
        out: list[tuple[P.FileVerdict, Finding]] = []
        for v in P.prefix_files(ctx.ws):
            f = v.source
            if f is None or f.text is None or v.status == "missing":
                continue
            for fd in scan_text(f.text, memory_file=v.name == K.MEMORY, own_name=v.name,
                                prefix_names=names, md=f.markdown, src=f.src):
                out.append((v, fd))
        return out

    return ctx.ws.memo("cv:findings", compute)


def _prefix_chars(ctx: Context) -> int:
    return len(P.simulate(ctx.ws).stable_text)


_WHY = ("it sits in the cached prompt prefix, so each change re-bills the whole "
        "{n:,}-char prefix at the cache-write price")


def _emit(ctx: Context, code: str, make: object) -> Iterator[Diagnostic]:
    n = _prefix_chars(ctx)
    for v, fd in _findings(ctx):
        if fd.code != code:
            continue
        msg = make(v, fd, _WHY.format(n=n))  # type: ignore[operator]
        yield ctx.diag(v.source, msg, start=fd.start, end=fd.end)


@rule("CV001", inputs=P.prefix_inputs)
def volatile_timestamp(ctx: Context) -> Iterator[Diagnostic]:
    yield from _emit(ctx, "CV001", lambda v, fd, why: (
        f"{fd.kind} `{fd.what[:60]}` in {v.rel}: {why}. Drop it (git history keeps the date) or "
        "move it to a daily log (memory/YYYY-MM-DD.md) or the user message"))


@rule("CV002", inputs=P.prefix_inputs)
def volatile_live_value(ctx: Context) -> Iterator[Diagnostic]:
    yield from _emit(ctx, "CV002", lambda v, fd, why: (
        f"{fd.kind} `{fd.what[:60]}` in {v.rel} is a live value that changes between turns: "
        f"{why}. Keep run statistics and IDs out of bootstrap files (`/status` and "
        "`session_status` report them); put lasting facts in a card"))


@rule("CV003", inputs=P.prefix_inputs)
def dreaming_output_in_memory(ctx: Context) -> Iterator[Diagnostic]:
    yield from _emit(ctx, "CV003", lambda v, fd, why: (
        f"{fd.kind} in {v.rel} (`{fd.what[:50]}`): dreaming promotions are rewritten by the "
        f"memory-core plugin, and {why}. Distil what is worth keeping into cards and remove "
        "the raw promotion block"))


@rule("CV004", inputs=P.prefix_inputs)
def loader_placeholder(ctx: Context) -> Iterator[Diagnostic]:
    yield from _emit(ctx, "CV004", lambda v, fd, why: (
        f"placeholder `{fd.what}` in {v.rel}: if a hook or template step expands it, the "
        f"prefix changes every turn ({why}); if nothing does, the model sees the raw "
        "placeholder. Remove it"
        + ("; ask for the time with `session_status` instead"
           if re.search(r"date|time|now|today|clock", fd.what, re.I) else "")))


@rule("CV005", inputs=P.prefix_inputs)
def routine_prefix_rewrite(ctx: Context) -> Iterator[Diagnostic]:
    yield from _emit(ctx, "CV005", lambda v, fd, why: (
        f"instruction makes the agent rewrite a prefix file routinely ({fd.kind}): {why}, on "
        "every one of those turns. Write running notes to memory/YYYY-MM-DD.md or a card "
        "instead, and edit bootstrap files only between sessions"))
