"""One retrieval session per lint run: resolve the backend once, embed with the cache, and
remember the first failure so DUP003 can report it while DUP001/DUP002 fall back to lexical."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

from clawlint.knowledge import embeddings as K
from clawlint.retrieval.backends import EmbedError, HttpBackend, make_backend
from clawlint.retrieval.cache import EmbeddingCache, cache_root, namespace
from clawlint.retrieval.endpoint import Plan, resolve_plan

if TYPE_CHECKING:
    import numpy as np

    from clawlint.workspace import Workspace

FAILURE_CODE = "DUP003"
LEXICAL_LABEL = "lexical"


class Progress:
    """A one-line progress bar on stderr, shown only on a TTY once work takes over ~1 s."""

    def __init__(self, total: int, what: str, stream: Any = None, delay: float = 1.0) -> None:
        self.total, self.what = total, what
        self.stream = stream if stream is not None else sys.stderr
        self.start = time.monotonic()
        self.delay = delay
        self.shown = False
        try:
            self.enabled = bool(self.stream.isatty())
        except (AttributeError, ValueError):
            self.enabled = False

    def update(self, done: int) -> None:
        if not self.enabled or time.monotonic() - self.start < self.delay:
            return
        width = 30
        filled = int(width * done / max(1, self.total))
        self.stream.write(f"\rclawlint: embedding {self.what} [{'#' * filled}{'.' * (width - filled)}]"
                          f" {done}/{self.total}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


class Retrieval:
    def __init__(self, ws: Workspace, options: dict[str, Any]) -> None:
        self.ws = ws
        self.options = options
        self.plan: Plan = resolve_plan(ws)
        self.failure: EmbedError | None = None
        self.backend: HttpBackend | None = None
        self._ready = False
        self.embedded = 0  # texts sent to the server in this run
        self.cache_hits = 0
        self._caches: dict[str, tuple[EmbeddingCache, set[str]]] = {}
        if self.plan.network:
            if self.plan.refusal:
                self.failure = EmbedError("remote-refused", self.plan.refusal,
                                          "or set the model/URL to a local Ollama")
            else:
                self.backend = make_backend(self.plan, options)

    @property
    def network(self) -> bool:
        """True while a network backend is usable (no failure so far)."""
        return self.backend is not None and self.failure is None

    @property
    def model(self) -> str:
        return self.plan.model

    @property
    def profile(self) -> K.ModelProfile:
        return K.profile_for(self.plan.model)

    def label(self) -> str:
        """Which backend ran, for messages."""
        if self.network and self.backend is not None:
            return f"{self.backend.kind} {self.plan.model}"
        if self.failure is not None:
            return f"{LEXICAL_LABEL} fallback; {self.plan.kind} failed, see {FAILURE_CODE}"
        return LEXICAL_LABEL

    def _fail(self, err: EmbedError) -> None:
        if self.failure is None:
            self.failure = err

    def embed(self, texts: list[str], template: str, what: str = "texts") -> np.ndarray | None:
        """Unit-length vectors for `template` applied to each text, or None after a failure
        (the caller falls back to the lexical backend)."""
        import hashlib

        import numpy as np

        if not self.network or self.backend is None:
            return None
        b = self.backend
        if not self._ready:
            try:
                b.preflight()
            except EmbedError as err:
                self._fail(err)
                return None
            self._ready = True
        sent = [template.replace("{text}", t) for t in texts]
        ns = namespace(b.kind, self.plan.model, b.info.digest, self.plan.dimensions or "native",
                       template, self.plan.base_url)
        if ns not in self._caches:  # one cache object per namespace and run
            self._caches[ns] = (EmbeddingCache(cache_root(self.ws), ns), set())
        cache, used = self._caches[ns]
        hits_before = cache.hits
        keys = [hashlib.sha256(s.encode("utf-8")).hexdigest() for s in sent]
        out: list[np.ndarray | None] = [cache.get(k, b.info.dims) for k in keys]
        todo = [i for i, v in enumerate(out) if v is None]
        # The same text twice is embedded once.
        first: dict[str, int] = {}
        for i in todo:
            first.setdefault(keys[i], i)
        uniq = list(first.values())
        progress = Progress(len(uniq), what)
        try:
            for start in range(0, len(uniq), b.batch_size):
                batch = uniq[start:start + b.batch_size]
                vecs = b.embed([sent[i] for i in batch])
                for i, v in zip(batch, vecs, strict=True):
                    arr = np.asarray(v, dtype=np.float32)
                    out[i] = arr
                    cache.put(keys[i], arr)
                self.embedded += len(batch)
                progress.update(start + len(batch))
        except EmbedError as err:
            self._fail(err)
            return None
        finally:
            progress.close()
            used.update(keys)
            cache.save(used)  # entries used by any call of this run are kept
        self.cache_hits += cache.hits - hits_before
        for i in todo:
            if out[i] is None:
                out[i] = out[first[keys[i]]]
        dims = {v.shape[0] for v in out if v is not None}
        if len(dims) > 1:
            self._fail(EmbedError(
                "dimension-mismatch",
                f"cached and fresh vectors for {self.plan.model!r} differ in length ({sorted(dims)})",
                "delete clawlint's cache directory and re-run",
            ))
            return None
        if not out:
            return np.zeros((0, b.info.dims or 1), dtype=np.float32)
        from clawlint.retrieval.similarity import normalize_rows

        return normalize_rows(np.stack(out))  # type: ignore[arg-type]


def options_for_run(ws: Workspace) -> dict[str, Any]:
    """DUP003's options (timeout, batch_size, keep_alive) configure the shared session."""
    try:
        from clawlint.ruledocs import load_all

        defaults = dict(load_all()[FAILURE_CODE].options)
    except Exception:
        defaults = {}
    return ws.settings.options_for(FAILURE_CODE, defaults)


def get_retrieval(ws: Workspace) -> Retrieval:
    return ws.memo("retrieval.session", lambda: Retrieval(ws, options_for_run(ws)))
