"""Who may do what, for every page and API route: roles × actions.

The matrix is generated from the URL configuration: every named page and
every API route with each of its methods must have a row in EXPECTED, so a
new view without a decision about who may use it fails this suite. Each row
gives the status for anonymous, staff, participant, facilitator, governance
owner and admin. State-changing requests are sent with an empty body: a role
that may act gets its form or field errors (200/400, or 302 back to the review
page, which shows them), one that may not gets 403, or 404 where the object is
hidden from it (no existence leak).
"""

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import Notification
from insights import services as insights
from integrations import services as integrations
from integrations.models import Subscription
from playbook import services as playbook
from recognition import services as recognition
from reviews import services as reviews
from reviews.models import OwnershipRole
from teams.models import Membership
from tests.factories import TeamFactory, UserFactory, make_review

ROLES = ("anonymous", "staff", "participant", "facilitator", "governance", "admin")
SIX = dict.fromkeys(range(1, 7), (4, "seen in the log"))


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django's admin has its own permission system (staff flag, model permissions)
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            if "format" in entry.pattern.regex.groupindex:
                continue  # format-suffix variants are the same views
            yield f"{namespace}{entry.name}", entry


def routes():
    """(name, method) for every page and API route of the site."""
    found = set()
    for name, pattern in _walk(get_resolver().url_patterns):
        actions = getattr(pattern.callback, "actions", None)
        if actions:  # a DRF viewset route: its methods are known
            found.update((name, method.upper()) for method in actions if method != "head")  # HEAD is GET
        else:  # pages and plain API views: both reading and posting are decided
            found.update({(name, "GET"), (name, "POST")})
    return found


@pytest.fixture
def world(db, staff, facilitator, governance, admin):
    """One of everything, in the states that matter for permissions."""
    participant = UserFactory(username="pat", first_name="Pat", last_name="Participant")
    team = TeamFactory(slug="payments-team", name="Payments")
    Membership.objects.create(team=team, user=facilitator)
    draft = make_review(facilitator, title="Hidden draft")
    reviews.participant_invite(facilitator, draft, invitee=participant)
    incident = draft.incident
    assignment = reviews.role_assign(
        facilitator,
        incident,
        role=OwnershipRole.INVESTIGATION_LEAD,
        person=facilitator,
        started_at=incident.escalated_at,
    )
    entry = reviews.timeline_entry_add(facilitator, incident, at=incident.escalated_at, what="Paged")
    finding = reviews.finding_add(facilitator, draft, text="The page went to a queue.")
    item = reviews.action_item_add(
        facilitator, draft, title="Route pages", owner=facilitator, due_on=timezone.localdate() + timezone.timedelta(9)
    )
    published = make_review(facilitator, title="Published one")
    reviews.review_update(facilitator, published, version=published.version, narrative="What happened.")
    reviews.participant_invite(facilitator, published, invitee=participant)
    reviews.review_start(facilitator, published)
    reviews.scores_save(participant, published, scores=SIX, submit=True)
    reviews.review_publish(facilitator, published)
    first = playbook.revision_create(
        governance,
        content={"pattern": "Payment outage", "target_first_update_minutes": 30},
        rationale="First",
        new_slug="payments",
        new_owner=staff,
        submit=True,
    )
    v1 = playbook.revision_approve(admin, first, attest_regulatory=True, attest_blameless=True)
    second = playbook.revision_create(
        governance,
        section=v1.section,
        content=v1.content() | {"target_first_update_minutes": 20},
        rationale="Faster",
        submit=True,
    )
    playbook.revision_approve(admin, second, attest_regulatory=True, attest_blameless=True)
    proposal = playbook.revision_create(
        staff,
        section=v1.section,
        content=v1.section.current.content() | {"target_first_update_minutes": 15},
        rationale="Faster still",
        submit=True,
    )
    playbook.cycle_reconcile()
    task = v1.section.tasks.get()
    given = recognition.recognition_give(
        facilitator, team=None, person=staff, category="clear_ownership", message="Led it."
    )
    link = insights.share_link_create(facilitator, customer="Acme Corp", year=2026, quarter=4)
    source, _ = integrations.source_create(facilitator, kind="jira", name="Jira")
    delivery, _ = integrations.delivery_receive(source, headers={}, body=b"{}", content_type="application/json")
    subscription = Subscription.objects.create(
        name="BI", url="https://bi.example.com/hooks", events=["review.*"], secret="whsec_x", owner=admin
    )
    return {
        "users": {
            "staff": staff,
            "participant": participant,
            "facilitator": facilitator,
            "governance": governance,
            "admin": admin,
        },
        "draft": draft,
        "published": published,
        "incident": incident,
        "assignment": assignment,
        "entry": entry,
        "finding": finding,
        "item": item,
        "section": v1.section,
        "proposal": proposal,
        "task": task,
        "cycle": task.cycle,
        "recognition": given,
        "link": link,
        "team": team,
        "source": source,
        "delivery": delivery,
        "notification": Notification.objects.filter(recipient=participant).first(),
        "subscription": subscription,
    }


