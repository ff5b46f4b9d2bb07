"""A local server speaking the part of the Jira Cloud REST API v3 that Baton calls, as Atlassian
documents it (https://developer.atlassian.com/cloud/jira/platform/rest/v3/):

- POST /rest/api/3/issue → 201 {"id", "key", "self"}; 400 {"errorMessages": [], "errors": {field: message}}
- POST /rest/api/3/search/jql {"jql", "fields", "maxResults"} → {"issues": [...], "isLast": true}
  (only the ``project = "…" AND labels = "…"`` query Baton sends is understood; ``search_lag``
  hides new issues from it, as Jira's search may lag behind its writes)
- GET /rest/api/3/issue/{key}?fields=status → {"id", "key", "fields": {"status": {"name",
  "statusCategory": {"key"}}}}; 404 {"errorMessages": ["Issue does not exist or you do not have
  permission to see it."], "errors": {}}
- GET /rest/api/3/issue/{key}/transitions → {"transitions": [{"id", "name", "to": {...}}]}
- POST /rest/api/3/issue/{key}/transitions {"transition": {"id"}} → 204
- Basic authentication with an account's email and API token; 401 otherwise.

``down`` closes connections unanswered; ``drop_after_create`` makes the next issue and then
closes the connection (a reply lost after Jira acted, as when a worker dies mid-call).
"""

import base64
import contextlib
import itertools
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

EMAIL, TOKEN = "baton@acme.example", "jira-api-token-for-tests"
STATUSES = {
    "todo": {"name": "To Do", "statusCategory": {"key": "new", "name": "To Do"}},
    "done": {"name": "Done", "statusCategory": {"key": "done", "name": "Done"}},
}
TRANSITIONS = [
    {"id": "11", "name": "To Do", "to": STATUSES["todo"]},
    {"id": "31", "name": "Done", "to": STATUSES["done"]},
]


class JiraAPI:
    def __init__(self, project="OPS"):
        self.project = project
        self.issues = {}  # key → fields
        self.transitions_done = []  # (key, transition id)
        self.down = False
        self.drop_after_create = False
        self.refuse_create = None  # {"field": "message"} to answer 400
        self.search_lag = False  # search does not see new issues yet (Jira documents it may lag)
        self._ids = itertools.count(10001)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def set_status(self, key, status):
        self.issues[key]["status"] = STATUSES[status]

    def _handler(self):
        api = self
        expected = "Basic " + base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def handle_one_request(self):
                if api.down:
                    self.close_connection = True
                    self.rfile.readline()
                    return
                super().handle_one_request()

            def _json(self, status, body=None):
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                if data:
                    self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError):
                    self.wfile.write(data)

            def _body(self):
                length = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(length)) if length else {}

            def _route(self, method):
                if self.headers.get("Authorization") != expected:
                    return self._json(401, {"errorMessages": ["You are not authenticated."], "errors": {}})
                path = urlparse(self.path).path
                body = self._body() if method == "POST" else {}
                if method == "POST" and path == "/rest/api/3/issue":
                    return self._create(body)
                if method == "POST" and path == "/rest/api/3/search/jql":
                    label = re.fullmatch(rf'project = "{api.project}" AND labels = "([^"]+)"', body.get("jql", ""))
                    found = [
                        {"id": fields["id"], "key": key, "fields": {"status": fields["status"]}}
                        for key, fields in api.issues.items()
                        if label and label.group(1) in fields["labels"] and not api.search_lag
                    ]
                    return self._json(200, {"issues": found[: body.get("maxResults", 50)], "isLast": True})
                match = re.fullmatch(r"/rest/api/3/issue/([A-Z]+-\d+)(/transitions)?", path)
                if not match or match.group(1) not in api.issues:
                    missing = "Issue does not exist or you do not have permission to see it."
                    return self._json(404, {"errorMessages": [missing], "errors": {}})
                key, fields = match.group(1), api.issues[match.group(1)]
                if match.group(2) and method == "GET":
                    return self._json(200, {"transitions": TRANSITIONS})
                if match.group(2):
                    chosen = [t for t in TRANSITIONS if t["id"] == (body.get("transition") or {}).get("id")]
                    if not chosen:
                        return self._json(400, {"errorMessages": ["Transition id is not valid."], "errors": {}})
                    fields["status"] = chosen[0]["to"]
                    api.transitions_done.append((key, chosen[0]["id"]))
                    return self._json(204)
                return self._json(200, {"id": fields["id"], "key": key, "fields": {"status": fields["status"]}})

            def _create(self, body):
                fields = body.get("fields") or {}
                if api.refuse_create:
                    return self._json(400, {"errorMessages": [], "errors": api.refuse_create})
                if not fields.get("summary"):
                    return self._json(400, {"errorMessages": [], "errors": {"summary": "You must specify a summary."}})
                if (fields.get("project") or {}).get("key") != api.project:
                    return self._json(400, {"errorMessages": [], "errors": {"project": "valid project is required"}})
                number = next(api._ids)
                key = f"{api.project}-{number - 10000}"
                api.issues[key] = {
                    "id": str(number),
                    "summary": fields["summary"],
                    "labels": fields.get("labels", []),
                    "duedate": fields.get("duedate"),
                    "description": fields.get("description"),
                    "issuetype": fields.get("issuetype"),
                    "status": STATUSES["todo"],
                }
                if api.drop_after_create:
                    api.drop_after_create = False
                    self.close_connection = True
                    return None  # Jira acted; the answer never arrives
                return self._json(201, {"id": str(number), "key": key, "self": f"{api.url}/rest/api/3/issue/{number}"})

            def do_GET(self):
                self._route("GET")

            def do_POST(self):
                self._route("POST")

        return Handler
