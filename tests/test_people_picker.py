"""Person fields that scale: a select while the people are few, a searchable text field when
they are many (no page renders the organisation), found from what was typed with or without
JavaScript, and suggestions from /people/."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.people import PersonChoiceField, people, search
from reviews import services
from reviews.models import OwnershipRole
from tests.factories import UserFactory, make_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(settings):
    """An organisation larger than a select should list."""
    settings.PEOPLE_SELECT_MAX = 5
    return [UserFactory(username=f"person{i}", first_name="Alex", last_name=f"Number{i}") for i in range(8)]


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_few_people_are_a_select(client, facilitator):
    review = make_review(facilitator)
    client.force_login(facilitator)
    html = client.get(review.get_absolute_url()).content.decode()
    assert '<select id="id_role-person" name="role-person"' in html and f'<option value="{facilitator.pk}">' in html


def test_many_people_are_a_search_field_and_the_page_lists_none(client, facilitator, many):
    review = make_review(facilitator)
    client.force_login(facilitator)
    html = client.get(review.get_absolute_url()).content.decode()
    assert '<select id="id_role-person"' not in html
    assert 'name="role-person"' in html and 'data-people-search="/people/"' in html
    assert "Number7" not in html  # nobody is listed


def test_the_review_page_costs_the_same_queries_for_ten_or_a_thousand_people(
    client, facilitator, settings, django_assert_max_num_queries
):
    settings.PEOPLE_SELECT_MAX = 5
    review = make_review(facilitator)
    client.force_login(facilitator)
    UserFactory.create_batch(10)
    with django_assert_max_num_queries(60) as few:
        client.get(review.get_absolute_url())
    UserFactory.create_batch(300)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(review.get_absolute_url()).content.decode()
    assert html.count("<option") < 60


@pytest.mark.parametrize(
    "typed", ["Alex Number3 (person3)", "person3", "PERSON3", "person3@example.com", "alex number3"]
)
def test_a_person_is_found_from_what_was_typed(many, typed):
    many[3].email = "person3@example.com"
    many[3].save()
    assert PersonChoiceField(queryset=people()).clean(typed) == many[3]


@pytest.mark.parametrize("typed", ["nobody", "Alex", "999999999999999999999", "(", "x" * 500, "a\x00b"])
def test_what_matches_nobody_or_several_is_a_clear_error(many, typed):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        PersonChoiceField(queryset=people()).clean(typed)
    assert any(word in str(error.value) for word in ("Nobody", "More than one", "Choose a person"))


def test_only_people_of_the_fields_queryset_can_be_typed(many):
    many[2].is_active = False
    many[2].save()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        PersonChoiceField(queryset=people()).clean("person2")


def test_a_role_is_recorded_by_typing_a_username(client, facilitator, many):
    review = make_review(facilitator)
    incident = review.incident
    client.force_login(facilitator)
    data = {"role-role": OwnershipRole.INVESTIGATION_LEAD, "role-person": "Alex Number4 (person4)"}
    data["role-started_at"] = local(incident.escalated_at + timedelta(minutes=5))
    response = client.post(reverse("reviews:assign-role", args=[review.pk]), data)
    assert response.status_code == 302
    assert incident.assignments.get().person == many[4]


def test_a_correction_shows_the_chosen_person_in_the_search_field(client, facilitator, many):
    review = make_review(facilitator)
    incident = review.incident
    assignment = services.role_assign(
        facilitator, incident, role=OwnershipRole.DECISION_OWNER, person=many[6], started_at=incident.escalated_at
    )
    client.force_login(facilitator)
    html = client.get(reverse("reviews:role-correct", args=[review.pk, assignment.pk])).content.decode()
    assert 'value="Alex Number6 (person6)"' in html


def test_the_search_suggests_people_by_every_word(client, staff, many):
    client.force_login(staff)
    found = client.get("/people/", {"q": "alex number5"}).json()["results"]
    assert [person["username"] for person in found] == ["person5"]
    assert found[0] == {
        "id": many[5].pk,
        "name": "Alex Number5",
        "username": "person5",
        "label": "Alex Number5 (person5)",
    }
    assert len(search("alex")) == 8 and len(client.get("/people/", {"q": "alex"}).json()["results"]) == 8
    assert len(search("al\x00ex")) == 8  # what the pickers are handed is never a database error
    assert client.get("/people/", {"q": ""}).json() == {"results": []}
    assert client.get("/people/", {"q": "a" * 5000}).status_code == 200
    assert client.get("/people/", {"q": "a\x00b"}).status_code == 400  # NUL is refused site-wide


def test_the_search_never_suggests_closed_accounts_and_is_for_signed_in_people(client, staff, many):
    many[1].is_active = False
    many[1].save()
    client.force_login(staff)
    assert "person1" not in {p["username"] for p in client.get("/people/", {"q": "alex"}).json()["results"]}
    client.logout()
    assert client.get("/people/", {"q": "alex"}).status_code == 302


@pytest.mark.browser
def test_in_the_browser_a_person_is_chosen_from_suggestions_by_keyboard(
    browser, live_server, facilitator, password, many, screenshot
):
    from tests.test_accessibility_browser import AXE, axe_problems
    from tests.test_browser import sign_in

    review = make_review(facilitator)
    for width in (1280, 390):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 844})
        context.add_init_script(path=str(AXE))
        page = context.new_page()
        try:
            sign_in(page, "facilitator", password)
            page.goto(review.get_absolute_url())
            field = page.get_by_role("combobox", name="Person")
            field.fill("number")
            options = page.locator("#" + field.get_attribute("aria-controls")).get_by_role("option")
            options.first.wait_for()
            assert options.count() == 8 and field.get_attribute("aria-expanded") == "true"
            field.press("ArrowDown")
            field.press("ArrowDown")
            assert page.locator("[role=option][aria-selected=true]").inner_text().startswith("Alex Number1")
            assert not axe_problems(page), axe_problems(page)
            screenshot(page, f"people-picker-{width}")
            field.press("Enter")
            assert field.input_value() == "Alex Number1 (person1)"
            assert field.get_attribute("aria-expanded") == "false"
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        finally:
            context.close()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, "facilitator", password)
        page.goto(review.get_absolute_url())
        page.get_by_label("Role", exact=True).select_option(label="Decision owner")
        field = page.get_by_role("combobox", name="Person")
        field.fill("alex number5")
        page.locator("#" + field.get_attribute("aria-controls")).get_by_role("option", name="Alex Number5").click()
        page.get_by_label("From", exact=True).fill(local(review.incident.escalated_at + timedelta(minutes=9)))
        page.get_by_role("button", name="Record", exact=True).click()
        page.get_by_text("Role assignment recorded.").wait_for()
        assert review.incident.assignments.get().person == many[5]
    finally:
        context.close()


def test_a_username_of_digits_is_that_person_not_an_id(many):
    digits = UserFactory(username=str(many[0].pk), first_name="", last_name="")
    field = PersonChoiceField(queryset=people())
    assert field.clean(f"{digits.username} ({digits.username})") == digits


def test_a_digit_that_is_not_ascii_is_a_form_error_not_a_500(client, facilitator, many):
    review = make_review(facilitator)
    client.force_login(facilitator)
    data = {"role-role": OwnershipRole.DECISION_OWNER, "role-person": "²", "role-started_at": "2026-11-30T10:00"}
    page = client.post(reverse("reviews:assign-role", args=[review.pk]), data, follow=True)
    assert page.status_code == 200 and "Nobody by that name" in page.content.decode()


def test_the_search_does_not_spell_out_email_addresses(client, staff, many):
    many[0].email = "secret.person@example.com"
    many[0].save()
    client.force_login(staff)
    assert client.get("/people/", {"q": "secret"}).json()["results"] == []
    assert [p["username"] for p in client.get("/people/", {"q": "secret.person@example.com"}).json()["results"]] == [
        "person0"
    ]
