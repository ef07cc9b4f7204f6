"""MS011: the embedding endpoint named in openclaw.json must be usable.

Offline it checks that the base URL can be fetched at all; with `--online` it probes the
server (clawlint/online.py): reachable, model pulled, embedding capability, OpenAI-compatible
`/embeddings` answering.
"""

from __future__ import annotations

from collections.abc import Iterator

from clawlint.checks.config_common import at, config_of, fmt
from clawlint.checks.config_memory import effective, ollama_url_paths
from clawlint.diagnostics import Diagnostic
from clawlint.knowledge import config as kc
from clawlint.knowledge.embeddings import OLLAMA_DEFAULT_URL
from clawlint.online import Endpoint, preflight, url_problem
from clawlint.openclaw_config import OpenClawConfig
from clawlint.registry import Context, rule


def endpoints(cfg: OpenClawConfig) -> list[Endpoint]:
    """Distinct embedding endpoints of the default agent and every declared agent."""
    out: list[Endpoint] = []
    seen: set[tuple[str, str, str]] = set()
    for e in effective(cfg):
        if e.ms.get("enabled") is False:
            continue
        model = e.ms.get("model") if isinstance(e.ms.get("model"), str) else ""
        model_path = e.path(cfg, "model")
        if e.kind == "ollama":
            paths = ollama_url_paths(cfg, e)
            url = cfg.get(*paths[0]) if paths else OLLAMA_DEFAULT_URL
            ep = Endpoint("ollama", url if isinstance(url, str) else OLLAMA_DEFAULT_URL, model,
                          None, paths[0] if paths else e.path(cfg, "provider"), model_path)
        elif e.kind in kc.OPENAI_COMPAT_PROVIDERS or e.custom is not None:
            p = e.path(cfg, "remote.baseUrl")
            url = cfg.get(*p) if p is not None else None
            if url is None and e.custom is not None:
                p = ("models", "providers", e.provider or "", "baseUrl")
                url = cfg.get(*p)
            if not isinstance(url, str):
                continue  # hosted default endpoint: nothing local to probe
            remote = e.ms.get("remote")
            key = remote.get("apiKey") if isinstance(remote, dict) else None
            if not isinstance(key, str) and e.custom is not None:
                key = e.custom.get("apiKey")
            ep = Endpoint("openai", url, model, key if isinstance(key, str) else None, p,
                          model_path)
        else:
            continue
        if "${" in ep.base_url or (ep.api_key and "${" in ep.api_key):
            continue  # unresolved variables are CFG002's business
        k = (ep.api, ep.base_url, ep.model)
        if k not in seen:
            seen.add(k)
            out.append(ep)
    return out


# An OpenAI-compatible server's API root (LM Studio's default; llama.cpp and vLLM differ only
# in the port).
OPENAI_COMPATIBLE_EXAMPLE = "http://127.0.0.1:1234/v1"


# Cacheable offline: the probes only run with `online`, and then the answer is the server's.
@rule("MS011", cache=lambda ctx: not ctx.settings.online)
def embedding_endpoint(ctx: Context) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None or not cfg.ok:
        return
    for ep in endpoints(cfg):
        anchor = ep.url_path or ()
        bad = url_problem(ep.base_url)
        if bad is not None:
            example = OLLAMA_DEFAULT_URL if ep.api == "ollama" else OPENAI_COMPATIBLE_EXAMPLE
            yield at(ctx, cfg, anchor, (
                f"`{fmt(anchor)}` {bad}; OpenClaw cannot reach the embedding server and "
                "memory_search returns `disabled: true`. Write the full URL, e.g. "
                f"\"{example}\""), value=True)
            continue
        if not ctx.settings.online:
            continue
        for prob in preflight(ep, allow_remote=ctx.settings.allow_remote):
            path = ep.model_path if (prob.at_model and ep.model_path) else anchor
            yield at(ctx, cfg, path, prob.message, value=True,
                     level=prob.level if prob.level != "error" else None)
