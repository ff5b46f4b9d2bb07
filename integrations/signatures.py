"""Each tool's documented way of signing a webhook, checked before anything is stored.

Every check takes the source's secrets in force (the current one and, during the overlap
after a rotation, the previous one), the request's headers and its raw body, and raises
:class:`Unverified` with a reason that names no secret.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from datetime import UTC, datetime

import standardwebhooks
from django.views.decorators.debug import sensitive_variables
from slack_sdk.signature import SignatureVerifier

from integrations.models import SourceKind

#: How old (or how far ahead) a signed timestamp may be.
TOLERANCE_SECONDS = 5 * 60


class Unverified(Exception):
    """The request is not provably from the source: answered 401, nothing stored."""


@sensitive_variables("secret")
def _hmac(secret, message):
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def _fresh(epoch, now):
    if abs(now - epoch) > TOLERANCE_SECONDS:
        raise Unverified("The signed timestamp is more than five minutes away from now.")


@sensitive_variables("expected", "want")
def _any_matches(candidates, expected):
    """Constant-time comparison, as bytes: a header may hold any characters (compare_digest refuses
    non-ASCII text with an error, which would be a 500)."""
    for want in expected:
        for candidate in candidates:
            if hmac.compare_digest(candidate.encode("utf-8", "replace"), want.encode()):
                return True
    return False


@sensitive_variables("keys", "key", "expected", "verifier")
def zendesk(keys, headers, body, now):
    """base64(HMAC-SHA256(secret, timestamp + body)) in X-Zendesk-Webhook-Signature, with the
    timestamp in X-Zendesk-Webhook-Signature-Timestamp (ISO 8601)."""
    signature = headers.get("X-Zendesk-Webhook-Signature", "")
    stamp = headers.get("X-Zendesk-Webhook-Signature-Timestamp", "")
    if not signature or not stamp:
        raise Unverified("The Zendesk signature headers are missing.")
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        epoch = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
    except ValueError:
        raise Unverified("The Zendesk signature timestamp is not a timestamp.") from None
    _fresh(epoch, now)
    expected = [base64.b64encode(_hmac(key, stamp.encode() + body)).decode() for key in keys]
    if not _any_matches([signature.strip()], expected):
        raise Unverified("The Zendesk signature does not match.")


@sensitive_variables("keys", "key", "expected", "verifier")
def pagerduty(keys, headers, body, now):
    """X-PagerDuty-Signature: v1=<hex HMAC-SHA256 of the body>, several comma-separated while
    PagerDuty rotates its secret. PagerDuty signs no timestamp."""
    header = headers.get("X-PagerDuty-Signature", "")
    given = [part.strip()[3:] for part in header.split(",") if part.strip().startswith("v1=")]
    if not given:
        raise Unverified("The PagerDuty signature header is missing.")
    if not _any_matches(given, [_hmac(key, body).hex() for key in keys]):
        raise Unverified("No PagerDuty signature matches.")


@sensitive_variables("keys", "key", "expected", "verifier")
def jira(keys, headers, body, now):
    """X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body> with the webhook's secret (Jira signs no timestamp)."""
    header = headers.get("X-Hub-Signature", "")
    method, _, given = header.partition("=")
    if method != "sha256" or not given:
        raise Unverified("The Jira signature header is missing.")
    if not _any_matches([given.strip()], [_hmac(key, body).hex() for key in keys]):
        raise Unverified("The Jira signature does not match.")


@sensitive_variables("keys", "key", "expected", "verifier")
def slack(keys, headers, body, now):
    """X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">, the timestamp in
    X-Slack-Request-Timestamp within five minutes (slack_sdk's verifier)."""
    stamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not stamp or not signature:
        raise Unverified("The Slack signature headers are missing.")
    try:
        _fresh(int(stamp), now)
    except ValueError:
        raise Unverified("The Slack request timestamp is not a number.") from None
    for key in keys:
        verifier = SignatureVerifier(key, clock=_Clock(now))
        try:
            if verifier.is_valid(body=body, timestamp=stamp, signature=signature):
                return
        except UnicodeDecodeError:
            raise Unverified("The Slack request body is not UTF-8.") from None
        except TypeError:  # a signature with non-ASCII characters
            raise Unverified("The Slack signature does not match.") from None
    raise Unverified("The Slack signature does not match.")


class _Clock:
    def __init__(self, now):
        self._now = now

    def now(self):
        return self._now


@sensitive_variables("keys", "key", "expected", "verifier")
def generic(keys, headers, body, now):
    """Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature (the standardwebhooks package)."""
    wanted = ("webhook-id", "webhook-timestamp", "webhook-signature")
    given = {name: headers.get(name, "") for name in wanted}
    if not all(given.values()):
        raise Unverified("The Standard Webhooks headers are missing.")
    for key in keys:
        try:
            standardwebhooks.Webhook(key).verify(body, given, json_parse=False)
            return
        except standardwebhooks.webhooks.WebhookVerificationError as error:
            if "too old" in str(error) or "too new" in str(error):
                raise Unverified("The signed timestamp is more than five minutes away from now.") from None
        except (ValueError, UnicodeDecodeError, binascii.Error, standardwebhooks.webhooks.EmptyWebhookSecretError):
            continue
    raise Unverified("No Standard Webhooks signature matches.")


CHECKS = {
    SourceKind.ZENDESK: zendesk,
    SourceKind.PAGERDUTY: pagerduty,
    SourceKind.JIRA: jira,
    SourceKind.SLACK: slack,
    SourceKind.GENERIC: generic,
}


@sensitive_variables("source")
def verify(source, headers, body, now=None):
    CHECKS[source.kind](source.secrets_in_force(), headers, body, time.time() if now is None else now)


def new_secret(kind):
    """A secret Baton makes (Jira and Standard Webhooks); the other tools make their own."""
    if kind == SourceKind.GENERIC:
        return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    return secrets.token_urlsafe(32)


#: The tools that make the signing secret themselves: the facilitator pastes it.
VENDOR_MADE_SECRET = (SourceKind.ZENDESK, SourceKind.PAGERDUTY, SourceKind.SLACK)
