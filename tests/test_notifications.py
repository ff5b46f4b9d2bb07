"""Telling people: every workflow step reaches the people it concerns, once, in their inbox and on
the channel they chose (email now, Slack, or the daily digest); nobody hears of their own action."""

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core import delivery, notifications
from core.models import Channel, ChannelPost, Notification, NotificationChoice
from playbook import services as playbook
from recognition import services as recognition
from reviews import services as reviews
from reviews.models import ActionState
from teams.models import Membership
from tests.factories import TeamFactory, UserFactory, make_review
from tests.slack_api import TOKEN, SlackAPI
from tests.test_playbook_services import approve, new_section, propose


@pytest.fixture
def pat(db):
    return UserFactory(username="pat", first_name="Pat", last_name="Participant", email="pat@example.com")


@pytest.fixture
def review(facilitator):
    return make_review(facilitator)


def titles(person):
    return [n.title for n in Notification.objects.filter(recipient=person).order_by("pk")]


def mails_to(person):
    return [m for m in mail.outbox if m.to == [person.email]]


# Who is told ------------------------------------------------------------------------------


def test_an_invited_participant_is_told_and_the_facilitator_is_not(review, facilitator, pat):
    reviews.participant_invite(facilitator, review, invitee=pat)
    assert titles(pat) == ["You are invited to the review of “Checkout failing for Acme”"]
    assert titles(facilitator) == []  # nobody is told about their own action
    [note] = Notification.objects.filter(recipient=pat)
    assert (note.kind, note.channel, note.url, note.topic) == (
        "review.invited",
        Channel.EMAIL,
        review.get_absolute_url(),
        f"review:{review.pk}",
    )


def test_scoring_opened_tells_each_participant_once(review, facilitator, pat, staff):
    reviews.participant_invite(facilitator, review, invitee=pat)
    reviews.participant_invite(facilitator, review, invitee=staff)
    reviews.review_start(facilitator, review)
    assert Notification.objects.filter(kind="review.started").count() == 2
    reviews.review_return_to_draft(facilitator, review)
    reviews.review_start(facilitator, review)  # a second round of scoring is told again
    assert Notification.objects.filter(kind="review.started", recipient=pat).count() == 2


def test_publication_tells_participants_and_the_owning_team_and_amendment_too(facilitator, pat, staff):
    team = TeamFactory(slug="payments", name="Payments")
    Membership.objects.create(team=team, user=staff)
    review = make_review(facilitator, team=team)
    reviews.review_update(facilitator, review, version=review.version, narrative="What happened.")
    reviews.participant_invite(facilitator, review, invitee=pat)
    reviews.review_start(facilitator, review)
    reviews.scores_save(pat, review, scores=dict.fromkeys(range(1, 7), (4, "seen")), submit=True)
    reviews.review_publish(facilitator, review)
    assert Notification.objects.filter(kind="review.published").count() == 2
    assert {n.recipient for n in Notification.objects.filter(kind="review.published")} == {pat, staff}
    review.refresh_from_db()
    reviews.review_amend(facilitator, review, narrative="What happened, corrected.", reason="A wrong time")
    assert Notification.objects.filter(kind="review.amended").count() == 2


def test_action_items_tell_their_owner_and_the_facilitator_when_closed(review, facilitator, pat):
    item = reviews.action_item_add(
        facilitator, review, title="Page the owner", owner=pat, due_on=timezone.localdate() + timedelta(days=9)
    )
    assert titles(pat) == ["Action item for you: Page the owner"]
    reviews.action_item_set_state(pat, item, state=ActionState.DONE)
    assert titles(facilitator) == ["Action item done: Page the owner"]
    assert len(titles(pat)) == 1  # the owner did it: not told


def test_a_new_owner_of_an_action_item_is_told(review, facilitator, pat, staff):
    item = reviews.action_item_add(
        facilitator, review, title="Page the owner", owner=pat, due_on=timezone.localdate() + timedelta(days=9)
    )
    reviews.action_item_edit(facilitator, item, owner=staff)
    assert titles(staff) == ["Action item for you: Page the owner"]


