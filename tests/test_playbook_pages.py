"""Playbook pages and API: reading, proposing, deciding, the cycle; query counts."""

from datetime import date

import pytest

from playbook import services
from playbook.models import ReviewTask, Revision, RevisionState, Section
from tests.test_playbook_services import approve, new_section, propose


@pytest.fixture
def section(staff, governance):
    return new_section(staff, governance, script_acknowledge="We're sorry. <script>alert(1)</script> **Bold**")


def test_every_signed_in_person_reads_the_playbook(client, section, facilitator):
    client.force_login(facilitator)
    html = client.get("/playbook/").content.decode()
    assert "Payment outage" in html
    page = client.get(f"/playbook/{section.slug}/").content.decode()
    assert "<strong>Bold</strong>" in page and "<script>alert" not in page
    assert client.get(f"/playbook/{section.slug}/v1/").status_code == 200
    assert client.get(f"/playbook/{section.slug}/v9/").status_code == 404


def test_search(client, section, staff, governance):
    new_section(staff, governance, slug="db", pattern="Primary database unavailable", recognise="Writes fail")
    client.force_login(staff)
    html = client.get("/playbook/?q=writes").content.decode()
    assert "Primary database unavailable" in html and "Payment outage" not in html
    assert "Nothing matches" in client.get("/playbook/?q=zzz").content.decode()


def test_propose_through_the_form_starts_from_the_published_content(client, section, facilitator):
    client.force_login(facilitator)
    form = client.get(f"/playbook/{section.slug}/propose/").context["form"]
    assert form.initial["pattern"] == "Payment outage"
    data = {name: form[name].value() or "" for name in form.fields}
    data |= {"target_first_update_minutes": "15", "rationale": "", "submit": "1"}
    response = client.post(f"/playbook/{section.slug}/propose/", data)
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert not Revision.objects.exclude(state=RevisionState.APPROVED).exists()
    data["rationale"] = "Customers ask within 15 minutes."
    response = client.post(f"/playbook/{section.slug}/propose/", data)
    revision = Revision.objects.exclude(state=RevisionState.APPROVED).get()
    assert response.status_code == 302 and response["Location"] == f"/playbook/revisions/{revision.pk}/"
    assert revision.state == RevisionState.SUBMITTED and revision.target_first_update_minutes == 15
    page = client.get(response["Location"]).content.decode()
    assert "<del>30</del>" in page and "<ins>15</ins>" in page


def test_governance_approves_on_the_page_with_attestation(client, section, staff, governance):
    revision = propose(staff, section, target_first_update_minutes=15)
    client.force_login(governance)
    assert "Approve and publish" in client.get(f"/playbook/revisions/{revision.pk}/").content.decode()
    response = client.post(f"/playbook/revisions/{revision.pk}/approve/", {"comment": "ok"})
    assert response.status_code == 400
    assert "Attest that the change fits" in response.content.decode()
    response = client.post(
        f"/playbook/revisions/{revision.pk}/approve/", {"attest_regulatory": "on", "attest_blameless": "on"}
    )
    assert response.status_code == 302
    assert Section.objects.get(pk=section.pk).current.number == 2


def test_staff_cannot_decide_and_the_author_sees_no_decision_form(client, section, staff):
    revision = propose(staff, section, pattern="Mine")
    client.force_login(staff)
    assert "Approve and publish" not in client.get(f"/playbook/revisions/{revision.pk}/").content.decode()
    response = client.post(
        f"/playbook/revisions/{revision.pk}/approve/", {"attest_regulatory": "on", "attest_blameless": "on"}
    )
    assert response.status_code == 403


def test_stale_revision_page_offers_rebase(client, section, staff, facilitator, governance):
    mine = propose(staff, section, change_authority="Decision owner")
    approve(governance, propose(facilitator, section, target_first_update_minutes=15))
    client.force_login(staff)
    page = client.get(f"/playbook/revisions/{mine.pk}/").content.decode()
    assert "The published version moved on" in page
    rebase = client.get(f"/playbook/revisions/{mine.pk}/rebase/").content.decode()
    assert "<ins>15</ins>" in rebase
    assert client.post(f"/playbook/revisions/{mine.pk}/rebase/").status_code == 302
    mine.refresh_from_db()
    assert mine.base.number == 2 and mine.target_first_update_minutes == 15


def test_compare_versions(client, section, staff, governance):
    approve(governance, propose(staff, section, change_authority="The decision owner"))
    client.force_login(staff)
    html = client.get(f"/playbook/{section.slug}/compare/?a=1&b=2").content.decode()
    assert "<del>On-call</del>" in html and "<ins>decision owner</ins>" in html
    assert client.get(f"/playbook/{section.slug}/compare/?a=1&b=7").status_code == 404


