"""The home page: each app says what is waiting for the signed-in person.

An app contributes by defining ``panels(request)`` in its ``home.py``,
returning a list of :class:`Panel`.
"""

from dataclasses import dataclass, field
from importlib import import_module

HOME_APPS = ("reviews", "playbook", "recognition", "teams")


@dataclass
class Panel:
    title: str
    # (label, url, note) triples; an empty list shows ``empty``.
    items: list = field(default_factory=list)
    empty: str = ""
    link: tuple | None = None  # (url, label) for "see all"
    tone: str = ""  # "attention" draws the eye to work that is due


def panels_for(request):
    panels = []
    for app in HOME_APPS:
        panels.extend(import_module(f"{app}.home").panels(request))
    return panels
