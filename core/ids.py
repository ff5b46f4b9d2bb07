"""Ids that come from outside (a query string, a form, a header): numbers a database column holds, or nothing.

``str.isdigit`` is not enough: it accepts "²" and "١", which ``int()`` or the
database then refuse with a server error.
"""

import re

MAX_ID = 2**63 - 1  # the largest id a database column holds
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(value):
    """``value`` as a positive database id, or None for anything else."""
    text = str(value) if value is not None else ""
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
