"""The performance snapshot: internal and customer versions, share links, exports, the Celery task."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import time_machine
from django.core import mail

from insights import services, snapshot
from insights.figures import Period
from insights.models import ShareLink, Snapshot
from tests.factories import UserFactory
from tests.test_insights import incident

Q3 = Period.quarter(2026, 3)
T = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)


def setup_customers(facilitator):
    from tests.factories import TeamFactory

    team = TeamFactory(name="Internal Team Name", slug="itn")
    insider = UserFactory(username="insider", first_name="Ingrid", last_name="Insider")
    mine = incident(insider, team, tto=15, ttfu=30, ttr=120, satisfaction=4)
    mine.customer, mine.title = "Acme", "Card declines at checkout"
    mine.save()
    other = incident(insider, team, tto=50, ttfu=90, ttr=400, satisfaction=1)
    other.customer, other.title = "Globex", "Globex secret outage"
    other.save()
    from reviews.models import Finding

    Finding.objects.create(review=mine.review, text="Ingrid Insider paged the wrong team", created_by=facilitator)
    return mine, other


def test_customer_version_leaks_no_internal_names_or_other_customers(client, facilitator, staff):
    mine, _ = setup_customers(facilitator)
    mine.customer_summary = "Card payments declined at checkout"
    mine.save()
    link = services.share_link_create(facilitator, customer="Acme", year=2026, quarter=3)
    html = client.get(f"/s/{link.token}/").content.decode()  # no sign-in
    assert "Card payments declined at checkout" in html and "15 min" in html
    for leak in (
        "Card declines at checkout",
        "Globex",
        "Ingrid",
        "Insider",
        "Internal Team Name",
        "paged the wrong team",
        facilitator.first_name,
        "Sign out",
        "/admin/",
    ):
        assert leak not in html, leak


def test_the_customer_version_never_prints_the_internal_title(client, facilitator, staff):
    mine, _ = setup_customers(facilitator)
    mine.title = "Priya re-ran the export by hand"
    mine.save()
    client.force_login(staff)
    preview = client.get("/insights/customer/?quarter=2026-Q3&customer=Acme").content.decode()
    link = services.share_link_create(facilitator, customer="Acme", year=2026, quarter=3)
    shared = client.get(f"/s/{link.token}/").content.decode()
    for html in (preview, shared):
        assert "Priya" not in html
        assert "Major escalation" in html  # no summary written and no playbook pattern: the severity says what


def test_the_customer_summary_defaults_to_the_playbook_patterns_name(facilitator, staff, governance):
    from tests.test_playbook_services import new_section

    section = new_section(staff, governance, slug="pay", pattern="Payment outage reported by an enterprise customer")
    insider = UserFactory(username="insider")
    escalation = incident(insider, None, tto=15, section=section)
    escalation.customer, escalation.title = "Acme", "Priya re-ran the export by hand"
    escalation.save()
    rows = snapshot.customer(Q3, "Acme")["rows"]
    assert [row["summary"] for row in rows] == ["Payment outage reported by an enterprise customer"]


def test_the_customer_version_counts_only_published_reviews(client, facilitator):
    from reviews.models import ReviewState

    insider = UserFactory(username="insider")
    published = incident(insider, None, tto=15, ttfu=30, satisfaction=5)
    draft = incident(insider, None, tto=90, ttfu=600, satisfaction=1, state=ReviewState.DRAFT)
    in_review = incident(insider, None, tto=95, state=ReviewState.IN_REVIEW)
    for escalation, summary in ((published, "Published one"), (draft, "Draft one"), (in_review, "Scoring one")):
        escalation.customer, escalation.customer_summary = "Acme", summary
        escalation.save()
    report = snapshot.customer(Q3, "Acme")
    assert [row["summary"] for row in report["rows"]] == ["Published one"]
    assert report["overall"]["incidents"] == 1 and report["overall"]["satisfaction_mean"] == 5
    link = services.share_link_create(facilitator, customer="Acme", year=2026, quarter=3)
    html = client.get(f"/s/{link.token}/").content.decode()
    assert "Published one" in html and "Draft one" not in html and "Scoring one" not in html


def test_the_shared_page_is_never_cached_and_csv_declares_utf8(client, facilitator, staff):
    mine, _ = setup_customers(facilitator)
    mine.team.name = "Équipe Zoë"
    mine.team.save()
    link = services.share_link_create(facilitator, customer="Acme", year=2026, quarter=3)
    shared = client.get(f"/s/{link.token}/")
    assert "no-store" in shared["Cache-Control"] and "private" in shared["Cache-Control"]
    client.force_login(staff)
    figures = client.get("/insights/figures.csv?quarter=2026-Q3")
    incidents = client.get("/insights/incidents.csv?quarter=2026-Q3")
    for response in (figures, incidents):
        assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "Équipe Zoë" in figures.content.decode("utf-8")


def test_revoking_a_link_that_is_not_a_number_is_a_404_and_staff_are_refused_first(client, facilitator, staff):
    setup_customers(facilitator)
    client.force_login(staff)
    assert client.post("/insights/customer/?customer=Acme", {"revoke": "abc"}).status_code == 403
    client.force_login(facilitator)
    for value in ("abc", "-1", "1e9", "9" * 40):
        assert client.post("/insights/customer/?customer=Acme", {"revoke": value}).status_code == 404


def test_share_links_are_unguessable_expire_and_revoke(client, facilitator, staff, governance):
    setup_customers(facilitator)
    link = services.share_link_create(facilitator, customer="Acme", year=2026, quarter=3, days=7)
    assert len(link.token) >= 40
    assert client.get(f"/s/{link.token}/").status_code == 200
    assert client.get(f"/s/{link.token[:-1]}x/").status_code == 404
    with time_machine.travel(link.expires_at + timedelta(seconds=1)):
        assert client.get(f"/s/{link.token}/").status_code == 404
    services.share_link_revoke(governance, link)
    assert client.get(f"/s/{link.token}/").status_code == 404
    import pytest
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        services.share_link_create(staff, customer="Acme", year=2026, quarter=3)
    with pytest.raises(ValidationError):
        services.share_link_create(facilitator, customer="Nobody", year=2026, quarter=3)


def test_internal_snapshot_page_pdf_and_csv(client, facilitator, staff):
    setup_customers(facilitator)
    client.force_login(staff)
    html = client.get("/insights/snapshot/?quarter=2026-Q3").content.decode()
    assert "Performance snapshot · 2026 Q3" in html and "Ingrid Insider paged the wrong team" in html
    pdf = client.get("/insights/snapshot.pdf?quarter=2026-Q3")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    figures = list(csv.reader(io.StringIO(client.get("/insights/figures.csv?quarter=2026-Q3").content.decode())))
    assert figures[1][:3] == ["all", "2026 Q3", "2"]
    rows = list(
        csv.reader(
            io.StringIO(b"".join(client.get("/insights/incidents.csv?quarter=2026-Q3").streaming_content).decode())
        )
    )
    assert rows[0][0] == "escalated_at" and len(rows) == 3


def test_csv_cells_never_run_as_formulas():
    assert snapshot._cell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    for text in ("+1", "-2", "@SUM(A1)", "\tx"):
        assert snapshot._cell(text).startswith("'")
    assert snapshot._cell("Acme") == "Acme" and snapshot._cell(None) == ""
    assert snapshot._cell(timedelta(minutes=90)) == 90


def test_the_snapshot_task_prepares_once_and_tells_governance_once(facilitator, governance):
    setup_customers(facilitator)
    with time_machine.travel(datetime(2026, 10, 1, 6, 0, tzinfo=UTC)):
        assert services.snapshot_prepare() == 1
        assert services.snapshot_prepare() == 0  # a duplicate run sends nothing
    with time_machine.travel(datetime(2026, 11, 20, 6, 0, tzinfo=UTC)):  # a late run: still nothing more
        assert services.snapshot_prepare() == 0
    shot = Snapshot.objects.get()
    assert (shot.year, shot.quarter) == (2026, 3) and shot.figures["overall"]["incidents"] == 2
    assert [m.to for m in mail.outbox] == [[governance.email]]
    assert "2026 Q3" in mail.outbox[0].subject


def test_customer_preview_and_link_creation_through_the_page(client, facilitator):
    setup_customers(facilitator)
    client.force_login(facilitator)
    page = client.get("/insights/customer/?quarter=2026-Q3&customer=Acme").content.decode()
    assert "Escalation report for Acme" in page and "Globex" not in page
    response = client.post("/insights/customer/?quarter=2026-Q3&customer=Acme", {"days": "14"})
    assert response.status_code == 302
    link = ShareLink.objects.get()
    assert link.customer == "Acme" and (link.year, link.quarter) == (2026, 3)
    assert (link.expires_at.date() - date.today()).days in (13, 14)


def test_playbook_changes_this_quarter_are_the_versions_published_in_it(facilitator, staff, governance):
    from playbook import services as playbook_services
    from playbook.models import SectionVersion
    from tests.test_playbook_services import new_section, propose

    with time_machine.travel(datetime(2026, 8, 10, tzinfo=UTC)):
        old = new_section(staff, governance, slug="old", pattern="Old pattern")
        revision = propose(staff, old, pattern="Old, clearer")
        playbook_services.revision_approve(governance, revision, attest_regulatory=True, attest_blameless=True)
        new_section(staff, governance, slug="fresh", pattern="New pattern")
    # The old section's first version was in force long before (as imported playbooks are): not a Q3 change.
    SectionVersion.objects.filter(section=old, number=1).update(published_at=datetime(2026, 2, 10, tzinfo=UTC))
    assert snapshot.customer(Q3, "Acme")["improvements"] == 2
    assert [v.pattern for v in snapshot.internal(Q3, viewer=facilitator)["versions"]] == ["Old, clearer", "New pattern"]
