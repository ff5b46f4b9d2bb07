"""Sources and deliveries in the API: facilitators and admins only, never a secret, a retry."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations import apply, services
from integrations.models import Delivery, DeliveryStatus, SourceKind
from tests import vendors

pytestmark = pytest.mark.django_db


@pytest.fixture
def jira(facilitator):
    return services.source_create(
        facilitator, kind=SourceKind.JIRA, name="Jira", rule_tags="escalated", api_token="tok-api-123"
    )


def store(source, payload):
    body = vendors.encode(payload)
    delivery, _ = services.delivery_receive(source, headers={}, body=body, content_type="application/json")
    apply.delivery_apply(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def test_sources_and_deliveries_read_without_a_secret_and_a_failed_one_is_retried(api, facilitator, staff, jira):
    source, secret = jira
    applied = store(source, vendors.fixture("jira/01_issue_created"))
    failed = store(source, vendors.fixture("jira/02_issue_updated_assignee") | {"timestamp": "later"})
    api.force_authenticate(staff)
    assert api.get("/api/integrations/sources/").status_code == 403
    api.force_authenticate(facilitator)

    sources = api.get("/api/integrations/sources/")
    assert sources.status_code == 200
    text = sources.content.decode()
    assert secret not in text and "tok-api-123" not in text
    [shown] = sources.json()["results"]
    assert shown["has_api_token"] is True and shown["webhook_url"].endswith(source.webhook_path())

    listing = api.get("/api/integrations/deliveries/?status=failed").json()
    assert [d["id"] for d in listing["results"]] == [failed.pk] and "count" not in listing
    assert listing["results"][0]["reason"] == "The timestamp “later” is not a timestamp."
    detail = api.get(f"/api/integrations/deliveries/{applied.pk}/").json()
    assert detail["incident"] is not None and "body" in detail
    assert [(fact["label"], fact["applied"]) for fact in detail["facts"]] == [("Escalated", True)]

    again = api.post(f"/api/integrations/deliveries/{failed.pk}/retry/")
    assert again.status_code == 200 and again.json()["status"] == DeliveryStatus.RECEIVED
    refused = api.post(f"/api/integrations/deliveries/{applied.pk}/retry/")
    assert refused.status_code == 400 and "failed or ignored" in refused.content.decode()
    for bad in ("?status=maybe", "?source=abc"):
        assert api.get(f"/api/integrations/deliveries/{bad}").status_code == 400, bad
    assert api.get("/api/integrations/deliveries/abc/").status_code == 404


def test_the_delivery_list_makes_the_same_number_of_queries_however_long(api, facilitator, jira):
    source, _ = jira
    api.force_authenticate(facilitator)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/integrations/deliveries/").status_code == 200
        return len(queries.captured_queries)

    store(source, vendors.fixture("jira/01_issue_created"))
    few = count()
    for number in range(30):
        store(source, vendors.fixture("jira/01_issue_created") | {"timestamp": 1793611800001 + number})
    assert Delivery.objects.count() == 31
    assert count() == few
