"""The integrations pages (facilitators and admins) and the endpoint the tools send to."""

import json
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST, require_safe

from core import once
from core.errors import error_text
from core.forms import add_service_errors
from core.ids import parse_id
from core.paging import CappedPaginator
from integrations import apply, parsers, policy, services, trackers
from integrations.events import Unparseable
from integrations.forms import LinkForm, RotateForm, SourceForm, SubscriptionForm, pretty
from integrations.models import Delivery, DeliveryStatus, Source, SourceKind, Subscription, TrackerLink
from integrations.parsers.slack import USAGE
from integrations.signatures import Unverified, verify
from reviews import selectors
from reviews.models import ActionItem

TOKEN = re.compile(r"[A-Za-z0-9_-]{1,32}")
SHOWN_SECRET = "integrations_new_secret"  # noqa: S105 (the session key, not a secret)
PAGE_SIZE = 50


def _require_manager(request):
    if not policy.can_manage(request.user):
        raise PermissionDenied("Only facilitators and admins see integrations.")


def _get(model, pk, **related):
    number = parse_id(pk)
    queryset = model.objects.filter(pk=number)
    if related.get("select"):
        queryset = queryset.select_related(*related["select"])
    obj = queryset.first() if number else None
    if obj is None:
        raise Http404
    return obj


