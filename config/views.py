"""The home page and the health check (the answers to errors: core/error_views.py)."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from core.home import panels_for
from core.models import Heartbeat

logger = logging.getLogger(__name__)


@require_safe
def home(request):
    return render(request, "home.html", {"panels": panels_for(request)})


def _check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def _check_broker():
    from kombu import Connection  # only the health check opens a broker connection of its own

    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    try:
        with Connection(settings.CELERY_BROKER_URL, transport_options=options, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "transport": str(transport)}


def _check_worker():
    """A worker is alive when the beat-scheduled heartbeat ran recently."""

    try:
        beat = Heartbeat.objects.filter(name="worker").first()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": exc.__class__.__name__}
    if beat is None:
        return {"ok": False, "error": "no heartbeat yet"}
    age = (timezone.now() - beat.beat_at).total_seconds()
    return {
        "ok": age <= settings.HEARTBEAT_STALE_SECONDS,
        "last_heartbeat": beat.beat_at.isoformat(),
        "age_seconds": round(age, 1),
        "host": beat.worker,
    }


@login_not_required
@never_cache
@require_GET
def health(request):
    """Database, broker and worker/beat status as JSON; 503 unless all are up."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    checks["worker"] = _check_worker() if checks["database"]["ok"] else {"ok": False, "error": "database down"}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", "checks": checks}, status=200 if healthy else 503)
