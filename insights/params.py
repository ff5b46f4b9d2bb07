"""The Insights API's query parameters, checked: a bad one is a field error, never a quiet default.

``?quarter=2026-Q4``, or ``?from=YYYY-MM-DD&to=YYYY-MM-DD`` (both, inclusive), within the
window the figures cover: from 1970 to the end of the year ten years ahead, so no date
can overflow a bound. ``?exercises=exclude|only|include`` (real escalations by default).
With no period the figures are this quarter's. :data:`PARAMETERS` documents the same rules.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter

from core import moments
from core.quarters import Quarter
from insights import figures

EXERCISE_CHOICES = [("exclude", "Real escalations"), ("only", "Exercises only"), ("include", "Both")]
EXERCISES = tuple(value for value, _ in EXERCISE_CHOICES)
FIRST_YEAR = moments.EARLIEST.year
YEARS_AHEAD = moments.YEARS_AHEAD
MONTH_DAY = r"(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-9])|(0[13-9]|1[0-2])-30|(0[13578]|1[02])-31"


def window(today):
    """The first and last day a period may cover."""
    return date(FIRST_YEAR, 1, 1), date(today.year + YEARS_AHEAD, 12, 31)


def parse_insights_params(params, today=None):
    """``(period, exercises)`` for the query ``params``; a ValidationError naming each bad parameter."""
    today = today or timezone.localdate()
    first, last = window(today)
    errors = {}
    exercises = params.get("exercises") or "exclude"
    if exercises not in EXERCISES:
        errors["exercises"] = [f"Choose one of: {', '.join(EXERCISES)}."]
    quarter, start, end = (params.get(name, "") for name in ("quarter", "from", "to"))
    period = figures.Period.containing(today)
    if quarter:
        chosen = Quarter.parse(quarter, first_year=first.year, last_year=last.year)
        if start or end:
            errors["quarter"] = ["Give a quarter or a from and to date, not both."]
        elif chosen:
            period = figures.Period.of(chosen)
        else:
            errors["quarter"] = [f"Enter a quarter from {first.year}-Q1 to {last.year}-Q4, such as 2026-Q4."]
    elif start or end:
        start_day, end_day = (_day(errors, name, value, first, last) for name, value in (("from", start), ("to", end)))
        if start_day and end_day and end_day < start_day:
            errors["to"] = ["Enter a date on or after from."]
        elif start_day and end_day:
            period = figures.parse_period({"from": start, "to": end}, today)
    if errors:
        raise ValidationError(errors)
    return period, exercises


def _day(errors, name, value, first, last):
    """The date ``value`` names, or None with its error added to ``errors``."""
    if not value:
        errors[name] = ["Give both from and to."]
        return None
    try:
        day = date.fromisoformat(value) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) else None
    except ValueError:
        day = None
    if day is None:
        errors[name] = ["Enter a valid date, such as 2026-10-01."]
    elif not first <= day <= last:
        errors[name] = [f"Enter a date from {first.isoformat()} to {last.isoformat()}."]
        day = None
    return day


def _years(first, last):
    """A regular expression for the years ``first`` to ``last``, one alternative per decade."""
    decades = range(first // 10, last // 10 + 1)
    return "|".join(f"{d}[{max(first, d * 10) % 10}-{min(last, d * 10 + 9) % 10}]" for d in decades)


def _parameters(today):
    first, last = window(today)
    years = _years(first.year, last.year)
    day = {"type": "string", "pattern": f"^({years})-({MONTH_DAY})$"}
    return [
        OpenApiParameter(
            "quarter",
            {"type": "string", "pattern": f"^({years})-Q[1-4]$"},
            description=f"{first.year}-Q1 to {last.year}-Q4, such as 2026-Q4 (default: this quarter).",
        ),
        OpenApiParameter("from", day, description=f"YYYY-MM-DD from {first} to {last}, with to."),
        OpenApiParameter("to", day, description="YYYY-MM-DD, inclusive, on or after from."),
        OpenApiParameter("exercises", str, enum=EXERCISES, description="Real escalations by default."),
    ]


#: The parameters for the view's ``extend_schema``: the same window, as of when the process started.
PARAMETERS = _parameters(timezone.localdate())
