"""The one JSON-over-HTTP client (stdlib urllib) for the embedding backends and the `--online`
preflight: bounded reads, one failure type, and the error text of Ollama's and OpenAI's error
bodies. Callers turn a failure into their own message."""

from __future__ import annotations

import json
from typing import Any

MAX_BYTES = 64 * 1024 * 1024  # a response larger than this is refused, not read into memory


class HTTPFailure(Exception):
    """`status` None: no HTTP answer (refused, unreachable, timed out)."""

    def __init__(self, status: int | None, detail: str, *, timed_out: bool = False,
                 not_json: bool = False) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.timed_out = timed_out
        self.not_json = not_json


def error_text(body: Any) -> str:
    """Ollama `{"error": "msg"}` or OpenAI `{"error": {"message": ...}}`."""
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, str):
            return err
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return err["message"]
    return ""


def request_json(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None,
                 timeout: float = 30.0, max_bytes: int = MAX_BYTES) -> Any:
    """Send `body` as JSON, return the decoded JSON answer; raises HTTPFailure."""
    import socket
    import urllib.error
    import urllib.request

    data = json.dumps(body).encode("utf-8") if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - http(s) only
            raw = resp.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        try:
            detail = error_text(json.loads(exc.read(65536) or b"{}"))
        except (ValueError, OSError):
            detail = ""
        raise HTTPFailure(exc.code, detail or str(exc.reason)) from None
    except TimeoutError:
        raise HTTPFailure(None, f"no answer within {timeout:g} s", timed_out=True) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise HTTPFailure(None, f"no answer within {timeout:g} s", timed_out=True) from None
        raise HTTPFailure(None, getattr(reason, "strerror", None) or str(reason)) from None
    except (OSError, ValueError) as exc:  # connection reset, a malformed URL, ...
        raise HTTPFailure(None, str(exc)) from None
    if len(raw) > max_bytes:
        raise HTTPFailure(200, f"the response is larger than {max_bytes:,} bytes", not_json=True)
    try:
        return json.loads(raw.decode("utf-8") if raw else "null")
    except (UnicodeDecodeError, ValueError):
        raise HTTPFailure(200, "the response is not JSON", not_json=True) from None
