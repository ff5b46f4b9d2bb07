"""How Baton writes a length of time: one rule for pages, mail, exports and the API.

Pure: plain timedeltas and numbers in, text out.
"""


def format_duration(value):
    """'2 h 05 min', '3 d 4 h', '45 min' for a timedelta; '—' for None."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


def format_minutes(value):
    """120 → '2 h', 90 → '1 h 30 min', 45 → '45 min'; '—' for nothing."""
    if value in (None, ""):
        return "—"
    hours, mins = divmod(int(value), 60)
    if hours and mins:
        return f"{hours} h {mins} min"
    return f"{hours} h" if hours else f"{mins} min"
