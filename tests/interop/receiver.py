"""A real HTTP receiver on loopback, in a thread, that verifies Passeport's signature
exactly as docs/interop.md tells a receiver to (not with Passeport's own code)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify_passeport_signature(secret: str, header: str, body: bytes, max_age: int = 300) -> bool:
    """The snippet of docs/interop.md, copied as a receiver would."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > max_age:  # replay: too old (or from the future)
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("v1", ""))


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