def test_cycle_page_is_for_governance_and_task_completion(client, section, staff, governance):
    services.cycle_reconcile(date(2026, 11, 3))
    task = ReviewTask.objects.get()
    client.force_login(staff)
    assert client.get("/playbook/cycle/").status_code == 403
    response = client.post(f"/playbook/tasks/{task.pk}/", {"note": ""})
    assert response.status_code == 400
    assert client.post(f"/playbook/tasks/{task.pk}/", {"note": "Re-read; still right."}).status_code == 302
    client.force_login(governance)
    html = client.get("/playbook/cycle/").content.decode()
    assert "1 of 1 done" in html


def test_playbook_pages_query_counts_are_constant(client, staff, governance, django_assert_max_num_queries):
    client.force_login(staff)
    first = new_section(staff, governance, slug="s0", pattern="Pattern 0")
    with django_assert_max_num_queries(30) as few:
        client.get("/playbook/")
    with django_assert_max_num_queries(30) as few_section:
        client.get(f"/playbook/{first.slug}/")
    for i in range(1, 8):
        new_section(staff, governance, slug=f"s{i}", pattern=f"Pattern {i}")
    for _ in range(6):
        approve(governance, propose(staff, Section.objects.get(pk=first.pk), recognise=f"r{_}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/playbook/").content.decode().count('<span class="sub">v') == 8
    with django_assert_max_num_queries(len(few_section.captured_queries)):
        assert "Version 7" in client.get(f"/playbook/{first.slug}/").content.decode()


# API ---------------------------------------------------------------------------------


def test_api_sections_and_versions(api, section, staff):
    api.force_authenticate(staff)
    data = api.get("/api/playbook/sections/").json()
    assert data["count"] == 1 and data["results"][0]["current"]["number"] == 1
    detail = api.get(f"/api/playbook/sections/{section.slug}/").json()
    assert [v["number"] for v in detail["versions"]] == [1]
    assert api.get(f"/api/playbook/sections/{section.slug}/versions/1/").json()["pattern"] == "Payment outage"
    assert api.get(f"/api/playbook/sections/{section.slug}/versions/5/").status_code == 404


def test_api_revision_flow_and_rules(api, section, staff, governance):
    api.force_authenticate(staff)
    response = api.post(
        "/api/playbook/revisions/",
        {
            "section": section.slug,
            "pattern": "Payment outage",
            "target_first_update_minutes": 20,
            "rationale": "Faster",
        },
    )
    assert response.status_code == 201, response.json()
    revision = response.json()
    assert revision["state"] == "draft" and revision["base"] == 1
    assert [c["field"] for c in revision["changes"]] == ["target_first_update_minutes"]
    assert api.post(f"/api/playbook/revisions/{revision['id']}/submit/").json()["state"] == "submitted"
    assert api.post(f"/api/playbook/revisions/{revision['id']}/approve/", {}).status_code == 403
    assert api.post("/api/playbook/revisions/", {"pattern": "", "rationale": ""}).status_code == 400
    api.force_authenticate(governance)
    response = api.post(f"/api/playbook/revisions/{revision['id']}/approve/", {"attest_regulatory": True})
    assert response.status_code == 400 and "attest_blameless" in response.json()
    response = api.post(
        f"/api/playbook/revisions/{revision['id']}/approve/", {"attest_regulatory": True, "attest_blameless": True}
    )
    assert response.status_code == 200 and response.json()["state"] == "approved"
    assert api.get(f"/api/playbook/sections/{section.slug}/").json()["current"]["number"] == 2


def test_api_stale_update_is_a_409(api, section, staff):
    api.force_authenticate(staff)
    revision = api.post("/api/playbook/revisions/", {"section": section.slug, "pattern": "A", "rationale": "x"}).json()
    url = f"/api/playbook/revisions/{revision['id']}/"
    assert api.patch(url, {"pattern": "B", "version": revision["version"]}).status_code == 200
    response = api.patch(url, {"pattern": "C", "version": revision["version"]})
    assert response.status_code == 409 and response.json()["current"]["pattern"] == "B"


def test_api_tasks(api, section, staff, facilitator):
    services.cycle_reconcile(date(2026, 11, 3))
    api.force_authenticate(staff)
    tasks = api.get("/api/playbook/tasks/?mine=true").json()["results"]
    assert len(tasks) == 1
    assert api.post(f"/api/playbook/tasks/{tasks[0]['id']}/complete/", {"note": ""}).status_code == 400
    api.force_authenticate(facilitator)
    assert api.post(f"/api/playbook/tasks/{tasks[0]['id']}/complete/", {"note": "x"}).status_code == 403
    assert api.get("/api/playbook/cycles/").json()["results"][0]["quarter"] == 4
