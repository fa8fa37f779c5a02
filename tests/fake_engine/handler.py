"""The HTTP side of the fake engine: read, record, dispatch to the FakeEngine, answer."""

import json
import ssl
import time
from http.server import BaseHTTPRequestHandler
from typing import Any, Dict, NamedTuple, Type
from urllib.parse import parse_qsl, urlencode, urlsplit

from .model import API

SSO_PATHS = ("/ovirt-engine/sso/oauth/token", "/ovirt-engine/services/sso-logout")
IMAGE_PREFIXES = ("/images/", "/proxy/images/")
MAX_BODY = 1 << 20
TRUNCATE_AT = 1000


class Recorded(NamedTuple):
    """One request as the fake engine received it (SSO password masked; at = monotonic)."""

    method: str
    path: str
    query: Dict[str, str]
    body: str
    headers: Dict[str, str]
    at: float


def _recorded(method: str, path: str, query: Dict[str, str], body: str,
              headers: Dict[str, str]) -> Recorded:
    return Recorded(method, path, query, body, headers, time.monotonic())


def make_handler(engine: Any) -> Type[BaseHTTPRequestHandler]:
    """A request handler class bound to one FakeEngine."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "fake-ovirt-engine"
        timeout = 10

        def setup(self) -> None:
            if isinstance(self.request, ssl.SSLSocket):
                self.request.settimeout(self.timeout)
                self.request.do_handshake()
            super().setup()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
            """Quiet: the recorder keeps what tests need."""

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

        def _serve(self, method: str) -> None:
            split = urlsplit(self.path)
            path = split.path
            query = dict(parse_qsl(split.query, keep_blank_values=True))
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._send(413, "text/plain", b"too large")
                return
            body = self.rfile.read(length).decode("utf-8", "replace")
            headers = {name: value for name, value in self.headers.items()}
            if path in SSO_PATHS:
                form = dict(parse_qsl(body, keep_blank_values=True))
                masked = dict(form, password="***") if "password" in form else form
                engine.record(_recorded(method, path, query, urlencode(masked), headers))
                code, data = engine.sso(path, form)
                self._send(code, "application/json", json.dumps(data).encode("utf-8"))
                return
            engine.record(_recorded(method, path, query, body, headers))
            if path.startswith(API):
                if self.headers.get("Authorization") != "Bearer " + engine.token:
                    self._send(401, "application/xml", b"<fault><reason>Unauthorized</reason>"
                               b"<detail>bad token</detail></fault>")
                    return
                code, text = engine.api(method, path, query, body)
                self._send(code, "application/xml", text.encode("utf-8"))
                return
            for prefix in IMAGE_PREFIXES:
                if path.startswith(prefix) and method == "GET":
                    self._image(prefix, path[len(prefix):])
                    return
            self._send(404, "text/plain", b"not found")

        def _image(self, prefix: str, ticket: str) -> None:
            data = engine.image_bytes(ticket)
            if data is None:
                self._send(403, "application/json", b'{"explanation": "no such ticket"}')
                return
            mode = engine.image_mode(prefix)
            if mode == "http_error":
                self._send(500, "text/plain", b"imageio: backend failed")
                return
            start, end = 0, len(data) - 1
            ranged = self.headers.get("Range", "")
            if ranged.startswith("bytes="):
                first, _, last = ranged[6:].partition("-")
                start, end = int(first), min(int(last or end), end)
            chunk = data[start:end + 1]
            self.send_response(206 if ranged else 200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(chunk)))
            if ranged:
                self.send_header("Content-Range", "bytes {}-{}/{}".format(start, end, len(data)))
            self.end_headers()
            if mode == "truncate":
                chunk = chunk[:TRUNCATE_AT]  # the connection drops mid-way
            self.wfile.write(chunk)

        def _send(self, code: int, content_type: str, payload: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler
