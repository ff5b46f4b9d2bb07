"""A local server speaking the part of the Slack Web API that Baton calls, as Slack documents it.

- users.lookupByEmail (https://docs.slack.dev/reference/methods/users.lookupByEmail): GET with
  ``email``; ``{"ok": true, "user": {"id": …}}``, or ``{"ok": false, "error": "users_not_found"}``.
- chat.postMessage (https://docs.slack.dev/reference/methods/chat.postMessage): POST with ``channel``
  (a channel, or a user id for the app's direct message with that person), ``text`` and ``blocks``;
  ``{"ok": true, "channel": …, "ts": …, "message": {…}}``, ``channel_not_found`` for an unknown channel.
- Authentication (https://docs.slack.dev/authentication/tokens): ``Authorization: Bearer xoxb-…``;
  ``{"ok": false, "error": "invalid_auth"}`` otherwise.
- Rate limits (https://docs.slack.dev/apis/web-api/rate-limits): HTTP 429 with a ``Retry-After``
  header in seconds and ``{"ok": false, "error": "ratelimited"}``.

``rate_limit`` answers the next N calls with 429; ``down`` closes every connection unanswered.
"""

import contextlib
import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

TOKEN = "xoxb-0000000000-test-bot-token"


class SlackAPI:
    def __init__(self, members=None, channels=("C0REVIEWS", "C0KUDOS")):
        self.members = dict(members or {})  # email → Slack user id
        self.channels = set(channels)
        self.posts = []  # (channel, text, blocks) of every message accepted
        self.calls = []  # (method, status) of every call answered
        self.rate_limit = 0
        self.retry_after = 1
        self.down = False
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def dms_to(self, member):
        return [post for post in self.posts if post[0] == member]

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, method, status, body, headers=()):
                api.calls.append((method, status))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError):
                    self.wfile.write(data)

            def _fields(self):
                url = urlparse(self.path)
                fields = {k: v[0] for k, v in parse_qs(url.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if raw and self.headers.get("Content-Type", "").startswith("application/json"):
                    fields |= json.loads(raw)
                elif raw:
                    fields |= {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                return url.path.rsplit("/", 1)[-1], fields

            def handle_one_request(self):
                if api.down:
                    self.close_connection = True
                    self.rfile.readline()
                    return  # the connection closes with no answer
                super().handle_one_request()

            def do_GET(self):
                method, fields = self._fields()
                with api._lock:
                    if api.rate_limit > 0:
                        api.rate_limit -= 1
                        return self._answer(
                            method, 429, {"ok": False, "error": "ratelimited"}, [("Retry-After", str(api.retry_after))]
                        )
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._answer(method, 200, {"ok": False, "error": "invalid_auth"})
                if method == "users.lookupByEmail":
                    member = api.members.get(fields.get("email", "").lower())
                    if member is None:
                        return self._answer(method, 200, {"ok": False, "error": "users_not_found"})
                    user = {"id": member, "profile": {"email": fields["email"]}, "is_bot": False}
                    return self._answer(method, 200, {"ok": True, "user": user})
                if method == "chat.postMessage":
                    channel = fields.get("channel", "")
                    if channel not in api.channels and channel not in api.members.values():
                        return self._answer(method, 200, {"ok": False, "error": "channel_not_found"})
                    blocks = fields.get("blocks")
                    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
                    ts = f"1700000000.{next(api._ts):06d}"
                    api.posts.append((channel, fields.get("text", ""), blocks))
                    message = {"type": "message", "text": fields.get("text", ""), "ts": ts, "blocks": blocks}
                    return self._answer(method, 200, {"ok": True, "channel": channel, "ts": ts, "message": message})
                return self._answer(method, 200, {"ok": False, "error": "unknown_method"})

            do_POST = do_GET

        return Handler
