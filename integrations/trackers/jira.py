"""Jira Cloud (REST API v3, plain HTTP with an API token) as the tracker for action items.

- Create an issue: POST /rest/api/3/issue
  https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post
- Find the issue made for an action item by its label: POST /rest/api/3/search/jql
  https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-post
- Read its status: GET /rest/api/3/issue/{key}?fields=status
- Move it to done: GET and POST /rest/api/3/issue/{key}/transitions (the transition whose target
  status is in the "done" category)
- Webhooks (jira:issue_updated), signed ``X-Hub-Signature: sha256=…`` with the webhook's secret
  https://developer.atlassian.com/cloud/jira/platform/webhooks/
"""

import json

import requests
from django.conf import settings
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from urllib3.exceptions import NewConnectionError

from integrations import signatures
from integrations.trackers.base import Issue, TrackerError, TrackerUnsure, marker

NAME = "Jira"


def configured():
    return bool(settings.JIRA_URL and settings.JIRA_EMAIL and settings.JIRA_API_TOKEN and settings.JIRA_PROJECT)


@sensitive_variables("auth")
def _call(method, path, **kwargs):
    auth = (settings.JIRA_EMAIL, settings.JIRA_API_TOKEN)
    try:
        response = requests.request(
            method,
            settings.JIRA_URL.rstrip("/") + path,
            auth=auth,
            headers={"Accept": "application/json"},
            timeout=settings.JIRA_TIMEOUT,
            **kwargs,
        )
    except requests.ConnectTimeout:
        raise TrackerError("Jira could not be reached (no connection).") from None
    except (requests.ConnectionError, requests.Timeout) as error:
        if _never_connected(error):
            raise TrackerError("Jira could not be reached (no connection).") from None
        # The request may have reached Jira and acted there: the caller must not assume it did not.
        raise TrackerUnsure(f"Jira's answer was lost ({type(error).__name__}): it may have acted.") from None
    except requests.RequestException as error:
        raise TrackerError(f"Jira could not be reached ({type(error).__name__}).") from None
    if response.status_code >= 400:
        raise TrackerError(f"Jira answered {response.status_code}: {_errors(response)}")
    try:
        answer = response.json() if response.content else {}
    except ValueError:
        raise TrackerError(f"Jira answered {response.status_code} with something that is not JSON.") from None
    return answer if isinstance(answer, dict) else {}


def _never_connected(error):
    """Whether the request never left Baton (refused, or the name did not resolve)."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, NewConnectionError)


def _errors(response):
    """Jira's error body: {"errorMessages": [...], "errors": {field: message}}."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    messages = [str(m) for m in body.get("errorMessages", []) if m]
    messages += [f"{field}: {message}" for field, message in (body.get("errors") or {}).items()]
    return "; ".join(messages)[:300] or response.reason


def _issue(key, done=False):
    return Issue(key=key, url=f"{settings.JIRA_URL.rstrip('/')}/browse/{key}", done=done)


def _done(fields):
    status = fields.get("status") if isinstance(fields, dict) else None
    category = status.get("statusCategory") if isinstance(status, dict) else None
    return isinstance(category, dict) and category.get("key") == "done"


def find(item):
    found = _call(
        "POST",
        "/rest/api/3/search/jql",
        json={
            "jql": f'project = "{settings.JIRA_PROJECT}" AND labels = "{marker(item)}"',
            "fields": ["status"],
            "maxResults": 1,
        },
    )
    issues = [issue for issue in found.get("issues") or [] if isinstance(issue, dict) and issue.get("key")]
    return _issue(str(issues[0]["key"]), _done(issues[0].get("fields"))) if issues else None


def _paragraph(text):
    return {"type": "paragraph", "content": [{"type": "text", "text": text}]} if text else {"type": "paragraph"}


def create(item):
    review = item.review
    link = settings.SITE_URL + review.get_absolute_url() + "#actions"
    description = {
        "type": "doc",
        "version": 1,
        "content": [
            _paragraph(f"From the blameless review of “{review.incident.title}” in Baton: {link}"),
            _paragraph(f"Finding: {item.finding.text}" if item.finding_id else ""),
            _paragraph(f"Owner in Baton: {item.owner.get_full_name() or item.owner.get_username()}"),
        ],
    }
    fields = {
        "project": {"key": settings.JIRA_PROJECT},
        "issuetype": {"name": settings.JIRA_ISSUE_TYPE},
        "summary": item.title[:255],
        "description": description,
        "labels": ["baton", marker(item)],
        "duedate": item.due_on.isoformat(),
    }
    made = _call("POST", "/rest/api/3/issue", json={"fields": fields})
    if not isinstance(made.get("key"), str):
        raise TrackerError("Jira made the issue but did not say its key.")
    return _issue(made["key"])


def is_done(key):
    return _done(_call("GET", f"/rest/api/3/issue/{key}", params={"fields": "status"}).get("fields"))


def close(key):
    transitions = _call("GET", f"/rest/api/3/issue/{key}/transitions").get("transitions") or []
    done = [t for t in transitions if ((t.get("to") or {}).get("statusCategory") or {}).get("key") == "done"]
    if not done:
        raise TrackerError(f"No transition of {key} leads to a done status.")
    _call("POST", f"/rest/api/3/issue/{key}/transitions", json={"transition": {"id": done[0]["id"]}})


@sensitive_variables("secret")
def webhook(headers, body):
    """The issue key and whether it is done, from a verified ``jira:issue_updated`` webhook."""
    secret = settings.JIRA_WEBHOOK_SECRET
    if not secret:
        raise signatures.Unverified("No Jira webhook secret is configured.")
    signatures.jira([secret], headers, body, timezone.now())
    payload = json.loads(body)
    issue = payload.get("issue") if isinstance(payload, dict) else None
    if not isinstance(issue, dict) or not isinstance(issue.get("key"), str):
        return None, False
    return issue["key"], _done(issue.get("fields"))
