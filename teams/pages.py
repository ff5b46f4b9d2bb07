"""What other apps add to a team's page, registered from their AppConfig.ready().

Teams are the directory the other apps build on, so teams imports none of them: an app
that has something to say about a team (recognition: what it was recognised for)
registers a section, a template and a function giving its context.
"""

from dataclasses import dataclass

_SECTIONS = []  # (order, template, context function)


@dataclass
class Section:
    template: str
    context: dict


def register(template, context, order):
    """Show ``template`` on every team page with ``context(request, team)``; lower ``order`` first."""
    if all(entry[1] != template for entry in _SECTIONS):
        _SECTIONS.append((order, template, context))
        _SECTIONS.sort(key=lambda entry: entry[0])


def sections_for(request, team):
    return [Section(template, context(request, team)) for _, template, context in _SECTIONS]