def kwargs_for(name, w):
    """Concrete URL arguments for a route."""
    d = w["draft"]
    return {
        "reviews:detail": {"pk": d.pk},
        "reviews:edit": {"pk": d.pk},
        "reviews:amend": {"pk": w["published"].pk},
        "reviews:assign-role": {"pk": d.pk},
        "reviews:add-entry": {"pk": d.pk},
        "reviews:invite": {"pk": d.pk},
        "reviews:scores": {"pk": d.pk},
        "reviews:add-finding": {"pk": d.pk},
        "reviews:add-action": {"pk": d.pk},
        "reviews:action-state": {"pk": d.pk, "item_pk": w["item"].pk},
        "reviews:action-correct": {"pk": d.pk, "item_pk": w["item"].pk},
        "reviews:dismiss": {"pk": d.pk},
        "reviews:transition": {"pk": d.pk, "action": "start"},
        "reviews:role-correct": {"pk": d.pk, "assignment_pk": w["assignment"].pk},
        "reviews:role-end": {"pk": d.pk, "assignment_pk": w["assignment"].pk},
        "reviews:role-remove": {"pk": d.pk, "assignment_pk": w["assignment"].pk},
        "reviews:entry-correct": {"pk": d.pk, "entry_pk": w["entry"].pk},
        "reviews:entry-remove": {"pk": d.pk, "entry_pk": w["entry"].pk},
        "reviews:finding-correct": {"pk": d.pk, "finding_pk": w["finding"].pk},
        "reviews:finding-remove": {"pk": d.pk, "finding_pk": w["finding"].pk},
        "reviews:participant-remove": {"pk": d.pk, "participant_pk": d.participants.get().pk},
        "reviews:publish-confirm": {"pk": d.pk},
        "reviews:mute": {"pk": d.pk},
        "inbox-follow": {"notification_id": w["notification"].pk},
        "notification-detail": {"pk": w["notification"].pk},
        "notification-read": {"pk": w["notification"].pk},
        "role-assignment-end": {"pk": w["assignment"].pk},
        "playbook:revision": {"pk": w["proposal"].pk},
        "playbook:revision-edit": {"pk": w["proposal"].pk},
        "playbook:rebase": {"pk": w["proposal"].pk},
        "playbook:revision-action": {"pk": w["proposal"].pk, "action": "approve"},
        "playbook:task": {"pk": w["task"].pk},
        "playbook:task-action": {"pk": w["task"].pk, "action": "reassign"},
        "playbook:section": {"slug": "payments"},
        "playbook:version": {"slug": "payments", "number": 1},
        "playbook:restore": {"slug": "payments", "number": 1},
        "playbook:compare": {"slug": "payments"},
        "playbook:propose": {"slug": "payments"},
        "recognition:second": {"pk": w["recognition"].pk},
        "recognition:hide": {"pk": w["recognition"].pk},
        "shared-snapshot": {"token": w["link"].token},
        "integrations:source": {"pk": w["source"].pk},
        "integrations:source-rotate": {"pk": w["source"].pk},
        "integrations:delivery": {"pk": w["delivery"].pk},
        "integrations:delivery-retry": {"pk": w["delivery"].pk},
        "integrations:webhook": {"pk": w["subscription"].pk},
        "integrations:send-to-tracker": {"item_pk": w["item"].pk},
        "integrations:tracker-webhook": {"name": "jira"},
        "integrations:webhook-remove": {"pk": w["subscription"].pk},
        "integrations:link": {"review_pk": d.pk},
        "integrations:receive": {"token": w["source"].token},
        "integration-source-detail": {"pk": w["source"].pk},
        "integration-delivery-detail": {"pk": w["delivery"].pk},
        "integration-delivery-retry": {"pk": w["delivery"].pk},
        "teams:detail": {"slug": w["team"].slug},
        "team-detail": {"slug": w["team"].slug},
        "review-detail": {"pk": d.pk},
        "incident-detail": {"pk": w["incident"].pk},
        "role-assignment-detail": {"pk": w["assignment"].pk},
        "timeline-entry-detail": {"pk": w["entry"].pk},
        "finding-detail": {"pk": w["finding"].pk},
        "action-item-detail": {"pk": w["item"].pk},
        "action-item-state": {"pk": w["item"].pk},
        "recognition-detail": {"pk": w["recognition"].pk},
        "recognition-hide": {"pk": w["recognition"].pk},
        "recognition-second": {"pk": w["recognition"].pk},
        "playbook-section-detail": {"slug": "payments"},
        "playbook-section-version": {"slug": "payments", "number": 1},
        "playbook-revision-detail": {"pk": w["proposal"].pk},
        "playbook-cycle-detail": {"pk": w["cycle"].pk},
        "playbook-task-detail": {"pk": w["task"].pk},
        "playbook-task-complete": {"pk": w["task"].pk},
        "playbook-task-reassign": {"pk": w["task"].pk},
        "playbook-task-extend": {"pk": w["task"].pk},
        "playbook-task-remind": {"pk": w["task"].pk},
    }.get(name) or (
        {}
        if name.endswith(("-list", "-root"))
        else {"pk": d.pk}
        if name.startswith("review-")
        else {"pk": w["proposal"].pk}
        if name.startswith("playbook-revision-")
        else {}
    )


