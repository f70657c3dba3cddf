"""A real HTTP receiver on loopback, in a thread, that verifies Passeport's signature
with the snippet of docs/interop.md itself (not with Passeport's own code)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path as FsPath


def _snippet_from_docs():
    """The verification snippet of docs/interop.md, run as a receiver would copy it."""
    text = (FsPath(__file__).parents[2] / "docs" / "interop.md").read_text(encoding="utf-8")
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, "docs/interop.md", "exec"), namespace)  # noqa: S102 - our own docs
    return namespace["verify_passeport_signature"]


verify_passeport_signature = _snippet_from_docs()


class Receiver:
    def __init__(self):
        self.secret = ""
        self.statuses: list[int] = []  # answers to give, in order; then 200
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                valid = verify_passeport_signature(
                    receiver.secret, self.headers.get("Passeport-Signature", ""), body)
                receiver.received.append({"headers": dict(self.headers), "body": body,
                                          "json": json.loads(body), "valid": valid})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                if not valid:
                    status = 401
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/passeport"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
