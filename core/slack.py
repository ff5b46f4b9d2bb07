"""Baton's messages to Slack through the official ``slack_sdk``: direct messages to a person found by
email (``users.lookupByEmail``) and posts to configured channels, as Block Kit with a link back.

Slack's rate limits are honoured: a 429 answer is retried after its ``Retry-After`` seconds
(``SLACK_RATE_LIMIT_RETRIES`` times) before the send counts as failed and is retried by the next
delivery run. The bot token comes from the ``SLACK_BOT_TOKEN`` setting and is never shown.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.views.decorators.debug import sensitive_variables
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

SECTION_LIMIT = 2900  # Block Kit allows 3,000 characters in a section's text
PERSON_CACHE_SECONDS = 24 * 3600


class NotInSlack(Exception):
    """The person has no Slack account with their Baton email address."""


@sensitive_variables("token")
def client():
    token = settings.SLACK_BOT_TOKEN
    web = WebClient(token=token, base_url=settings.SLACK_API_URL, timeout=settings.SLACK_TIMEOUT)
    web.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=settings.SLACK_RATE_LIMIT_RETRIES))
    return web


def person(web, email):
    """The Slack user id of the person with ``email`` (kept a day); NotInSlack if there is none."""
    key = "slack-user:" + hashlib.sha256(email.lower().encode()).hexdigest()
    found = cache.get(key)
    if found:
        return found
    try:
        answer = web.users_lookupByEmail(email=email)
    except SlackApiError as error:
        if error.response.get("error") == "users_not_found":
            raise NotInSlack(email) from None
        raise
    found = answer["user"]["id"]
    cache.set(key, found, PERSON_CACHE_SECONDS)
    return found


def escape(text):
    """Slack's three control characters, escaped as its formatting docs say."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def blocks(title, text, url):
    body = f"*{escape(title)}*"
    if text:
        body += "\n" + escape(text)
    section = {"type": "section", "text": {"type": "mrkdwn", "text": body[:SECTION_LIMIT]}}
    if not url:
        return [section]
    button = {"type": "button", "text": {"type": "plain_text", "text": "Open in Baton"}, "url": url}
    return [section, {"type": "actions", "elements": [button]}]


def send(web, channel, title, text, url):
    """Post to a channel (a name or id) or, given a user id, to the person's direct messages."""
    web.chat_postMessage(channel=channel, text=title, blocks=blocks(title, text, url), unfurl_links=False)
