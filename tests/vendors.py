"""The tools' side of the integrations tests: documented payloads from tests/fixtures/integrations
(each file cites the vendor page it follows), signed exactly as each vendor signs, and a local
server that answers the vendor API calls Baton makes to look people up.

Signatures are computed here from the vendors' documentation, independently of Baton's code:
- Zendesk: https://developer.zendesk.com/documentation/webhooks/verifying/
- PagerDuty: https://developer.pagerduty.com/docs/verifying-webhook-signatures
- Jira: https://developer.atlassian.com/cloud/jira/platform/webhooks/ (X-Hub-Signature)
- Slack: https://docs.slack.dev/authentication/verifying-requests-from-slack
- Standard Webhooks: https://www.standardwebhooks.com/ (the spec's own signing scheme)
"""

import base64
import contextlib
import hashlib
import hmac
import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from tests.factories import UserFactory

FIXTURES = Path(__file__).parent / "fixtures" / "integrations"


def fixture(name):
    """The documented payload (or form) of ``name``, e.g. "zendesk/01_ticket_created"."""
    data = json.loads((FIXTURES / f"{name}.json").read_text())
    return data.get("payload", data.get("form"))


def story(kind):
    return sorted(p.stem for p in (FIXTURES / kind).glob("0*.json"))


def _hmac(secret, message):
    return hmac.new(secret.encode(), message, hashlib.sha256)


def zendesk(secret, body, at=None):
    stamp = (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    signature = base64.b64encode(_hmac(secret, stamp.encode() + body).digest()).decode()
    return {
        "X-Zendesk-Webhook-Signature": signature,
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        "X-Zendesk-Webhook-Id": "01HZENDESKWEBHOOK",
        "Content-Type": "application/json",
    }


def pagerduty(secrets, body):
    """PagerDuty sends one v1 signature per secret in force, comma-separated."""
    secrets = [secrets] if isinstance(secrets, str) else secrets
    return {
        "X-PagerDuty-Signature": ",".join(f"v1={_hmac(s, body).hexdigest()}" for s in secrets),
        "Content-Type": "application/json",
    }


def jira(secret, body, delivery_id=None):
    headers = {"X-Hub-Signature": f"sha256={_hmac(secret, body).hexdigest()}", "Content-Type": "application/json"}
    if delivery_id:
        headers["X-Atlassian-Webhook-Identifier"] = delivery_id
    return headers


def slack(secret, body, content_type="application/json", at=None):
    stamp = str(int(at if at is not None else time.time()))
    signature = "v0=" + _hmac(secret, b"v0:" + stamp.encode() + b":" + body).hexdigest()
    return {"X-Slack-Signature": signature, "X-Slack-Request-Timestamp": stamp, "Content-Type": content_type}


def standard(secret, body, msg_id, at=None):
    stamp = str(int(at if at is not None else time.time()))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + base64.b64encode(signed).decode(),
        "Content-Type": "application/json",
    }


def encode(payload):
    return json.dumps(payload).encode()


def form(fields):
    return urlencode(fields).encode()


# The vendors' APIs Baton calls -------------------------------------------------


class Directory:
    """People and organisations as the tools' APIs return them, and the calls received."""

    def __init__(self, token):
        self.token = token
        self.people = {}  # tool's person id → (name, email)
        self.organizations = {}  # Zendesk organization id → name
        self.calls = []
        self.hold_path = None  # a request for this path waits for ``release`` (a worker stuck mid-apply)
        self.held = threading.Event()
        self.release = threading.Event()


