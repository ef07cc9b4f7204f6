"""Retrieval checks' machinery: embedding backends (Ollama, OpenAI-compatible, lexical),
exact blocked cosine, an on-disk embedding cache, and a memory_search emulation."""

from clawlint.retrieval.run import Retrieval, get_retrieval

__all__ = ["Retrieval", "get_retrieval"]
