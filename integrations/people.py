"""Who a tool's person is in Baton, and which team a record belongs to.

People are matched to Baton accounts by email only; a tool that sends only its own id of a
person (PagerDuty, Slack, Zendesk) is asked for the email once through its API, with the
source's read-only token, and the answer is kept. Nobody unknown becomes an account.
"""

import logging

import requests
from django.contrib.auth import get_user_model
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from integrations.models import PersonLink, SourceKind
from teams.models import Team

logger = logging.getLogger(__name__)

API_TIMEOUT = 5.0
DEFAULT_API = {
    SourceKind.PAGERDUTY: "https://api.pagerduty.com",
    SourceKind.SLACK: "https://slack.com/api/",
}


def match(source, person):
    """The active Baton account with the person's email, or None."""
    email = person.email or _looked_up(source, person)
    if not email:
        return None
    return (
        get_user_model()
        .objects.filter(email__iexact=email, is_active=True, integration_source__isnull=True)
        .order_by("id")
        .first()
    )


def look_up(source, event):
    """Ask the tool's API for the emails of the people ``event`` names, before any lock is taken
    (the answers are kept: applying the event then finds them in the database)."""
    persons = [person for _, person in event.roles]
    persons += [entry.person for entry in event.entries if entry.person is not None]
    if event.requested_by is not None:
        persons.append(event.requested_by)
    for person in persons:
        if not person.email:
            _looked_up(source, person)


def name_of(source, person):
    """How a timeline shows a person the tool names only by its id: their Baton name, else the tool's."""
    if person is None:
        return ""
    user = match(source, person)
    if user is not None:
        return user.get_full_name() or user.get_username()
    link = PersonLink.objects.filter(source=source, external_id=person.external_id).first()
    return person.name or (link.name if link else "") or person.external_id


def by_ids(ids):
    return get_user_model().objects.in_bulk(set(ids))


def team_for(source, key):
    """The team the tool's group, service or project maps to (or the team with that slug), else the source's team."""
    if not key:
        return source.team
    mapped = source.team_map.get(str(key)) if isinstance(source.team_map, dict) else None
    slug = mapped if isinstance(mapped, str) else str(key)  # unmapped: the key may be a team's slug itself
    return Team.objects.filter(slug=slug).first() or source.team


def _looked_up(source, person):
    if not person.external_id:
        return ""
    link = PersonLink.objects.filter(source=source, external_id=person.external_id).first()
    if link is not None:
        return link.email
    if not source.api_token:
        return ""
    try:
        email, name = LOOKUPS[source.kind](source, person.external_id)
    except (requests.RequestException, SlackApiError, OSError, KeyError, TypeError, ValueError) as error:
        # Not kept: a later event asks again once the tool answers.
        logger.warning(
            "Could not look up %s person %s: %s", source.get_kind_display(), person.external_id, type(error).__name__
        )
        return ""
    PersonLink.objects.update_or_create(
        source=source, external_id=person.external_id, defaults={"email": email or "", "name": name or person.name}
    )
    return email or ""


def _api(source):
    return (source.api_url or DEFAULT_API.get(source.kind) or source.base_url).rstrip("/")


def _pagerduty(source, person_id):
    """GET /users/{id} (PagerDuty REST API v2): {"user": {"email", "name"}}."""
    response = requests.get(
        f"{_api(source)}/users/{person_id}",
        headers={
            "Authorization": f"Token token={source.api_token}",
            "Accept": "application/vnd.pagerduty+json;version=2",
        },
        timeout=API_TIMEOUT,
    )
    response.raise_for_status()
    user = response.json()["user"]
    return user.get("email"), user.get("name")


def _zendesk(source, person_id):
    """GET /api/v2/users/{id} (Zendesk Support API): {"user": {"email", "name"}}."""
    response = requests.get(
        f"{_api(source)}/api/v2/users/{person_id}",
        headers={"Authorization": f"Bearer {source.api_token}"},
        timeout=API_TIMEOUT,
    )
    response.raise_for_status()
    user = response.json()["user"]
    return user.get("email"), user.get("name")


def _slack(source, person_id):
    """users.info (Slack Web API, scope users:read.email): user.profile.email."""
    client = WebClient(token=source.api_token, base_url=_api(source) + "/", timeout=int(API_TIMEOUT))
    user = client.users_info(user=person_id)["user"]
    return user["profile"].get("email"), user.get("real_name") or user.get("name")


def _no_lookup(source, person_id):
    return "", ""  # Jira sends emailAddress itself where privacy settings allow; Baton's JSON sends emails


LOOKUPS = {
    SourceKind.PAGERDUTY: _pagerduty,
    SourceKind.ZENDESK: _zendesk,
    SourceKind.SLACK: _slack,
    SourceKind.JIRA: _no_lookup,
    SourceKind.GENERIC: _no_lookup,
}


def zendesk_organization(source, organization_id):
    """GET /api/v2/organizations/{id} (Zendesk Support API): the customer's name, or ""."""
    if not organization_id or not source.api_token:
        return ""
    try:
        response = requests.get(
            f"{_api(source)}/api/v2/organizations/{organization_id}",
            headers={"Authorization": f"Bearer {source.api_token}"},
            timeout=API_TIMEOUT,
        )
        response.raise_for_status()
        return str(response.json()["organization"]["name"])
    except (requests.RequestException, KeyError, TypeError, ValueError):
        return ""
