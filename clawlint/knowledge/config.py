"""`openclaw.json` facts as data: discovery, `$include`, env substitution, eras, memory search,
providers and prompt-cache settings.

Sources are openclaw-facts.md sections (§N) and linter-and-api-anchors.md §6 (anchors §6).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

# ---- Discovery (§4, §1.6) ----------------------------------------------------------------
STATE_DIR_ENV = "OPENCLAW_STATE_DIR"  # overrides ~/.openclaw
PROFILE_ENV = "OPENCLAW_PROFILE"  # profile p -> ~/.openclaw-<p>
HOME_ENV = "OPENCLAW_HOME"  # changes the home used for `~`
DEFAULT_STATE_DIRNAME = ".openclaw"
CONFIG_BASENAME = "openclaw.json"
DEFAULT_WORKSPACE_DIRNAME = "workspace"  # ~/.openclaw/workspace when agents.defaults.workspace unset

# ---- $include (§4) -------------------------------------------------------------------------
INCLUDE_KEY = "$include"
MAX_INCLUDE_DEPTH = 10  # "up to 10 nested levels"
MAX_INCLUDE_PATH_CHARS = 4096  # "paths < 4096 chars, no NUL"
MAX_INCLUDE_LOADS = 1000  # clawlint's own bound on distinct (file, include chain) loads
INCLUDE_ROOTS_ENV = "OPENCLAW_INCLUDE_ROOTS"  # `:`/`;` separated extra roots
INCLUDE_ROOTS_SPLIT = re.compile(r"[:;]")

# ---- ${VAR} substitution (§4) --------------------------------------------------------------
ENV_NAME_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
# `$${X}` is an escape for a literal `${X}`; any other `${...}` is a substitution attempt.
ENV_REF_RE = re.compile(r"\$?\$\{([^}]*)\}")
SECRET_REF_SOURCES = frozenset({"env", "file", "exec", "store"})  # SecretRef {source, provider, id}

# ---- Eras (§0, §3.1) -----------------------------------------------------------------------
ROOT_EXEMPT_KEYS = frozenset({"$schema"})  # the only root key outside the schema (§4)
CLASSIC_MEMORY_SEARCH = ("agents", "defaults", "memorySearch")
CURRENT_MEMORY_SEARCH = ("memory", "search")
LEGACY_TOP_MEMORY_SEARCH = ("memorySearch",)  # pre-2026: doctor moves it to agents.defaults
CLASSIC_ROSTER = ("agents", "list")
CURRENT_ROSTER = ("agents", "entries")
CURRENT_ONLY_MARKERS = (("agents", "ownership"), ("modelPolicy",))

# ---- Memory search (§3.2, §3.5) ------------------------------------------------------------
KNOWN_PROVIDERS = frozenset(
    {"bedrock", "deepinfra", "gemini", "github-copilot", "lmstudio", "local", "mistral",
     "ollama", "openai", "openai-compatible", "voyage", "none"}
)
LEGACY_AUTO_PROVIDER = "auto"  # doctor rewrites to "openai" (§0, §3.2)
DEFAULT_PROVIDER = "openai"  # DEFAULT_MEMORY_EMBEDDING_PROVIDER (#111129)
# Providers that need no API key (doctor: ollama key-optional since 2026-04-27, local, none;
# bedrock uses the AWS credential chain) (§3.5, rule 7).
KEYLESS_PROVIDERS = frozenset({"ollama", "local", "none", "bedrock", "lmstudio"})
# Env vars that satisfy each provider's key check (§3.2 "API-key sources per provider").
PROVIDER_KEY_ENV: dict[str, tuple[str, ...]] = {
    "openai": ("OPENAI_API_KEY",),
    "gemini": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    "voyage": ("VOYAGE_API_KEY",),
    "mistral": ("MISTRAL_API_KEY",),
    "deepinfra": ("DEEPINFRA_API_KEY",),
    "github-copilot": ("COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN"),
}
# models.providers.<id> that also hold the key (gemini's key lives under `google`) (§3.2, §3.5).
PROVIDER_KEY_CONFIG: dict[str, tuple[str, ...]] = {
    "openai": ("openai",),
    "gemini": ("google", "gemini"),
    "voyage": ("voyage",),
    "mistral": ("mistral",),
    "deepinfra": ("deepinfra",),
}
MULTIMODAL_MODEL = "gemini-embedding-2-preview"  # the only multimodal embedder (§2.2, §3.2)
SESSIONS_SOURCE = "sessions"
SESSION_MEMORY_HOOK = "session-memory"  # writes memory/YYYY-MM-DD-<slug>.md (§2.1, §2.2)

# Embedding-model families vs chat-model families (§9 rule 12; anchors §6.2).
EMBEDDING_MODEL_RE = re.compile(
    r"(embed|^bge-|/bge-|^e5-|/e5-|^gte-|/gte-|nomic-embed|mxbai-embed|all-minilm|minilm|"
    r"text-embedding-|gemini-embedding|^voyage-|/voyage-|snowflake-arctic-embed|granite-embedding|"
    r"paraphrase-|titan-embed|jina-embeddings|\.gguf$|^hf:)",
    re.I,
)
CHAT_MODEL_RE = re.compile(
    r"^(llama[0-9.]*|llama3|qwen[0-9.]*|qwq|gpt-[0-9]|gpt-4o|o[134](-mini)?$|gemma[0-9]*|mistral(?!-embed)|"
    r"mixtral|phi[0-9]|deepseek|claude|command-r|codellama|granite[0-9]|gemini-[0-9]|"
    r"smollm|tinyllama|vicuna|yi-|falcon|starcoder|olmo)",
    re.I,
)

# Ollama base-URL suffixes that break the native adapter, which appends `/api/embed` after
# stripping a trailing `/v1` (§3.3, rule 9).
OLLAMA_BAD_SUFFIXES: tuple[str, ...] = (
    "/api/embed", "/api/embeddings", "/v1/embeddings", "/api", "/embeddings",
)
OLLAMA_DEFAULT_PORT = 11434  # anchors §6.1
OPENAI_COMPAT_PROVIDERS = frozenset({"openai", "openai-compatible"})

# Retired memory-search keys (§0, §3.1, §3.2; config-migrations.md).
RETIRED_STORE_PATH = ("store", "path")
QMD_KEY = "qmd"

# ---- Prompt cache (§5.1) -------------------------------------------------------------------
CACHE_RETENTION_VALUES = ("none", "short", "long")
LEGACY_CACHE_TTL = {"5m": "short", "1h": "long"}  # cacheControlTtl -> cacheRetention
LONG_CACHE_TTL_MINUTES = 60  # `long` = 1 h ephemeral cache
KEEP_WARM_EVERY = "55m"  # docs: heartbeat just under the 1 h TTL
DEFAULT_HEARTBEAT_EVERY = "30m"  # Classic default `every` (§1.3)
TRUNCATION_WARNING_KEY = "bootstrapPromptTruncationWarning"  # Classic only (§1.5)

# ---- Secrets (§4) --------------------------------------------------------------------------
# Config keys whose string value is a credential (SecretInput fields and their siblings).
SECRET_KEY_RE = re.compile(
    r"^(api[-_]?key|apiKeys?|token|accessToken|refreshToken|botToken|appToken|authToken|"
    r"secret|clientSecret|password|passwd|privateKey|signingSecret|webhookSecret|bearer)$",
    re.I,
)
# Values local servers accept as a dummy key (facts §3.2 example `apiKey: "ollama-local"`).
PLACEHOLDER_KEYS = frozenset(
    {"ollama", "ollama-local", "lm-studio", "lmstudio", "local", "none", "dummy", "test",
     "sk-no-key-required", "no-key", "changeme", "placeholder", "xxx"}
)


def state_dir() -> Path:
    """OpenClaw's state directory (facts §4): OPENCLAW_STATE_DIR, else the home (OPENCLAW_HOME
    or ~) joined with `.openclaw` or `.openclaw-<profile>`."""
    env = os.environ.get(STATE_DIR_ENV)
    if env:
        return Path(os.path.expanduser(env))
    home = Path(os.environ.get(HOME_ENV) or Path.home())
    profile = os.environ.get(PROFILE_ENV)
    name = DEFAULT_STATE_DIRNAME
    if profile and profile != "default":
        name = f"{DEFAULT_STATE_DIRNAME}-{profile}"
    return home / name
