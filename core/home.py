"""The home page: each app says what is waiting for the signed-in person.

An app contributes a function ``panels(request)`` returning a list of
:class:`Panel`, registered from its AppConfig.ready() with :func:`register`,
so core knows no app.
"""

from dataclasses import dataclass, field

_PANELS = []  # (order, function)


@dataclass
class Panel:
    title: str
    # (label, url, note) triples; an empty list shows ``empty``.
    items: list = field(default_factory=list)
    empty: str = ""
    link: tuple | None = None  # (url, label) for "see all"
    tone: str = ""  # "attention" draws the eye to work that is due


def register(panels, order):
    """Show ``panels(request)``'s panels on the home page, lower ``order`` first. Idempotent."""
    if all(function is not panels for _, function in _PANELS):
        _PANELS.append((order, panels))
        _PANELS.sort(key=lambda entry: entry[0])


def panels_for(request):
    return [panel for _, function in _PANELS for panel in function(request)]
