"""Embedding models, Ollama's API and OpenClaw's memory-search defaults, as data.

Sources: linter-and-api-anchors.md §6 (Ollama HTTP API, model library) and §7 (near-duplicate
thresholds); openclaw-facts.md §2.3 (chunking), §2.6 (search pipeline), §3.2/§3.3 (config).
"""

from __future__ import annotations

from dataclasses import dataclass

# ---- Ollama -----------------------------------------------------------------------------
# envconfig/config.go Host(): default bind/client address (anchors §6.1).
OLLAMA_DEFAULT_SCHEME = "http"
OLLAMA_DEFAULT_HOST = "127.0.0.1"
OLLAMA_DEFAULT_PORT = 11434
OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434"  # also OpenClaw's OLLAMA_DEFAULT_BASE_URL (facts §3.3)
OLLAMA_HOST_ENV = "OLLAMA_HOST"
# Endpoints (anchors §6.1).
OLLAMA_EMBED_PATH = "/api/embed"  # batched `input`, L2-normalised output
OLLAMA_TAGS_PATH = "/api/tags"  # local models with digests
OLLAMA_SHOW_PATH = "/api/show"  # capabilities, model_info.<arch>.embedding_length
OPENAI_EMBED_PATH = "/embeddings"  # appended to an OpenAI-compatible base URL ending in /v1
OLLAMA_EMBED_CAPABILITY = "embedding"  # types/model/capability.go CapabilityEmbedding
OLLAMA_KEEP_ALIVE = "5m"  # EmbedRequest.keep_alive default
# OpenClaw's Ollama adapter strips a trailing /v1 from the base URL (resolveOllamaApiBase, facts §3.3).
OPENCLAW_OLLAMA_STRIP_SUFFIX = "/v1"
# OpenClaw's default Ollama embedding model (DEFAULT_OLLAMA_EMBEDDING_MODEL, facts §3.2/§3.3).
OPENCLAW_DEFAULT_OLLAMA_MODEL = "nomic-embed-text"
# memorySearch.provider values that mean "Ollama native API" / "OpenAI-compatible API" (facts §3.2).
OLLAMA_PROVIDERS = frozenset({"ollama"})
OPENAI_PROVIDERS = frozenset({"openai", "openai-compatible", "lmstudio"})
# models.providers.<id>.api values that route a custom provider id to Ollama (facts §3.2).
OLLAMA_API_KINDS = frozenset({"ollama"})

# ---- OpenClaw memory search (facts §2.3, §2.6, §3.2) ------------------------------------
CHUNK_TOKENS = 400  # chunking.tokens default
CHUNK_OVERLAP = 80  # chunking.overlap default
CHARS_PER_TOKEN = 4  # chunkMarkdown: maxChars = max(32, tokens*4)
MIN_CHUNK_CHARS = 32
QUERY_MAX_RESULTS = 6  # query.maxResults
QUERY_MIN_SCORE = 0.35  # query.minScore
HYBRID_VECTOR_WEIGHT = 0.7  # query.hybrid.vectorWeight
HYBRID_TEXT_WEIGHT = 0.3  # query.hybrid.textWeight
HYBRID_CANDIDATE_MULTIPLIER = 4  # query.hybrid.candidateMultiplier (runtime clamp 1..20)
CANDIDATE_MULTIPLIER_RANGE = (1, 20)
# Keyword side: FTS5 query of all tokens joined with AND; text score 1/(1+max(0, bm25Rank)).
# FTS5 bm25() ranks are <= 0 for matches, so every keyword match scores 1.0 (facts §2.6).
FTS_TOKEN_PATTERN = r"[^\W_]+|_+"  # unicode61-like: letters/digits, case-folded


# ---- Models (anchors §6.2, facts §3.3) --------------------------------------------------
@dataclass(frozen=True)
class ModelProfile:
    family: str  # name prefix it matches (after stripping the tag and a namespace)
    dims: int | None  # native vector length
    context_tokens: int | None
    # Text put before BOTH sides of a near-duplicate comparison ("{text}" is replaced).
    dedup_template: str = "{text}"
    # What OpenClaw puts around a memory_search query / an indexed chunk for this model.
    query_template: str = "{text}"
    document_template: str = "{text}"


MODEL_PROFILES: tuple[ModelProfile, ...] = (
    # nomic-embed-text v1.5: 768 dims, 2K context in Ollama; task prefixes are required and
    # `clustering:` is the documented choice for dedup (anchors §6.2). OpenClaw applies
    # `search_query: ` to queries (facts §3.3); indexed chunks go in unprefixed.
    ModelProfile("nomic-embed-text", 768, 2048, "clustering: {text}", "search_query: {text}"),
    # qwen3-embedding: instruction-aware; queries take `Instruct: {task}\nQuery: {q}`, documents
    # none (anchors §6.2). For symmetric similarity the same instruction goes on both sides.
    ModelProfile(
        "qwen3-embedding", 1024, 32768,
        "Instruct: Retrieve text that states the same facts as the given text\nQuery: {text}",
        "Instruct: Given a search query, retrieve relevant passages that answer the query\n"
        "Query: {text}",
    ),
    # embeddinggemma: `task: clustering | query: …` for clustering, `task: search result |
    # query: …` for queries, `title: none | text: …` for documents (anchors §6.2).
    ModelProfile(
        "embeddinggemma", 768, 2048, "task: clustering | query: {text}",
        "task: search result | query: {text}", "title: none | text: {text}",
    ),
    # mxbai-embed-large: 1024 dims, 512 tokens; OpenClaw applies its query instruction (facts §3.3).
    ModelProfile(
        "mxbai-embed-large", 1024, 512, "{text}",
        "Represent this sentence for searching relevant passages: {text}",
    ),
    ModelProfile("all-minilm", 384, 512),  # no prefixes; 384 dims (anchors §6.2)
    ModelProfile("bge-m3", 1024, 8192),
    ModelProfile("bge-large", 1024, 512),
)
GENERIC_PROFILE = ModelProfile("", None, None)

# Near-duplicate defaults for embeddings (anchors §7.1: >= 0.95 "near-duplicate", 0.90-0.95 "similar").
EMBED_ERROR_THRESHOLD = 0.95
EMBED_WARNING_THRESHOLD = 0.90
# clawlint's lexical backend (TF-IDF cosine over word unigrams + bigrams, sublinear tf, smooth
# idf). Calibrated on tests/test_duplicates.py's corpus: lightly edited copies score >= 0.80,
# related cards sharing topic words and tags stay below 0.55 (anchors §7.2 suggests 0.8-0.9).
LEXICAL_ERROR_THRESHOLD = 0.90
LEXICAL_WARNING_THRESHOLD = 0.80


def base_model_name(model: str) -> str:
    """`library/nomic-embed-text:latest` -> `nomic-embed-text`; `hf.co/x/y:q8` -> `y`."""
    name = model.strip().lower()
    name = name.rsplit("/", 1)[-1]
    return name.split(":", 1)[0]


def normalize_model_tag(model: str) -> str:
    """Ollama's rule: a name without a tag means `:latest` (anchors §6.1)."""
    name = model.strip()
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last else f"{name}:latest"


def profile_for(model: str | None) -> ModelProfile:
    if not model:
        return GENERIC_PROFILE
    base = base_model_name(model)
    for p in MODEL_PROFILES:
        if base.startswith(p.family):
            return p
    return GENERIC_PROFILE