def test_a_reminder_to_score_goes_once_per_round_after_the_configured_days(review, facilitator, pat, settings):
    settings.SCORE_REMINDER_DAYS = 3
    reviews.participant_invite(facilitator, review, invitee=pat)
    reviews.review_start(facilitator, review)
    assert reviews.score_reminders_send(timezone.now() + timedelta(days=2)) == 0
    assert reviews.score_reminders_send(timezone.now() + timedelta(days=3, minutes=1)) == 1
    reviews.score_reminders_send(timezone.now() + timedelta(days=4))
    assert Notification.objects.filter(kind="review.score_reminder").count() == 1
    reviews.scores_save(pat, review, scores=dict.fromkeys(range(1, 7), (3, "ok")), submit=True)
    assert reviews.score_reminders_send(timezone.now() + timedelta(days=9)) == 0  # submitted: not chased


def test_revisions_tell_the_deciders_then_the_author_then_the_stale_authors(staff, governance, facilitator):
    section = new_section(staff, governance)
    Notification.objects.all().delete()
    first = propose(staff, section, pattern="First")
    second = propose(facilitator, section, pattern="Second")
    assert titles(governance) == [
        "A revision of “Payment outage” waits for your decision",
        "A revision of “Payment outage” waits for your decision",
    ]
    approve(governance, first)
    assert titles(staff) == ["Your revision of “First” was approved"]
    [stale] = Notification.objects.filter(recipient=facilitator, kind="revision.needs_rebase")
    assert stale.title == "Your revision of “First” needs a rebase" and stale.url == second.get_absolute_url()


def test_a_second_tells_the_author_of_the_recognition(staff, facilitator, pat):
    team = TeamFactory(slug="sre", name="SRE")
    given = recognition.recognition_give(staff, category="clear_ownership", message="Clear lead.", team=team)
    recognition.recognition_second(pat, given)
    assert titles(staff) == ["Pat Participant seconded your recognition of SRE"]


def test_closed_accounts_and_people_without_email_are_never_mailed(review, facilitator, pat):
    pat.email = ""
    pat.save()
    reviews.participant_invite(facilitator, review, invitee=pat)
    assert Notification.objects.get(recipient=pat).channel == Channel.SITE
    delivery.deliver_pending()
    assert mail.outbox == []


# Channels ---------------------------------------------------------------------------------


def test_each_person_gets_one_mail_per_run_however_many_events_it_holds(review, facilitator, pat):
    for title in ("One", "Two", "Three"):
        reviews.action_item_add(
            facilitator, review, title=title, owner=pat, due_on=timezone.localdate() + timedelta(days=9)
        )
    assert delivery.deliver_pending()["email"] == 1
    [message] = mails_to(pat)
    assert message.subject == "Baton: Action item for you: One (and 2 more)"
    assert all(f"• Action item for you: {t}" in message.body for t in ("One", "Two", "Three"))
    assert delivery.deliver_pending()["email"] == 0  # a second run sends nothing
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0


def test_one_event_is_one_mail_with_its_link_and_how_to_change_it(review, facilitator, pat):
    reviews.participant_invite(facilitator, review, invitee=pat)
    delivery.deliver_pending()
    [message] = mail.outbox
    assert message.subject == "Baton: You are invited to the review of “Checkout failing for Acme”"
    assert "http://127.0.0.1:8000" + review.get_absolute_url() in message.body
    assert "/inbox/settings/" in message.body


def test_the_quarterly_escalation_day_sends_one_mail_per_governance_owner(staff, governance, settings):
    """Ten overdue sections: the owner and each governance owner get one mail each, not ten."""
    settings.PLAYBOOK_REMINDER_DAYS = 7
    other = UserFactory(username="g2", roles=["governance"])
    for number in range(10):
        new_section(staff, governance, slug=f"pattern-{number}")
    playbook.cycle_reconcile(date(2026, 10, 1))
    playbook.task_notices_send(date(2026, 11, 9))
    assert sorted(m.to[0] for m in mail.outbox) == sorted([staff.email, governance.email, other.email])
    [to_governance] = mails_to(governance)
    assert to_governance.body.count("• Overdue playbook review of") == 10


def test_site_only_tells_in_the_inbox_and_sends_nothing(review, facilitator, pat):
    notifications.choices_save(pat, {"review.invited": Channel.SITE})
    reviews.participant_invite(facilitator, review, invitee=pat)
    assert delivery.deliver_pending()["email"] == 0
    assert titles(pat) and mail.outbox == []


