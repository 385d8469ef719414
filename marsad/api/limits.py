"""Request-size and request-rate limits, as plain ASGI middleware.

Both run before FastAPI parses anything, so an oversized body or a flood of requests costs the
server a few bytes of bookkeeping and never reaches the JSON parser, the pipeline or the store.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def send_problem(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    """A JSON ``{"detail": ...}`` answer, the shape FastAPI uses for its own errors."""
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    """Refuse request bodies above ``max_bytes`` with 413, whether announced or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        too_big = f"request body larger than {self.max_bytes} bytes"
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await send_problem(send, 400, "invalid Content-Length")
                return
            if size > self.max_bytes:
                await send_problem(send, 413, too_big)
                return
        # Read at most max_bytes before the app sees anything: a chunked upload without a
        # Content-Length cannot slip past the limit.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await send_problem(send, 413, too_big)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class SlidingWindow:
    """At most ``limit`` hits per ``window_s`` seconds for each key; thread-safe."""

    def __init__(self, limit: int, window_s: float = 60.0, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> float:
        """Record a hit; 0 when allowed, else the seconds until the next one would be."""
        now = time.monotonic() if now is None else now
        horizon = now - self.window_s
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= self.max_keys:
                    self._prune(horizon)
                hits = self._hits[key] = deque()
            while hits and hits[0] <= horizon:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(hits[0] - horizon, 0.001)
            hits.append(now)
            return 0.0

    def _prune(self, horizon: float) -> None:
        # Keys whose last hit left the window hold no information; a flood of distinct
        # clients therefore cannot grow the table without bound.
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= horizon]:
            del self._hits[key]


class RateLimit:
    """Per-client limits, one budget for reads and a smaller one for writes; 429 above them."""

    def __init__(self, app: ASGIApp, reads: SlidingWindow, writes: SlidingWindow) -> None:
        self.app = app
        self.reads = reads
        self.writes = writes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = client[0] if client else "unknown"
        window = self.writes if scope["method"] in WRITE_METHODS else self.reads
        wait = window.hit(key)
        if wait:
            await send_problem(send, 429, "too many requests", {"Retry-After": str(int(wait) + 1)})
            return
        await self.app(scope, receive, send)
