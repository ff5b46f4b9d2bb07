"""The performance snapshot: internal and customer versions, share links, exports, the Celery task."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import time_machine
from django.core import mail

from reviews import services, snapshot
from reviews.insights import Period
from reviews.models import ShareLink, Snapshot
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
    setup_customers(facilitator)
    link = services.create_share_link(facilitator, customer="Acme", year=2026, quarter=3)
    html = client.get(f"/s/{link.token}/").content.decode()  # no sign-in
    assert "Card declines at checkout" in html and "15 min" in html
    for leak in ("Globex", "Ingrid", "Insider", "Internal Team Name", "paged the wrong team", facilitator.first_name,
                 "Sign out", "/admin/"):  # fmt: skip
        assert leak not in html, leak


def test_share_links_are_unguessable_expire_and_revoke(client, facilitator, staff, governance):
    setup_customers(facilitator)
    link = services.create_share_link(facilitator, customer="Acme", year=2026, quarter=3, days=7)
    assert len(link.token) >= 40
    assert client.get(f"/s/{link.token}/").status_code == 200
    assert client.get(f"/s/{link.token[:-1]}x/").status_code == 404
    with time_machine.travel(link.expires_at + timedelta(seconds=1)):
        assert client.get(f"/s/{link.token}/").status_code == 404
    services.revoke_share_link(governance, link)
    assert client.get(f"/s/{link.token}/").status_code == 404
    import pytest
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        services.create_share_link(staff, customer="Acme", year=2026, quarter=3)
    with pytest.raises(ValidationError):
        services.create_share_link(facilitator, customer="Nobody", year=2026, quarter=3)


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
        assert services.prepare_snapshot() == 1
        assert services.prepare_snapshot() == 0  # a duplicate run sends nothing
    with time_machine.travel(datetime(2026, 11, 20, 6, 0, tzinfo=UTC)):  # a late run: still nothing more
        assert services.prepare_snapshot() == 0
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