def test_the_daily_digest_collects_a_day_in_one_mail_at_the_digest_hour(review, facilitator, pat, settings):
    settings.DIGEST_HOUR = 8
    notifications.choices_save(pat, {"review.invited": Channel.DIGEST, "action_item.assigned": Channel.DIGEST})
    reviews.participant_invite(facilitator, review, invitee=pat)
    reviews.action_item_add(
        facilitator, review, title="Page the owner", owner=pat, due_on=timezone.localdate() + timedelta(days=9)
    )
    yesterday = timezone.make_aware(datetime(2026, 11, 30, 15, 0))
    Notification.objects.update(created_at=yesterday)
    before_eight = timezone.make_aware(datetime(2026, 12, 1, 7, 59))
    assert delivery.deliver_pending(before_eight)["digest"] == 0
    after_eight = timezone.make_aware(datetime(2026, 12, 1, 8, 0))
    assert delivery.deliver_pending(after_eight)["digest"] == 1
    assert delivery.deliver_pending(after_eight)["digest"] == 0
    [message] = mail.outbox
    assert message.subject == "Baton: your daily digest, 2 updates"


def test_muting_a_review_silences_its_broadcasts_but_not_work_given(review, facilitator, pat):
    reviews.participant_invite(facilitator, review, invitee=pat)
    notifications.topic_mute(pat, f"review:{review.pk}", muted=True)
    reviews.review_start(facilitator, review)
    reviews.action_item_add(
        facilitator, review, title="Page the owner", owner=pat, due_on=timezone.localdate() + timedelta(days=9)
    )
    assert [n.kind for n in Notification.objects.filter(recipient=pat)] == [
        "action_item.assigned",
        "review.invited",
    ]


def test_an_unknown_kind_or_channel_is_refused_and_nothing_is_saved(pat):
    with pytest.raises(ValidationError):
        notifications.choices_save(pat, {"review.invited": "pigeon"})
    with pytest.raises(ValidationError):
        notifications.choices_save(pat, {"nothing.at.all": Channel.EMAIL})
    assert not NotificationChoice.objects.exists()


def test_old_read_notifications_are_purged_and_unread_recent_ones_kept(review, facilitator, pat, settings):
    settings.NOTIFICATION_KEEP_DAYS = 90
    reviews.participant_invite(facilitator, review, invitee=pat)
    delivery.deliver_pending()
    Notification.objects.update(created_at=timezone.now() - timedelta(days=91))
    reviews.action_item_add(
        facilitator, review, title="Page the owner", owner=pat, due_on=timezone.localdate() + timedelta(days=9)
    )
    assert delivery.purge() == 1
    assert titles(pat) == ["Action item for you: Page the owner"]


# Slack ------------------------------------------------------------------------------------


@pytest.fixture
def slack(settings):
    cache.clear()
    with SlackAPI(members={"pat@example.com": "U0PAT0001"}) as api:
        settings.SLACK_BOT_TOKEN = TOKEN
        settings.SLACK_API_URL = api.url
        settings.SLACK_REVIEWS_CHANNEL = "C0REVIEWS"
        settings.SLACK_KUDOS_CHANNEL = "C0KUDOS"
        yield api
    cache.clear()


def test_slack_sends_a_direct_message_with_a_link_back(slack, review, facilitator, pat):
    notifications.choices_save(pat, {"review.invited": Channel.SLACK})
    reviews.participant_invite(facilitator, review, invitee=pat)
    assert delivery.deliver_pending()["slack"] == 1
    [(channel, text, blocks)] = slack.posts
    assert channel == "U0PAT0001" and text.startswith("You are invited")
    assert blocks[1]["elements"][0]["url"] == "http://127.0.0.1:8000" + review.get_absolute_url()
    assert delivery.deliver_pending()["slack"] == 0 and len(slack.posts) == 1
    assert mail.outbox == []


def test_slack_429_is_retried_after_retry_after_and_sent_once(slack, review, facilitator, pat):
    notifications.choices_save(pat, {"review.invited": Channel.SLACK})
    reviews.participant_invite(facilitator, review, invitee=pat)
    slack.rate_limit = 2
    assert delivery.deliver_pending()["slack"] == 1
    assert [status for _, status in slack.calls].count(429) == 2
    assert len(slack.posts) == 1


