"""A small Learning Record Store for tests: a threaded http.server that keeps one statement per
id (as an LRS does) and can be told to fail or stall."""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class LRSServer:
    def __init__(self, *, key: str = "lrs-key", secret: str = "lrs-secret"):
        self.statements: dict[str, dict] = {}
        self.received: list[str] = []  # every id in every accepted POST, repeats included
        self.posts = 0
        self.fail_next = 0  # answer this many POSTs with 503
        self.stall_seconds = 0.0  # store, then wait this long before answering
        self.stall_on_post = 0  # store the n-th POST, then never answer it (until shutdown)
        self.stalling = False
        self.headers: list[dict] = []
        self.reject_ids: set[str] = set()  # statements the LRS finds invalid (400)
        self.puts: list[str] = []  # statementId of every PUT
        self._lock = threading.Lock()
        self._release = threading.Event()
        expected_auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with lrs._lock:
                    lrs.posts += 1
                    lrs.headers.append(dict(self.headers))
                    if self.path.rstrip("/") != "/xapi/statements":
                        return self._answer(404, [])
                    if self.headers.get("Authorization") != expected_auth:
                        return self._answer(401, [])
                    if self.headers.get("X-Experience-API-Version") != "1.0.3":
                        return self._answer(400, [])
                    if lrs.fail_next:
                        lrs.fail_next -= 1
                        return self._answer(503, [])
                    statements = json.loads(body)
                    # As an LRS does: a batch is stored whole or not at all.
                    if any(s["id"] in lrs.reject_ids for s in statements):
                        return self._answer(400, [])
                    if any(lrs.statements.get(s["id"], s) != s for s in statements):
                        return self._answer(409, [])
                    for statement in statements:
                        lrs.statements.setdefault(statement["id"], statement)
                        lrs.received.append(statement["id"])
                    stall = lrs.stall_seconds
                    hang = lrs.stall_on_post and lrs.posts == lrs.stall_on_post
                if hang:
                    lrs.stalling = True
                    lrs._release.wait(120)
                    return
                if stall:
                    time.sleep(stall)
                self._answer(200, [s["id"] for s in statements])

            def do_PUT(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                parts = urlsplit(self.path)
                statement_id = parse_qs(parts.query).get("statementId", [""])[0]
                with lrs._lock:
                    lrs.puts.append(statement_id)
                    lrs.headers.append(dict(self.headers))
                    if parts.path.rstrip("/") != "/xapi/statements":
                        return self._answer(404, [])
                    if self.headers.get("Authorization") != expected_auth:
                        return self._answer(401, [])
                    statement = json.loads(body)
                    if statement_id in lrs.reject_ids or statement.get("id") != statement_id:
                        return self._answer(400, [])
                    if statement_id in lrs.statements:
                        same = lrs.statements[statement_id] == statement
                        return self._answer(204 if same else 409, None)
                    lrs.statements[statement_id] = statement
                    lrs.received.append(statement_id)
                    return self._answer(204, None)

            def _answer(self, status, payload):
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/xapi/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._release.set()
        self.server.shutdown()
        self.server.server_close()