def _handler(directory):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _json(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError):  # the caller went away (a worker killed while it waited)
                self.wfile.write(data)

        def do_GET(self):
            url = urlparse(self.path)
            auth = self.headers.get("Authorization", "")
            directory.calls.append((url.path, auth))
            if directory.hold_path == url.path:
                directory.held.set()
                directory.release.wait(120)
            parts = url.path.strip("/").split("/")
            # PagerDuty REST API v2: GET /users/{id}, "Authorization: Token token=…"
            # https://developer.pagerduty.com/api-reference/2395ca1feb25e-get-a-user
            if parts[:1] == ["users"] and len(parts) == 2:
                if auth != f"Token token={directory.token}":
                    return self._json(401, {"error": {"message": "Unauthorized", "code": 2006}})
                return self._person(parts[1], lambda n, e, i: {"user": {"id": i, "name": n, "email": e}})
            # Zendesk Support API: GET /api/v2/users/{id} and /api/v2/organizations/{id}, OAuth bearer
            # https://developer.zendesk.com/api-reference/ticketing/users/users/#show-user
            if parts[:2] == ["api", "v2"] and len(parts) == 4:
                if auth != f"Bearer {directory.token}":
                    return self._json(401, {"error": "Couldn't authenticate you"})
                if parts[2] == "users":
                    return self._person(parts[3], lambda n, e, i: {"user": {"id": int(i), "name": n, "email": e}})
                if parts[2] == "organizations" and parts[3] in directory.organizations:
                    return self._json(
                        200, {"organization": {"id": int(parts[3]), "name": directory.organizations[parts[3]]}}
                    )
                return self._json(404, {"error": "RecordNotFound"})
            # Slack Web API: users.info (https://docs.slack.dev/reference/methods/users.info)
            if url.path.endswith("/users.info"):
                if auth != f"Bearer {directory.token}":
                    return self._json(200, {"ok": False, "error": "invalid_auth"})
                length = int(self.headers.get("Content-Length") or 0)
                fields = parse_qs(url.query) | parse_qs(self.rfile.read(length).decode() if length else "")
                user_id = fields.get("user", [""])[0]
                if user_id not in directory.people:
                    return self._json(200, {"ok": False, "error": "user_not_found"})
                name, email = directory.people[user_id]
                user = {"id": user_id, "name": name.split()[0].lower(), "real_name": name, "profile": {"email": email}}
                return self._json(200, {"ok": True, "user": user})
            return self._json(404, {"error": "not found"})

        do_POST = do_GET

        def _person(self, person_id, shape):
            if person_id not in directory.people:
                return self._json(404, {"error": "not found"})
            name, email = directory.people[person_id]
            return self._json(200, shape(name, email, person_id))

    return Handler


class VendorAPI:
    """A local HTTP server answering the people lookups of PagerDuty, Zendesk and Slack."""

    def __init__(self, token="test-api-token"):
        self.directory = Directory(token)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.directory))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


# Fixtures (tests/conftest.py loads this module as a plugin) ----------------------------


@pytest.fixture
def responders(db):
    """The responders of the fixtures' story, as Baton accounts (matched by email)."""
    return {
        "priya": UserFactory(username="priya", first_name="Priya", last_name="Raman", email="priya.raman@acme.example"),
        "sam": UserFactory(username="sam", first_name="Sam", last_name="Okafor", email="sam.okafor@acme.example"),
        "mei": UserFactory(username="mei", first_name="Mei", last_name="Chen", email="mei.chen@acme.example"),
        "diego": UserFactory(username="diego", first_name="Diego", last_name="Alvarez", email="diego@acme.example"),
        "marcus": UserFactory(
            username="marcus", first_name="Marcus", last_name="Chen", email="marcus.chen@acme-support.example"
        ),
    }


@pytest.fixture
def vendor_api():
    """The tools' APIs, answering for the same people under the tools' own ids."""
    with VendorAPI() as api:
        api.directory.people.update(
            {
                "39811200017": ("Priya Raman", "priya.raman@acme.example"),  # Zendesk agents
                "39811200029": ("Sam Okafor", "sam.okafor@acme.example"),
                "PQ7R2MA": ("Priya Raman", "priya.raman@acme.example"),  # PagerDuty users
                "PMC4H3N": ("Mei Chen", "mei.chen@acme.example"),
                "PDG0A7L": ("Diego Alvarez", "diego@acme.example"),
                "U0123ABCD": ("Diego Alvarez", "diego@acme.example"),  # Slack members
                "U05PRY7QX": ("Priya Raman", "priya.raman@acme.example"),
            }
        )
        api.directory.organizations["36012459871"] = "Northwind Traders"
        yield api