def test_slack_down_keeps_the_message_and_the_next_run_sends_it_once(slack, review, facilitator, pat):
    notifications.choices_save(pat, {"review.invited": Channel.SLACK})
    reviews.participant_invite(facilitator, review, invitee=pat)
    slack.down = True
    assert delivery.deliver_pending()["slack"] == 0
    note = Notification.objects.get(recipient=pat)
    assert note.sent_at is None and note.attempts == 1 and note.last_error
    slack.down = False
    assert delivery.deliver_pending()["slack"] == 1
    assert delivery.deliver_pending()["slack"] == 0
    assert len(slack.posts) == 1


def test_someone_not_in_slack_gets_the_mail_instead(slack, review, facilitator, staff):
    notifications.choices_save(staff, {"review.invited": Channel.SLACK})
    reviews.participant_invite(facilitator, review, invitee=staff)
    sent = delivery.deliver_pending()
    assert (sent["slack"], sent["email"]) == (0, 1)
    assert mails_to(staff) and slack.posts == []


def test_publications_and_recognitions_are_posted_to_their_channels_once(slack, review, facilitator, pat, staff):
    reviews.review_update(facilitator, review, version=review.version, narrative="What happened.")
    reviews.participant_invite(facilitator, review, invitee=pat)
    reviews.review_start(facilitator, review)
    reviews.scores_save(pat, review, scores=dict.fromkeys(range(1, 7), (4, "seen")), submit=True)
    reviews.review_publish(facilitator, review)
    team = TeamFactory(slug="sre", name="SRE")
    given = recognition.recognition_give(staff, category="clear_ownership", message="Clear lead.", team=team)
    recognition.send_notices(given.pk)
    recognition.send_notices(given.pk)
    delivery.deliver_pending()
    assert sorted(channel for channel, _, _ in slack.posts if channel.startswith("C0")) == ["C0KUDOS", "C0REVIEWS"]
    assert ChannelPost.objects.filter(sent_at__isnull=True).count() == 0


def test_slack_is_not_offered_without_a_bot_token(settings):
    settings.SLACK_BOT_TOKEN = ""
    assert Channel.SLACK not in [value for value, _ in notifications.channels()]


# Pages --------------------------------------------------------------------------------------


