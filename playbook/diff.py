"""Field-by-field comparison of two section contents, with changed words marked."""

import difflib
import re

from django.contrib.auth import get_user_model
from django.utils.html import escape
from django.utils.safestring import mark_safe

from playbook import ownership
from playbook.models import SectionContent
from reviews.models import OwnershipRole
from teams.models import Team

ROLES = OwnershipRole.values
TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(old, new):
    """(old_html, new_html): removed words in <del>, added words in <ins>."""
    a, b = TOKENS.findall(old or ""), TOKENS.findall(new or "")
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        removed, added = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(removed)
            right.append(added)
            continue
        if removed:
            left.append(f"<del>{removed}</del>")
        if added:
            right.append(f"<ins>{added}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 - every piece escaped


class Names:
    """Team and person names for ownership maps, loaded in two queries. Reads any stored
    map, well-formed or not (``playbook.ownership.entries``)."""

    def __init__(self, *contents):
        team_ids, person_ids = set(), set()
        for content in contents:
            for team, person in ownership.entries((content or {}).get("ownership_map"), ROLES).values():
                team_ids.add(team)
                person_ids.add(person)
        self.teams = dict(Team.objects.filter(pk__in=team_ids - {None}).values_list("pk", "name"))
        users = get_user_model().objects.filter(pk__in=person_ids - {None})
        self.people = {user.pk: user.get_full_name() or user.get_username() for user in users}

    def ownership_lines(self, mapping):
        lines = []
        entries = ownership.entries(mapping, ROLES)
        for role in OwnershipRole:
            team, person = entries[role.value]
            name = self.people.get(person)
            lines.append(f"{role.label}: {self.teams.get(team, '—')}" + (f" ({name})" if name else ""))
        return "\n".join(lines)


def as_text(field, value, names):
    if field == "ownership_map":
        return names.ownership_lines(value)
    if value is None:
        return ""
    return str(value)


def compare(old, new):
    """Rows of (label, old_html, new_html, changed) for every content field."""
    names = Names(old, new)
    rows = []
    for field in SectionContent.CONTENT_FIELDS:
        a, b = as_text(field, (old or {}).get(field), names), as_text(field, (new or {}).get(field), names)
        left, right = word_diff(a, b)
        rows.append(
            {
                "field": field,
                "label": SectionContent._meta.get_field(field).verbose_name,
                "old": left,
                "new": right,
                "changed": a != b,
            }
        )
    return rows
