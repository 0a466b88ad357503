"""A small web server on loopback for the web tests: pages and feeds from tests/web_fixtures/,
404s, slow answers, and ETag/Last-Modified conditional GET; it records every request."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "web_fixtures"


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0  # seconds before answering
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    path: str  # with its query
    headers: dict[str, str]


class WebServer:
    """`with WebServer() as web:` serves `web.routes` at `web.base_url` until the block ends."""

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()

    def page(self, path: str, fixture: str, **route) -> str:
        """Serve a fixture file at `path` ({BASE} in it becomes this server's base URL); returns the URL."""
        body = (FIXTURES / fixture).read_text(encoding="utf-8").replace("{BASE}", self.base_url).encode()
        self.routes[path] = Route(body=body, **route)
        return self.base_url + path

    def url(self, path: str) -> str:
        return self.base_url + path

    def hits(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path.split("?")[0] == path]

    def __enter__(self) -> "WebServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                with server._lock:
                    server.requests.append(Request(self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path.split("?")[0])
                if route is None:
                    return self._answer(404, "text/plain", b"not found")
                if route.delay:
                    time.sleep(route.delay)
                unchanged = ((route.etag and self.headers.get("If-None-Match") == route.etag)
                             or (route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified))
                if unchanged:
                    return self._answer(304, None, b"", route)
                self._answer(route.status, route.content_type, route.body, route)

            def _answer(self, status, content_type, body, route=None):
                try:
                    self.send_response(status)
                    if content_type:
                        self.send_header("Content-Type", content_type)
                    if route is not None:
                        if route.etag:
                            self.send_header("ETag", route.etag)
                        if route.last_modified:
                            self.send_header("Last-Modified", route.last_modified)
                        for name, value in route.headers.items():
                            self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout tests)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # serve_forever looks for shutdown() every poll_interval: 0.5 s by default, waited out by every test's end.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
