"""The rules of reviews, enforced in reviews/services.py, per role."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from core import delivery
from core.errors import Conflict
from core.models import Notification
from reviews import policy, services
from reviews.models import (
    ActionReminder,
    ActionState,
    ReviewState,
    RoleAssignment,
)
from reviews.models import OwnershipRole as R
from tests.factories import UserFactory, make_review


class RefusingBackend(EmailBackend):
    """A mail server that is down."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP down")


SIX = dict.fromkeys(range(1, 7), (4, "seen in the log"))


@pytest.fixture
def review(facilitator):
    return make_review(facilitator)


@pytest.fixture
def participant(db):
    return UserFactory(username="pat", first_name="Pat", last_name="Participant")


@pytest.fixture
def in_review(review, facilitator, participant):
    services.participant_invite(facilitator, review, invitee=participant)
    return services.review_start(facilitator, review)


def at(review, minutes):
    return review.incident.escalated_at + timedelta(minutes=minutes)


# Creating and editing -------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "governance"])
def test_only_facilitators_create_reviews(request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        make_review(user)


def test_admin_and_facilitator_create_reviews(facilitator, admin):
    assert make_review(facilitator).state == ReviewState.DRAFT
    assert make_review(admin, title="Other").facilitator == admin


def test_impossible_milestone_order_is_a_field_error(facilitator):
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        make_review(facilitator, escalated_at=now - timedelta(hours=2), resolved_at=now - timedelta(hours=3))
    assert "resolved_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_review(facilitator, escalated_at=now + timedelta(days=1))
    assert "escalated_at" in error.value.message_dict


def test_update_incident_refuses_a_stale_version_and_keeps_the_saved_one(review, facilitator, governance):
    incident = review.incident
    services.incident_update(facilitator, incident, version=1, title="First edit")
    with pytest.raises(Conflict) as conflict:
        services.incident_update(facilitator, incident, version=1, title="Second edit from an old copy")
    assert conflict.value.current["title"] == "First edit"
    incident.refresh_from_db()
    assert incident.title == "First edit" and incident.version == 2


def test_staff_cannot_edit_the_incident(review, staff):
    with pytest.raises(PermissionDenied):
        services.incident_update(staff, review.incident, version=1, title="x")


def test_moving_escalation_after_a_role_start_is_refused(review, facilitator, staff):
    services.role_assign(
        facilitator, review.incident, role=R.INVESTIGATION_LEAD, person=staff, started_at=at(review, 5)
    )
    with pytest.raises(ValidationError) as error:
        services.incident_update(
            facilitator, review.incident, version=review.incident.version, escalated_at=at(review, 10)
        )
    assert "escalated_at" in error.value.message_dict


# Roles -----------------------------------------------------------------------


def test_a_new_holder_hands_the_role_over(review, facilitator, staff, governance):
    first = services.role_assign(
        facilitator, review.incident, role=R.COMMUNICATIONS_OWNER, person=staff, started_at=at(review, 10)
    )
    second = services.role_assign(
        facilitator,
        review.incident,
        role=R.COMMUNICATIONS_OWNER,
        person=governance,
        started_at=at(review, 70),
        handover_note="Customer thread and the promised update time.",
    )
    first.refresh_from_db()
    assert first.ended_at == second.started_at
    assert second.ended_at is None


def test_a_role_held_before_the_incident_began_is_refused(review, facilitator, staff):
    with pytest.raises(ValidationError) as error:
        services.role_assign(
            facilitator, review.incident, role=R.DECISION_OWNER, person=staff, started_at=at(review, -5)
        )
    assert "started_at" in error.value.message_dict
    assert not RoleAssignment.objects.exists()


def test_overlapping_holders_are_refused(review, facilitator, staff, governance):
    services.role_assign(
        facilitator,
        review.incident,
        role=R.DECISION_OWNER,
        person=staff,
        started_at=at(review, 10),
        ended_at=at(review, 50),
    )
    with pytest.raises(ValidationError):
        services.role_assign(
            facilitator,
            review.incident,
            role=R.DECISION_OWNER,
            person=governance,
            started_at=at(review, 20),
            ended_at=at(review, 30),
        )


def test_staff_cannot_assign_roles(review, staff):
    with pytest.raises(PermissionDenied):
        services.role_assign(staff, review.incident, role=R.DECISION_OWNER, person=staff, started_at=at(review, 1))


# Review flow -----------------------------------------------------------------


def test_start_needs_a_participant(review, facilitator):
    with pytest.raises(ValidationError):
        services.review_start(facilitator, review)


def test_participants_score_blind_and_only_their_own(in_review, participant, staff, facilitator):
    with pytest.raises(PermissionDenied):
        services.scores_save(staff, in_review, scores=SIX)
    with pytest.raises(PermissionDenied):
        services.scores_save(facilitator, in_review, scores=SIX)
    services.scores_save(participant, in_review, scores={1: (5, "")})
    with pytest.raises(ValidationError) as error:
        services.scores_save(participant, in_review, scores={2: (3, "")}, submit=True)
    assert "score_3" in error.value.message_dict  # every dimension before submitting
    with pytest.raises(ValidationError):
        services.scores_save(participant, in_review, scores={1: (9, "")})
    services.scores_save(participant, in_review, scores=SIX, submit=True)
    assert in_review.participants.get(user=participant).submitted_at is not None


def test_scores_are_only_given_while_in_review(review, facilitator, participant):
    services.participant_invite(facilitator, review, invitee=participant)
    with pytest.raises(ValidationError):
        services.scores_save(participant, review, scores=SIX)


def test_what_a_participant_sees_before_and_after_submitting(in_review, facilitator, participant):
    from reviews import selectors

    other = UserFactory(username="other")
    services.participant_invite(facilitator, in_review, invitee=other)
    services.scores_save(other, in_review, scores=dict.fromkeys(range(1, 7), (2, "")), submit=True)
    page = selectors.review_for_page(in_review.pk)
    assert selectors.scoring(page, participant)["summaries"] is None
    assert selectors.scoring(page, facilitator)["summaries"][0].median == 2.0
    services.scores_save(participant, in_review, scores=SIX, submit=True)
    page = selectors.review_for_page(in_review.pk)
    assert selectors.scoring(page, participant)["summaries"][0].median == 3.0


def test_publish_consolidates_and_freezes(in_review, facilitator, participant):
    with pytest.raises(ValidationError):
        services.review_publish(facilitator, in_review)  # nobody submitted
    services.scores_save(participant, in_review, scores=SIX, submit=True)
    with pytest.raises(ValidationError):
        services.review_publish(facilitator, in_review)  # no narrative
    services.review_update(facilitator, in_review, version=in_review.version, narrative="What happened.")
    review = services.review_publish(facilitator, in_review)
    assert review.state == ReviewState.PUBLISHED
    assert review.clarity_score == 75.0
    assert review.dimension_results.count() == 6
    assert review.texts.get().narrative == "What happened."
    with pytest.raises(ValidationError):
        services.review_update(facilitator, review, version=review.version, narrative="Rewritten")
    with pytest.raises(ValidationError):
        services.finding_add(facilitator, review, text="Late finding")
    with pytest.raises(ValidationError):
        services.scores_save(participant, review, scores=SIX)


def test_amendment_keeps_the_earlier_text(in_review, facilitator, participant, staff):
    services.scores_save(participant, in_review, scores=SIX, submit=True)
    services.review_update(facilitator, in_review, version=in_review.version, narrative="Original text.")
    review = services.review_publish(facilitator, in_review)
    with pytest.raises(PermissionDenied):
        services.review_amend(staff, review, narrative="New", reason="Because")
    with pytest.raises(ValidationError) as error:
        services.review_amend(facilitator, review, narrative="Amended text.", reason=" ")
    assert "reason" in error.value.message_dict
    review = services.review_amend(facilitator, review, narrative="Amended text.", reason="Described the system.")
    assert review.state == ReviewState.AMENDED
    assert list(review.texts.values_list("number", "narrative")) == [(1, "Original text."), (2, "Amended text.")]


def test_only_facilitators_move_states(review, staff, participant, facilitator):
    services.participant_invite(facilitator, review, invitee=participant)
    for user in (staff, participant):
        with pytest.raises(PermissionDenied):
            services.review_start(user, review)


def test_visibility_of_drafts_and_published_reviews(in_review, facilitator, participant, staff):
    assert policy.can_view(facilitator, in_review)
    assert policy.can_view(participant, in_review)
    assert not policy.can_view(staff, in_review)
    assert list(policy.visible_reviews(staff)) == []
    services.scores_save(participant, in_review, scores=SIX, submit=True)
    services.review_update(facilitator, in_review, version=in_review.version, narrative="Text.")
    services.review_publish(facilitator, in_review)
    assert list(policy.visible_reviews(staff)) == [in_review]


# Action items and reminders ------------------------------------------------------


def test_action_items_have_one_owner_and_a_reason_to_drop(review, facilitator, staff, governance):
    item = services.action_item_add(
        facilitator, review, title="Add a chain check", owner=staff, due_on=timezone.localdate(), kind="monitoring"
    )
    with pytest.raises(PermissionDenied):
        services.action_item_set_state(governance, item, state=ActionState.DONE)
    with pytest.raises(ValidationError):
        services.action_item_set_state(staff, item, state=ActionState.DROPPED, reason="")
    item = services.action_item_set_state(staff, item, state=ActionState.DONE, version=1)
    assert item.completed_at is not None
    with pytest.raises(Conflict):
        services.action_item_set_state(facilitator, item, state=ActionState.OPEN, version=1)
    with pytest.raises(PermissionDenied):
        services.action_item_add(staff, review, title="x", owner=staff, due_on=timezone.localdate(), kind="other")


def test_reminders_are_sent_once_per_item_kind_and_due_date(review, facilitator, staff, governance):
    today = timezone.localdate()
    soon = services.action_item_add(
        facilitator, review, title="Soon", owner=staff, due_on=today + timedelta(days=1), kind="other"
    )
    services.action_item_add(
        facilitator, review, title="Later", owner=staff, due_on=today + timedelta(days=9), kind="other"
    )
    late = services.action_item_add(facilitator, review, title="Late", owner=governance, due_on=today, kind="other")
    late.__class__.objects.filter(pk=late.pk).update(due_on=today - timedelta(days=3))
    delivery.deliver_pending()  # the owners were told of their new items; the reminders come next
    mail.outbox.clear()

    assert services.action_item_reminders_send(today) == 2
    assert sorted(m.to[0] for m in mail.outbox) == [governance.email, staff.email]
    assert "Soon" in next(m.body for m in mail.outbox if m.to == [staff.email])
    assert "Later" not in "".join(m.body for m in mail.outbox)
    # A second (or late, or duplicate) run sends nothing more.
    assert services.action_item_reminders_send(today) == 0
    assert services.action_item_reminders_send(today + timedelta(days=1)) == 0  # due today: not overdue yet
    assert services.action_item_reminders_send(today + timedelta(days=2)) == 1  # "Soon" is now overdue
    assert len(mail.outbox) == 3
    assert ActionReminder.objects.filter(action_item=soon).count() == 2
    # Done items are not chased.
    services.action_item_set_state(staff, soon, state=ActionState.DONE)
    assert services.action_item_reminders_send(today + timedelta(days=5)) == 0


def test_dismissing_a_language_hint_needs_a_reason(review, facilitator, staff):
    with pytest.raises(ValidationError):
        services.language_hit_dismiss(facilitator, review, phrase="should have", reason="")
    with pytest.raises(PermissionDenied):
        services.language_hit_dismiss(staff, review, phrase="should have", reason="quote")
    dismissal = services.language_hit_dismiss(facilitator, review, phrase="Should Have", reason="Quoting the customer")
    assert dismissal.phrase == "should have"


def test_a_failed_mail_releases_its_claim_so_the_next_run_retries(review, facilitator, staff, settings):
    """Fault injection: the mail server refuses; the notices stay unsent, with the error, and go
    out (once) with the next run."""
    services.action_item_add(
        facilitator, review, title="Soon", owner=staff, due_on=timezone.localdate() + timedelta(days=1), kind="other"
    )
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}
    assert services.action_item_reminders_send() == 1
    unsent = Notification.objects.filter(recipient=staff, sent_at__isnull=True)
    assert unsent.count() == 2 and all(n.attempts == 1 and "ConnectionRefusedError" in n.last_error for n in unsent)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert services.action_item_reminders_send() == 0  # nothing new to tell
    assert delivery.deliver_pending()["email"] == 0  # the reminder run already sent what was held up
    [message] = mail.outbox
    assert "1 action item due soon" in message.body and "Action item for you: Soon" in message.body
