"""Recognition: the rules per role, the board, the API, notifications, query counts."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from recognition import services
from recognition.models import Recognition, RecognitionNotice
from tests.factories import MembershipFactory, TeamFactory, UserFactory


@pytest.fixture
def team(db):
    team = TeamFactory(name="Site Reliability", slug="sre")
    for name in ("ann", "bob"):
        MembershipFactory(team=team, user=UserFactory(username=name))
    return team


def give(user, team=None, person=None, **kwargs):
    values = {"category": "clear_ownership", "message": "Named the trio in five minutes."} | kwargs
    return services.recognition_give(user, team=team, person=person, **values)


def test_staff_recognise_a_team_and_members_are_mailed_once(staff, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        recognition = give(staff, team)
    assert len(callbacks) == 1  # enqueued after commit, not before
    assert services.send_notices(recognition.pk) == 2
    assert services.send_notices(recognition.pk) == 0  # a duplicate delivery sends nothing
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.com", "bob@example.com"]
    assert "recognised Site Reliability" in mail.outbox[0].subject


def test_nobody_recognises_themselves_or_their_own_team(staff, team):
    MembershipFactory(team=team, user=staff)
    with pytest.raises(ValidationError) as error:
        give(staff, team)
    assert "team you belong to" in str(error.value)
    with pytest.raises(ValidationError) as error:
        give(staff, person=staff)
    assert "yourself" in str(error.value)
    with pytest.raises(ValidationError):
        give(staff)  # neither a team nor a person
    with pytest.raises(ValidationError):
        give(staff, person=UserFactory(), message="  ")
    assert not Recognition.objects.exists()


def test_seconds_once_and_never_your_own(staff, facilitator, team):
    recognition = give(staff, team)
    with pytest.raises(ValidationError):
        services.recognition_second(staff, recognition)
    services.recognition_second(facilitator, recognition)
    with pytest.raises(ValidationError):
        services.recognition_second(facilitator, recognition)
    assert recognition.seconds.count() == 1


def test_daily_limit(staff, team, settings):
    settings.RECOGNITION_DAILY_LIMIT = 2
    give(staff, team)
    give(staff, person=UserFactory())
    with pytest.raises(ValidationError) as error:
        give(staff, team)
    assert "daily limit" in str(error.value)


def test_governance_hides_with_a_reason_and_the_author_is_told(staff, governance, facilitator, team):
    recognition = give(staff, team)
    with pytest.raises(PermissionDenied):
        services.recognition_hide(facilitator, recognition, reason="no")
    with pytest.raises(ValidationError):
        services.recognition_hide(governance, recognition, reason=" ")
    services.recognition_hide(governance, recognition, reason="Names a person in a blaming way.")
    assert not Recognition.objects.visible().exists()
    assert Recognition.objects.get().hidden_reason == "Names a person in a blaming way."  # kept on record
    services.send_notices(recognition.pk)
    hidden_mail = [m for m in mail.outbox if m.to == [staff.email]]
    assert len(hidden_mail) == 1 and "hidden" in hidden_mail[0].subject
    with pytest.raises(ValidationError):
        services.recognition_second(facilitator, recognition)


def test_reconcile_sends_what_an_outage_held_up(staff, team):
    recognition = give(staff, team)
    Recognition.objects.filter(pk=recognition.pk).update(created_at=recognition.created_at.replace(year=2025))
    assert services.reconcile_notices() == 2
    assert services.reconcile_notices() == 0
    assert RecognitionNotice.objects.count() == 2


def test_board_filters_and_hidden_ones_vanish(client, staff, governance, team):
    other = TeamFactory(name="Payments", slug="payments")
    give(staff, team, message="SRE clear ownership")
    give(staff, other, category="clean_handover", message="Payments handover")
    hidden = give(staff, other, message="Hidden one")
    services.recognition_hide(governance, hidden, reason="duplicate")
    client.force_login(staff)
    html = client.get("/recognition/").content.decode()
    assert "SRE clear ownership" in html and "Payments handover" in html and "Hidden one" not in html
    html = client.get("/recognition/?category=clean_handover").content.decode()
    assert "Payments handover" in html and "SRE clear ownership" not in html
    html = client.get("/recognition/?team=sre").content.decode()
    assert "SRE clear ownership" in html and "Payments handover" not in html
    assert "Hidden one" not in client.get("/teams/payments/").content.decode()


def test_give_through_the_page_shows_field_errors(client, staff, team):
    MembershipFactory(team=team, user=staff)
    client.force_login(staff)
    response = client.post("/recognition/give/", {"team": team.pk, "category": "clear_ownership", "message": "x"})
    assert response.status_code == 400  # own team is not even offered: a form error
    response = client.post("/recognition/give/", {"person": UserFactory().pk, "message": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Recognition.objects.exists()


def test_from_a_published_review_the_form_is_prefilled(client, facilitator, team):
    from tests.test_review_pages import published

    review = published(facilitator, team=team)
    client.force_login(facilitator)
    assert f"/recognition/?review={review.pk}#give" in client.get(f"/reviews/{review.pk}/").content.decode()
    form = client.get(f"/recognition/?review={review.pk}").context["form"]
    assert form.initial == {"review": review.pk, "team": team.pk}


def test_board_query_count_is_constant(client, staff, django_assert_max_num_queries):
    client.force_login(staff)
    authors = [UserFactory() for _ in range(6)]
    teams = [TeamFactory() for _ in range(6)]
    give(authors[0], teams[0])
    with django_assert_max_num_queries(40) as few:
        client.get("/recognition/")
    for i in range(18):
        recognition = give(authors[i % 6], teams[(i + 1) % 6], category=["clean_handover", "learning_shared"][i % 2])
        services.recognition_second(authors[(i + 2) % 6], recognition)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/recognition/")
    assert response.content.decode().count('class="card recognition"') == 19


# API ---------------------------------------------------------------------------------


def test_api_give_second_hide_with_the_same_rules(staff, facilitator, governance, team):
    api = APIClient()
    assert api.get("/api/recognitions/").status_code == 401
    api.force_authenticate(staff)
    response = api.post(
        "/api/recognitions/", {"team": "sre", "category": "clean_handover", "message": "Great handover"}
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert api.post("/api/recognitions/", {"team": "sre", "category": "nope", "message": "x"}).status_code == 400
    assert (
        api.post("/api/recognitions/", {"person": staff.pk, "category": "clean_handover", "message": "me"}).status_code
        == 400
    )
    assert api.post(f"/api/recognitions/{pk}/second/").status_code == 400  # own
    api.force_authenticate(facilitator)
    response = api.post(f"/api/recognitions/{pk}/second/")
    assert response.status_code == 201 and response.json()["seconded_by"] == [facilitator.username]
    assert api.post(f"/api/recognitions/{pk}/second/").status_code == 400  # twice
    assert api.post(f"/api/recognitions/{pk}/hide/", {"reason": "x"}).status_code == 403
    api.force_authenticate(governance)
    assert api.post(f"/api/recognitions/{pk}/hide/", {"reason": ""}).status_code == 400
    assert api.post(f"/api/recognitions/{pk}/hide/", {"reason": "Duplicate"}).status_code == 204
    assert api.get("/api/recognitions/").json()["count"] == 0
    assert api.get(f"/api/recognitions/{pk}/").status_code == 404
