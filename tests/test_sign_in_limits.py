"""Sign-in is rate limited: repeated wrong passwords lock the username for that address."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings


def _attempt(client, username, password, ip="203.0.113.7"):
    return client.post("/sign-in/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_wrong_passwords_lock_the_account_for_that_address(client, staff, password):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        response = _attempt(client, "staff", "wrong")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    response = _attempt(client, "staff", "wrong")
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert "15 min" in response.content.decode()

    # Even the right password is refused while locked out ...
    response = _attempt(client, "staff", password)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # ... from that address; another address may still sign in.
    response = _attempt(client, "staff", password, ip="198.51.100.2")
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_success_before_the_limit_resets_the_count(client, staff, password):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, "staff", "wrong")
    assert _attempt(client, "staff", password).status_code == 302
    assert not AccessAttempt.objects.filter(username="staff").exists()


def test_the_lock_expires_after_the_cool_off(client, staff, password):
    import time_machine
    from django.utils import timezone

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "staff", "wrong")
    assert _attempt(client, "staff", password).status_code == 429
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timezone.timedelta(seconds=5)):
        assert _attempt(client, "staff", password).status_code == 302


@pytest.mark.parametrize("username", ["staff", "nobody-here"])
def test_unknown_and_known_usernames_are_limited_alike(client, staff, username):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _attempt(client, username, "wrong")
    assert response.status_code == 429