def request(role, w, name, method):
    client = APIClient()
    if role != "anonymous":
        client.force_login(w["users"][role])
    url = reverse(name, kwargs=kwargs_for(name, w))
    with transaction.atomic():  # every cell starts from the same world
        response = getattr(client, method.lower())(url, {}, format="json") if method != "GET" else client.get(url)
        transaction.set_rollback(True)
    return response.status_code


# Columns: anonymous, staff, participant (of the draft), facilitator, governance owner, admin.
# The objects: a draft review only its participant, facilitators and admins see; a revision
# proposed by staff; a quarterly task assigned to staff; a recognition given by the facilitator.
EXPECTED = {
    ("action-item-detail", "GET"): "401 404 200 200 404 200",
    ("action-item-detail", "PATCH"): "401 404 403 400 404 400",
    ("action-item-list", "GET"): "401 200 200 200 200 200",
    ("action-item-list", "POST"): "401 403 403 400 403 400",
    ("action-item-state", "POST"): "401 404 403 400 404 400",
    ("api-docs", "GET"): "302 200 200 200 200 200",
    ("api-docs", "POST"): "405 405 405 405 405 405",
    ("api-insights", "GET"): "401 200 200 200 200 200",
    ("api-insights", "POST"): "401 405 405 405 405 405",
    ("api-language-check", "GET"): "401 405 405 405 405 405",
    ("api-language-check", "POST"): "401 400 400 400 400 400",
    ("api-root", "GET"): "401 200 200 200 200 200",
    ("api-root", "POST"): "401 405 405 405 405 405",
    ("api-schema", "GET"): "401 200 200 200 200 200",
    ("api-schema", "POST"): "401 405 405 405 405 405",
    ("audit", "GET"): "302 403 403 403 200 200",
    ("audit", "POST"): "302 405 405 405 405 405",
    ("figures-csv", "GET"): "302 200 200 200 200 200",
    ("figures-csv", "POST"): "302 405 405 405 405 405",
    ("finding-detail", "GET"): "401 404 200 200 404 200",
    ("finding-detail", "PATCH"): "401 404 403 400 404 400",
    ("finding-detail", "DELETE"): "401 404 403 204 404 204",
    ("finding-list", "GET"): "401 200 200 200 200 200",
    ("finding-list", "POST"): "401 403 403 400 403 400",
    ("health", "GET"): "503 503 503 503 503 503",
    ("health", "POST"): "405 405 405 405 405 405",
    ("home", "GET"): "302 200 200 200 200 200",
    ("home", "POST"): "302 405 405 405 405 405",
    ("incident-detail", "GET"): "401 404 200 200 404 200",
    ("incident-detail", "PATCH"): "401 404 403 400 404 400",
    ("incident-list", "GET"): "401 200 200 200 200 200",
    ("incidents-csv", "GET"): "302 200 200 200 200 200",
    ("incidents-csv", "POST"): "302 405 405 405 405 405",
    ("insights", "GET"): "302 200 200 200 200 200",
    ("insights", "POST"): "302 405 405 405 405 405",
    ("login", "GET"): "200 302 302 302 302 302",
    ("login", "POST"): "200 302 302 302 302 302",
    ("logout", "GET"): "302 405 405 405 405 405",
    ("logout", "POST"): "302 302 302 302 302 302",
    ("playbook-cycle-detail", "GET"): "401 200 200 200 200 200",
    ("playbook-cycle-list", "GET"): "401 200 200 200 200 200",
    ("playbook-revision-approve", "POST"): "401 403 403 403 400 400",
    ("playbook-revision-detail", "GET"): "401 200 200 200 200 200",
    ("playbook-revision-detail", "PATCH"): "401 400 403 403 403 403",
    ("playbook-revision-list", "GET"): "401 200 200 200 200 200",
    ("playbook-revision-list", "POST"): "401 400 400 400 400 400",
    ("playbook-revision-rebase", "POST"): "401 400 403 403 403 403",
    ("playbook-revision-reject", "POST"): "401 403 403 403 400 400",
    ("playbook-revision-submit", "POST"): "401 400 403 403 403 403",
    ("playbook-revision-withdraw", "POST"): "401 200 403 403 403 403",
    ("playbook-section-detail", "GET"): "401 200 200 200 200 200",
    ("playbook-section-list", "GET"): "401 200 200 200 200 200",
    ("playbook-section-version", "GET"): "401 200 200 200 200 200",
    ("playbook-task-complete", "POST"): "401 400 403 403 400 400",
    ("playbook-task-detail", "GET"): "401 200 200 200 200 200",
    ("playbook-task-extend", "POST"): "401 403 403 403 400 400",
    ("playbook-task-reassign", "POST"): "401 403 403 403 400 400",
    ("playbook-task-remind", "POST"): "401 403 403 403 200 200",
    ("playbook-task-list", "GET"): "401 200 200 200 200 200",
    ("playbook:compare", "GET"): "302 200 200 200 200 200",
    ("playbook:compare", "POST"): "302 405 405 405 405 405",
    ("playbook:cycle", "GET"): "302 403 403 403 200 200",
    ("playbook:cycle", "POST"): "302 405 405 405 405 405",
    ("playbook:index", "GET"): "302 200 200 200 200 200",
    ("playbook:index", "POST"): "302 405 405 405 405 405",
    ("playbook:propose", "GET"): "302 200 200 200 200 200",
    ("playbook:propose", "POST"): "302 200 200 200 200 200",
    ("playbook:propose-new", "GET"): "302 200 200 200 200 200",
    ("playbook:propose-new", "POST"): "302 200 200 200 200 200",
    ("playbook:rebase", "GET"): "302 302 403 403 403 403",
    ("playbook:rebase", "POST"): "302 400 403 403 403 403",
    ("playbook:restore", "GET"): "302 405 405 405 405 405",
    ("playbook:restore", "POST"): "302 302 302 302 302 302",
    ("playbook:revision", "GET"): "302 200 200 200 200 200",
    ("playbook:revision", "POST"): "302 405 405 405 405 405",
    ("playbook:revision-action", "GET"): "302 405 405 405 405 405",
    ("playbook:revision-action", "POST"): "302 403 403 403 400 400",
    ("playbook:revision-edit", "GET"): "302 200 403 403 403 403",
    ("playbook:revision-edit", "POST"): "302 200 403 403 403 403",
    ("playbook:revisions", "GET"): "302 200 200 200 200 200",
    ("playbook:revisions", "POST"): "302 405 405 405 405 405",
    ("playbook:section", "GET"): "302 200 200 200 200 200",
    ("playbook:section", "POST"): "302 405 405 405 405 405",
    ("playbook:task", "GET"): "302 200 403 403 200 200",
    ("playbook:task", "POST"): "302 400 403 403 400 400",
    ("playbook:task-action", "GET"): "302 405 405 405 405 405",
    ("playbook:task-action", "POST"): "302 403 403 403 400 400",
    ("playbook:version", "GET"): "302 200 200 200 200 200",
    ("playbook:version", "POST"): "302 405 405 405 405 405",
    ("recognition-detail", "GET"): "401 200 200 200 200 200",
    ("recognition-hide", "POST"): "401 403 403 403 400 400",
    ("recognition-list", "GET"): "401 200 200 200 200 200",
    ("recognition-list", "POST"): "401 400 400 400 400 400",
    ("recognition-second", "POST"): "401 201 201 400 201 201",
    ("integration-delivery-detail", "GET"): "401 403 403 200 403 200",
    ("integration-delivery-list", "GET"): "401 403 403 200 403 200",
    ("integration-delivery-retry", "POST"): "401 403 403 400 403 400",
    ("integration-source-detail", "GET"): "401 403 403 200 403 200",
    ("integration-source-list", "GET"): "401 403 403 200 403 200",
    ("integrations:delivery", "GET"): "302 403 403 200 403 200",
    ("integrations:delivery", "POST"): "302 405 405 405 405 405",
    ("integrations:delivery-retry", "GET"): "302 405 405 405 405 405",
    ("integrations:delivery-retry", "POST"): "302 403 403 302 403 302",
    ("integrations:index", "GET"): "302 403 403 200 403 200",
    ("integrations:index", "POST"): "302 405 405 405 405 405",
    ("integrations:link", "GET"): "302 405 405 405 405 405",
    ("integrations:link", "POST"): "302 404 403 302 404 302",
    ("integrations:receive", "GET"): "405 405 405 405 405 405",
    ("integrations:receive", "POST"): "401 401 401 401 401 401",
    ("integrations:source", "GET"): "302 403 403 200 403 200",
    ("integrations:source", "POST"): "302 403 403 400 403 400",
    ("integrations:source-create", "GET"): "302 403 403 200 403 200",
    ("integrations:source-create", "POST"): "302 403 403 400 403 400",
    ("integrations:source-rotate", "GET"): "302 405 405 405 405 405",
    ("integrations:source-rotate", "POST"): "302 403 403 302 403 302",
    ("recognition:give", "GET"): "302 405 405 405 405 405",
    ("recognition:give", "POST"): "302 400 400 400 400 400",
    ("recognition:hide", "GET"): "302 405 405 405 405 405",
    ("recognition:hide", "POST"): "302 403 403 403 302 302",
    ("recognition:index", "GET"): "302 200 200 200 200 200",
    ("recognition:index", "POST"): "302 405 405 405 405 405",
    ("recognition:second", "GET"): "302 405 405 405 405 405",
    ("recognition:second", "POST"): "302 302 302 302 302 302",
    ("review-amend", "POST"): "401 404 403 400 404 400",
    ("review-archive", "POST"): "401 404 403 400 404 400",
    ("review-restore", "POST"): "401 404 403 400 404 400",
    ("review-consolidate", "POST"): "401 404 403 400 404 400",
    ("review-detail", "GET"): "401 404 200 200 404 200",
    ("review-detail", "PATCH"): "401 404 403 400 404 400",
    ("review-dismiss", "POST"): "401 404 403 400 404 400",
    ("review-invite", "POST"): "401 404 403 400 404 400",
    ("review-remove-participant", "POST"): "401 404 403 400 404 400",
    ("review-list", "GET"): "401 200 200 200 200 200",
    ("review-list", "POST"): "401 403 403 400 403 400",
    ("review-publish", "POST"): "401 404 403 400 404 400",
    ("review-return-to-draft", "POST"): "401 404 403 400 404 400",
    ("review-scores", "GET"): "401 404 200 404 404 404",
    ("review-scores", "POST"): "401 404 400 403 404 403",
    ("review-start", "POST"): "401 404 403 200 404 200",
    ("people", "GET"): "302 200 200 200 200 200",
    ("people", "POST"): "302 405 405 405 405 405",
    ("reviews:action-correct", "GET"): "302 404 403 200 404 200",
    ("reviews:action-correct", "POST"): "302 404 403 400 404 400",
    ("reviews:action-state", "GET"): "302 405 405 405 405 405",
    ("reviews:action-state", "POST"): "302 404 403 302 404 302",
    ("reviews:add-action", "GET"): "302 405 405 405 405 405",
    ("reviews:add-action", "POST"): "302 404 403 302 404 302",
    ("reviews:add-entry", "GET"): "302 405 405 405 405 405",
    ("reviews:add-entry", "POST"): "302 404 403 302 404 302",
    ("reviews:add-finding", "GET"): "302 405 405 405 405 405",
    ("reviews:add-finding", "POST"): "302 404 403 302 404 302",
    ("reviews:amend", "GET"): "302 403 403 200 403 200",
    ("reviews:amend", "POST"): "302 403 403 200 403 200",
    ("reviews:assign-role", "GET"): "302 405 405 405 405 405",
    ("reviews:assign-role", "POST"): "302 404 403 302 404 302",
    ("reviews:create", "GET"): "302 403 403 200 403 200",
    ("reviews:create", "POST"): "302 403 403 200 403 200",
    ("reviews:detail", "GET"): "302 404 200 200 404 200",
    ("reviews:detail", "POST"): "302 405 405 405 405 405",
    ("reviews:dismiss", "GET"): "302 405 405 405 405 405",
    ("reviews:dismiss", "POST"): "302 404 403 302 404 302",
    ("reviews:edit", "GET"): "302 404 403 200 404 200",
    ("reviews:edit", "POST"): "302 404 403 200 404 200",
    ("reviews:index", "GET"): "302 200 200 200 200 200",
    ("reviews:index", "POST"): "302 405 405 405 405 405",
    ("reviews:invite", "GET"): "302 405 405 405 405 405",
    ("reviews:invite", "POST"): "302 404 403 302 404 302",
    ("reviews:scores", "GET"): "302 405 405 405 405 405",
    ("reviews:scores", "POST"): "302 404 302 403 404 403",
    ("reviews:mute", "GET"): "302 405 405 405 405 405",
    ("reviews:mute", "POST"): "302 404 302 302 404 302",
    ("notification-list", "GET"): "401 200 200 200 200 200",
    ("notification-detail", "GET"): "401 404 200 404 404 404",
    ("notification-read", "POST"): "401 404 200 404 404 404",
    ("notification-read-all", "POST"): "401 200 200 200 200 200",
    ("integrations:webhooks", "GET"): "302 403 403 403 403 200",
    ("integrations:webhooks", "POST"): "302 405 405 405 405 405",
    ("integrations:webhook-create", "GET"): "302 403 403 403 403 200",
    ("integrations:webhook-create", "POST"): "302 403 403 403 403 400",
    ("integrations:webhook", "GET"): "302 403 403 403 403 200",
    ("integrations:webhook", "POST"): "302 403 403 403 403 400",
    ("integrations:webhook-remove", "GET"): "302 405 405 405 405 405",
    ("integrations:webhook-remove", "POST"): "302 403 403 403 403 302",
    ("integrations:send-to-tracker", "GET"): "302 405 405 405 405 405",
    ("integrations:send-to-tracker", "POST"): "302 404 403 302 404 302",
    ("integrations:tracker-webhook", "GET"): "405 405 405 405 405 405",
    ("integrations:tracker-webhook", "POST"): "404 404 404 404 404 404",
    ("inbox", "GET"): "302 200 200 200 200 200",
    ("inbox", "POST"): "302 405 405 405 405 405",
    ("inbox-unread", "GET"): "302 200 200 200 200 200",
    ("inbox-unread", "POST"): "302 405 405 405 405 405",
    ("inbox-read", "GET"): "302 405 405 405 405 405",
    ("inbox-read", "POST"): "302 302 302 302 302 302",
    ("inbox-follow", "GET"): "302 404 302 404 404 404",
    ("inbox-follow", "POST"): "302 405 405 405 405 405",
    ("notification-settings", "GET"): "302 200 200 200 200 200",
    ("notification-settings", "POST"): "302 302 302 302 302 302",
    ("reviews:transition", "GET"): "302 405 405 405 405 405",
    ("reviews:transition", "POST"): "302 404 403 302 404 302",
    ("reviews:entry-correct", "GET"): "302 404 403 200 404 200",
    ("reviews:entry-correct", "POST"): "302 404 403 400 404 400",
    ("reviews:entry-remove", "GET"): "302 405 405 405 405 405",
    ("reviews:entry-remove", "POST"): "302 404 403 302 404 302",
    ("reviews:finding-correct", "GET"): "302 404 403 200 404 200",
    ("reviews:finding-correct", "POST"): "302 404 403 400 404 400",
    ("reviews:finding-remove", "GET"): "302 405 405 405 405 405",
    ("reviews:finding-remove", "POST"): "302 404 403 302 404 302",
    ("reviews:participant-remove", "GET"): "302 405 405 405 405 405",
    ("reviews:participant-remove", "POST"): "302 404 403 302 404 302",
    ("reviews:publish-confirm", "GET"): "302 404 403 302 404 302",
    ("reviews:publish-confirm", "POST"): "302 405 405 405 405 405",
    ("reviews:role-correct", "GET"): "302 404 403 200 404 200",
    ("reviews:role-correct", "POST"): "302 404 403 400 404 400",
    ("reviews:role-end", "GET"): "302 405 405 405 405 405",
    ("reviews:role-end", "POST"): "302 404 403 400 404 400",
    ("reviews:role-remove", "GET"): "302 405 405 405 405 405",
    ("reviews:role-remove", "POST"): "302 404 403 302 404 302",
    ("role-assignment-detail", "DELETE"): "401 404 403 204 404 204",
    ("role-assignment-detail", "GET"): "401 404 200 200 404 200",
    ("role-assignment-detail", "PATCH"): "401 404 403 200 404 200",
    ("role-assignment-end", "POST"): "401 404 403 400 404 400",
    ("role-assignment-list", "GET"): "401 200 200 200 200 200",
    ("role-assignment-list", "POST"): "401 403 403 400 403 400",
    ("shared-snapshot", "GET"): "200 200 200 200 200 200",
    ("shared-snapshot", "POST"): "405 405 405 405 405 405",
    ("snapshot", "GET"): "302 200 200 200 200 200",
    ("snapshot", "POST"): "302 405 405 405 405 405",
    ("snapshot-customer", "GET"): "302 200 200 200 200 200",
    ("snapshot-customer", "POST"): "302 403 403 302 302 302",
    ("snapshot-pdf", "GET"): "302 200 200 200 200 200",
    ("snapshot-pdf", "POST"): "302 405 405 405 405 405",
    ("team-detail", "GET"): "401 200 200 200 200 200",
    ("team-list", "GET"): "401 200 200 200 200 200",
    ("teams:detail", "GET"): "302 200 200 200 200 200",
    ("teams:detail", "POST"): "302 405 405 405 405 405",
    ("teams:list", "GET"): "302 200 200 200 200 200",
    ("teams:list", "POST"): "302 405 405 405 405 405",
    ("timeline-entry-detail", "DELETE"): "401 404 403 204 404 204",
    ("timeline-entry-detail", "GET"): "401 404 200 200 404 200",
    ("timeline-entry-detail", "PATCH"): "401 404 403 400 404 400",
    ("timeline-entry-list", "GET"): "401 200 200 200 200 200",
    ("timeline-entry-list", "POST"): "401 403 403 400 403 400",
}


def test_every_route_has_a_row_in_the_matrix():
    missing = routes() - set(EXPECTED)
    stale = set(EXPECTED) - routes()
    assert not missing, f"Routes without a permission decision in EXPECTED: {sorted(missing)}"
    assert not stale, f"Rows for routes that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("role", ROLES)
def test_the_matrix(world, role):
    column = ROLES.index(role)
    wrong = {}
    for (name, method), row in sorted(EXPECTED.items()):
        expected = int(row.split()[column])
        got = request(role, world, name, method)
        if got != expected:
            wrong[f"{method} {name}"] = f"expected {expected}, got {got}"
    assert not wrong, wrong