@require_safe
def index(request):
    _require_manager(request)
    status = request.GET.get("status", "")
    deliveries = Delivery.objects.select_related("source", "record").only(
        "id",
        "event_type",
        "received_at",
        "status",
        "reason",
        "imported",
        "source__name",
        "source__kind",
        "record__external_id",
        "record__incident_id",
    )
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    page = CappedPaginator(deliveries.order_by("-received_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "sources": Source.objects.select_related("team").order_by("name"),
        "page": page,
        "status": status,
        "statuses": DeliveryStatus.choices,
        "query": f"status={status}" if status in DeliveryStatus.values else "",
        "can_manage_webhooks": policy.can_manage_webhooks(request.user),
    }
    return render(request, "integrations/index.html", context)


@sensitive_post_parameters("secret", "api_token")
def source_create(request):
    _require_manager(request)
    form = SourceForm(request.POST if request.method == "POST" else None, initial={"rule_tags": "escalated"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create():
            source, secret = services.source_create(
                request.user, secret=data.pop("secret"), api_token=data.pop("api_token"), **data
            )
            request.session[SHOWN_SECRET] = {"source": source.pk, "secret": secret}
            return source, source.get_absolute_url()

        try:
            return once.landed(request, once.submit(request, create))
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, "integrations/source_form.html", {"form": form}, status=400 if form.errors else 200)


@sensitive_variables("shown")
@sensitive_post_parameters("api_token")
def source_detail(request, pk):
    _require_manager(request)
    source = _get(Source, pk, select=("team",))
    form = SourceForm(request.POST if request.method == "POST" else None, instance=source, editing=True)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.source_update(request.user, source, api_token=data.pop("api_token"), **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Saved.")
                return redirect(source)
        source.refresh_from_db()
    shown = request.session.pop(SHOWN_SECRET, None)
    secret = shown["secret"] if isinstance(shown, dict) and shown.get("source") == source.pk else None
    context = {
        "source": source,
        "form": form,
        "rotate_form": RotateForm(),
        "secret": secret,
        "webhook_url": request.build_absolute_uri(source.webhook_path()),
        "recent": source.deliveries.only("id", "event_type", "received_at", "status", "reason")[:10],
        "now": timezone.now(),
        "made_by_tool": source.kind in (SourceKind.ZENDESK, SourceKind.PAGERDUTY, SourceKind.SLACK),
    }
    response = render(request, "integrations/source_detail.html", context, status=400 if form.errors else 200)
    if secret:
        add_never_cache_headers(response)
    return response


@require_POST
@sensitive_post_parameters("secret")
def source_rotate(request, pk):
    _require_manager(request)
    source = _get(Source, pk)
    form = RotateForm(request.POST)
    if form.is_valid():
        try:
            secret = services.source_rotate_secret(request.user, source, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            request.session[SHOWN_SECRET] = {"source": source.pk, "secret": secret}
    else:
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    return redirect(source)


@require_safe
def delivery_detail(request, pk):
    _require_manager(request)
    delivery = _get(Delivery, pk, select=("source", "record__incident__review"))
    facts = delivery.facts.select_related("entry").order_by("at", "id")
    context = {"delivery": delivery, "body": pretty(delivery.body), "facts": facts}
    return render(request, "integrations/delivery_detail.html", context)


@require_POST
def delivery_retry(request, pk):
    _require_manager(request)
    delivery = _get(Delivery, pk)
    try:
        services.delivery_retry(request.user, delivery)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, "Queued to be applied again.")
    return redirect(delivery)


@require_POST
def record_link(request, review_pk):
    review = selectors.review_or_404(request.user, review_pk)
    _require_manager(request)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            services.record_link(request.user, review.incident, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "Linked: what the tool sent about it is being applied.")
    else:
        messages.error(request, "Choose a source and give the record's id.")
    return redirect(review.get_absolute_url() + "#sources")


# Outgoing webhooks (admins) ----------------------------------------------------

SHOWN_WEBHOOK_SECRET = "integrations_new_webhook_secret"  # noqa: S105 (the session key, not a secret)


def _require_webhook_admin(request):
    if not policy.can_manage_webhooks(request.user):
        raise PermissionDenied("Only admins subscribe addresses to Baton's events.")


@require_safe
def webhooks(request):
    _require_webhook_admin(request)
    subscriptions = Subscription.objects.select_related("owner").order_by("name", "pk")
    return render(request, "integrations/webhooks.html", {"subscriptions": subscriptions})


def webhook_create(request):
    _require_webhook_admin(request)
    form = SubscriptionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():

        def create():
            subscription, secret = services.subscription_create(request.user, **form.cleaned_data)
            request.session[SHOWN_WEBHOOK_SECRET] = {"subscription": subscription.pk, "secret": secret}
            return subscription, subscription.get_absolute_url()

        try:
            return once.landed(request, once.submit(request, create))
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, "integrations/webhook_form.html", {"form": form}, status=400 if form.errors else 200)


@sensitive_variables("shown", "secret")
def webhook_detail(request, pk):
    _require_webhook_admin(request)
    subscription = _get(Subscription, pk, select=("owner",))
    initial = {field: getattr(subscription, field) for field in services.SUBSCRIPTION_FIELDS}
    form = SubscriptionForm(
        request.POST if request.method == "POST" else None,
        initial=initial | {"version": subscription.version},
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.subscription_update(request.user, subscription, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect(subscription)
    shown = request.session.pop(SHOWN_WEBHOOK_SECRET, None)
    secret = shown["secret"] if isinstance(shown, dict) and shown.get("subscription") == subscription.pk else None
    log = CappedPaginator(subscription.messages.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"subscription": subscription, "form": form, "secret": secret, "page": log, "query": ""}
    response = render(request, "integrations/webhook_detail.html", context, status=400 if form.errors else 200)
    if secret:
        add_never_cache_headers(response)
    return response


@require_POST
def webhook_remove(request, pk):
    _require_webhook_admin(request)
    subscription = _get(Subscription, pk)
    services.subscription_delete(request.user, subscription)
    messages.success(request, f"Removed “{subscription.name}”: nothing more is sent to it.")
    return redirect("integrations:webhooks")


# Action items in the engineering tracker -------------------------------------


@require_POST
def send_to_tracker(request, item_pk):
    item = ActionItem.objects.filter(pk=parse_id(item_pk)).first() if parse_id(item_pk) else None
    if item is None:
        raise Http404
    review = selectors.review_or_404(request.user, item.review_id)
    try:
        link = services.action_item_send_to_tracker(request.user, item)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            f"Sending “{item.title}” to {trackers.TRACKERS[link.tracker].NAME}: its key shows here in a moment.",
        )
    return redirect(review.get_absolute_url() + "#actions")


@login_not_required
@csrf_exempt
def tracker_webhook(request, name):
    """The tracker tells Baton an issue changed: verified first, nothing stored; a done issue makes
    its action item done."""
    if request.method != "POST":
        return _answer(405, detail="Send events with POST.")
    tracker = trackers.TRACKERS.get(name)
    if tracker is None or trackers.current() is not tracker:
        return _answer(404, detail="No tracker answers at this address.")
    try:
        key, done = tracker.webhook(request.headers, request.body)
    except Unverified as error:
        return _answer(401, detail=str(error))
    except (ValueError, RecursionError):
        return _answer(400, detail="The body is not JSON.")
    link = TrackerLink.objects.filter(tracker=name, key=key).first() if key else None
    if link is None or not done:
        return _answer(200, status="ignored")
    changed = services.tracker_done(link, via="its webhook")
    return _answer(200, status="applied" if changed else "unchanged")


# The receiving endpoint ------------------------------------------------------


def _answer(code, **body):
    return JsonResponse(body, status=code)


@login_not_required
@csrf_exempt
@sensitive_variables("source")
def receive(request, token):
    """Verify, store, answer: applying happens in a task (integrations.tasks.apply_delivery)."""
    if request.method != "POST":
        return _answer(405, detail="Send events with POST.")
    source = Source.objects.filter(token=token, enabled=True).first() if TOKEN.fullmatch(token) else None
    if source is None:
        return _answer(404, detail="No source answers at this address.")
    body = request.body
    try:
        verify(source, request.headers, body)
    except Unverified as error:
        return _answer(401, detail=str(error))
    content_type = request.headers.get("Content-Type", "")
    if source.kind == SourceKind.SLACK and content_type.startswith("application/json"):
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):
            payload = None
        if isinstance(payload, dict) and payload.get("type") == "url_verification":
            return _answer(200, challenge=str(payload.get("challenge", ""))[:200])
    delivery, created = services.delivery_receive(source, headers=request.headers, body=body, content_type=content_type)
    if source.kind == SourceKind.SLACK and content_type.startswith(parsers.FORM):
        return _slash_reply(delivery)
    return _answer(202 if created else 200, status="received" if created else "duplicate", delivery=delivery.pk)


def _slash_reply(delivery):
    """Slack shows the answer to a slash command to the person who typed it: apply it now and say what happened."""
    try:
        event = parsers.parse(delivery)
    except Unparseable as error:
        return _answer(200, response_type="ephemeral", text=str(error))
    status = apply.delivery_apply(delivery.pk)
    delivery.refresh_from_db()
    if event is None:
        return _answer(200, response_type="ephemeral", text=USAGE)
    reply = event.reply
    if status == DeliveryStatus.IGNORED and event.link_incident is None:
        reply = "This channel is not linked to an escalation yet: `/baton link <incident number>`."
    elif status != DeliveryStatus.APPLIED or delivery.reason:
        reply = f"Not recorded: {delivery.reason or 'see the integrations page in Baton.'}"
    return _answer(200, response_type="ephemeral", text=reply)