def test_the_inbox_lists_marks_read_and_follows_links(client, review, facilitator, pat):
    reviews.participant_invite(facilitator, review, invitee=pat)
    client.force_login(pat)
    assert client.get(reverse("inbox-unread")).json() == {"unread": 1}
    page = client.get(reverse("inbox"))
    assert "You are invited to the review" in page.text and "1 unread" in page.text
    note = Notification.objects.get(recipient=pat)
    response = client.get(reverse("inbox-follow", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    assert client.get(reverse("inbox-unread")).json() == {"unread": 0}


def test_mark_all_read(client, review, facilitator, pat):
    reviews.participant_invite(facilitator, review, invitee=pat)
    reviews.review_start(facilitator, review)
    client.force_login(pat)
    client.post(reverse("inbox-read"), {"all": "1"})
    assert client.get(reverse("inbox-unread")).json() == {"unread": 0}


@pytest.mark.parametrize("bad", ["999999", "abc", "99999999999999999999999", "-1"])
def test_someone_elses_or_a_malformed_notification_is_not_found(client, review, facilitator, pat, staff, bad):
    reviews.participant_invite(facilitator, review, invitee=pat)
    client.force_login(staff)
    theirs = Notification.objects.get(recipient=pat)
    assert client.get(reverse("inbox-follow", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("inbox-follow", args=[bad])).status_code == 404
    client.post(reverse("inbox-read"), {"id": theirs.pk})
    client.post(reverse("inbox-read"), {"id": bad})
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_settings_page_saves_a_choice_and_refuses_a_bad_one(client, pat):
    client.force_login(pat)
    page = client.get(reverse("notification-settings"))
    assert "You are invited to a review" in page.text
    client.post(reverse("notification-settings"), {"review.invited": "digest"})
    assert NotificationChoice.objects.get(user=pat, kind="review.invited").channel == Channel.DIGEST
    response = client.post(reverse("notification-settings"), {"review.invited": "pigeon"}, follow=True)
    assert "is not a channel" in response.text
    assert NotificationChoice.objects.get(user=pat, kind="review.invited").channel == Channel.DIGEST


def test_one_click_mutes_a_review_from_its_page(client, review, facilitator, pat):
    reviews.participant_invite(facilitator, review, invitee=pat)
    client.force_login(pat)
    client.post(reverse("reviews:mute", args=[review.pk]), {"muted": "1"})
    assert "Muted: unmute" in client.get(review.get_absolute_url()).text
    reviews.review_start(facilitator, review)
    assert not Notification.objects.filter(recipient=pat, kind="review.started").exists()
    client.post(reverse("reviews:mute", args=[review.pk]), {"muted": "0"})
    assert "Mute this review" in client.get(review.get_absolute_url()).text


def test_a_review_one_may_not_see_cannot_be_muted(client, review, staff):
    client.force_login(staff)
    assert client.post(reverse("reviews:mute", args=[review.pk]), {"muted": "1"}).status_code == 404


def test_the_inbox_takes_the_same_queries_with_ten_times_the_notifications(
    client, review, facilitator, pat, django_assert_max_num_queries
):
    def add(count):
        Notification.objects.bulk_create(
            Notification(recipient=pat, kind="review.invited", key=f"k{Notification.objects.count()}-{i}", title="t")
            for i in range(count)
        )

    client.force_login(pat)
    add(3)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("inbox"))
    add(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("inbox"))


# The API ------------------------------------------------------------------------------------


def test_the_api_lists_ones_own_notifications_and_marks_them_read(api, review, facilitator, pat, staff):
    reviews.participant_invite(facilitator, review, invitee=pat)
    reviews.participant_invite(facilitator, review, invitee=staff)
    api.force_authenticate(pat)
    [mine] = api.get("/api/notifications/?unread=true").json()["results"]
    assert mine["title"].startswith("You are invited")
    theirs = Notification.objects.get(recipient=staff)
    assert api.get(f"/api/notifications/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/notifications/{theirs.pk}/read/").status_code == 404
    assert api.post(f"/api/notifications/{mine['id']}/read/").json()["read_at"] is not None
    assert api.get("/api/notifications/?unread=true").json()["results"] == []
    assert api.post("/api/notifications/read-all/").json() == {"marked": 0}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_someone_closed_after_being_told_is_not_mailed(review, facilitator, pat):
    reviews.participant_invite(facilitator, review, invitee=pat)
    pat.is_active = False
    pat.save()
    assert delivery.deliver_pending()["email"] == 0
    assert mail.outbox == [] and Notification.objects.get(recipient=pat).channel == Channel.SITE


def test_a_recognition_hidden_before_its_post_went_out_is_not_posted(slack, staff, governance):
    team = TeamFactory(slug="sre", name="SRE")
    given = recognition.recognition_give(staff, category="clear_ownership", message="Clear lead.", team=team)
    slack.down = True
    recognition.send_notices(given.pk)  # Slack is down: the post waits for the next run
    assert ChannelPost.objects.filter(sent_at__isnull=True).count() == 1
    recognition.recognition_hide(governance, given, reason="Names a person's mistake")
    slack.down = False
    delivery.deliver_pending()
    assert not ChannelPost.objects.exists()
    assert [channel for channel, _, _ in slack.posts if channel == "C0KUDOS"] == []


def test_a_participant_taken_off_a_draft_keeps_nothing_of_it_in_the_inbox(review, facilitator, pat):
    participant = reviews.participant_invite(facilitator, review, invitee=pat)
    reviews.review_start(facilitator, review)
    reviews.participant_remove(facilitator, participant)
    assert titles(pat) == []


def test_someone_taken_off_who_still_owns_an_action_item_keeps_the_notices(review, facilitator, pat):
    participant = reviews.participant_invite(facilitator, review, invitee=pat)
    reviews.action_item_add(
        facilitator, review, title="Page the owner", owner=pat, due_on=timezone.localdate() + timedelta(days=9)
    )
    reviews.participant_remove(facilitator, participant)
    assert len(titles(pat)) == 2  # they still see the review, through their action item
