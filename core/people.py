"""Choosing a person: fields, a widget and a search that do not render the organisation.

A ``<select>`` of every person is fine for a team of fifty and unusable (and slow to render)
for an organisation of four thousand. :class:`PersonPicker` lists people in a select while there
are at most ``PEOPLE_SELECT_MAX`` of them; beyond that it is a text field where one types a
name, username or email, and ``static/js/people.js`` turns it into an accessible combobox that
suggests people from :func:`search` (``/people/?q=``). Without JavaScript the text field still
works: :class:`PersonChoiceField` finds the person from what was typed.
"""

import re

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import JsonResponse
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from core.ids import parse_id
from core.widgets import FastSelect

User = get_user_model()

SUGGESTIONS = 10
MAX_QUERY = 100  # characters of a search that are read
LABELLED = re.compile(r"\(([^()]+)\)\s*$")  # "Priya Raman (priya)": the username in brackets


def people():
    """Everyone who can be chosen: active accounts, by name."""
    return (
        User.objects.filter(is_active=True)
        .only("pk", "first_name", "last_name", "username")
        .order_by("first_name", "last_name", "username")
    )


def name_of(first, last, username):
    return f"{first} {last}".strip() or username


def labelled(first, last, username):
    """How a chosen person reads in the text field: a name, and the username that finds them
    (always in brackets, so a username of digits is never read as an id)."""
    return f"{name_of(first, last, username)} ({username})"


class PeopleIterator(forms.models.ModelChoiceIterator):
    """The choices as (id, name) rows straight from the database: no User objects."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, first, last, username in self.queryset.values_list("pk", "first_name", "last_name", "username"):
            yield (pk, name_of(first, last, username))

    def __len__(self):
        return self.queryset.count() + (1 if self.field.empty_label is not None else 0)


class PersonPicker(FastSelect):
    """A select of the people while they are few; a searchable text field when they are many.

    Either way it costs one query: the first ``PEOPLE_SELECT_MAX + 1`` people (and, in the text
    field, one more to show the person already chosen)."""

    def render(self, name, value, attrs=None, renderer=None):
        limit = settings.PEOPLE_SELECT_MAX
        queryset = self.choices.queryset
        rows = list(queryset.values_list("pk", "first_name", "last_name", "username")[: limit + 1])
        if len(rows) <= limit:
            field = self.choices.field
            empty = [("", field.empty_label)] if field.empty_label is not None else []
            self.choices = empty + [(pk, name_of(first, last, username)) for pk, first, last, username in rows]
            return super().render(name, value, attrs, renderer)
        return self._text(name, value, self.build_attrs(self.attrs, attrs))

    def _text(self, name, value, attrs):
        pk = parse_id(value)
        shown = "" if pk is not None else (value if isinstance(value, str) else "")
        if pk is not None:
            row = User.objects.filter(pk=pk).values_list("first_name", "last_name", "username").first()
            shown = labelled(*row) if row else ""
        attrs = {
            **attrs,
            "type": "text",
            "name": name,
            "value": shown,
            "autocomplete": "off",
            "spellcheck": "false",
            "data-people-search": reverse("people"),
            "placeholder": "Type a name, username or email",
        }
        rendered = " ".join(
            f'{key}="{escape(val)}"' if val is not True else key
            for key, val in attrs.items()
            if val not in (None, False)
        )
        return format_html("<input {}>", SafeString(rendered))


class PersonChoiceField(forms.ModelChoiceField):
    """A person, by id (a select, the API) or by what was typed: "Name (username)", a username
    or an email address. Only people of the field's queryset can be chosen."""

    widget = PersonPicker
    iterator = PeopleIterator
    default_error_messages = {
        "invalid_choice": "Choose a person from the list.",
        "unknown": "Nobody by that name: type their username or email, or pick one of the suggestions.",
        "ambiguous": "More than one person matches: type their username or email.",
    }

    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model):
            return super().to_python(value)
        text = str(value).strip()
        if "\x00" in text:  # no name holds one, and PostgreSQL refuses to compare with it
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        if parse_id(text) is not None:
            return super().to_python(text)
        if bracketed := LABELLED.search(text):
            text = bracketed.group(1).strip()
        matches = list(self.queryset.filter(Q(username__iexact=text) | Q(email__iexact=text))[:2])
        if not matches:
            first, _, last = text.partition(" ")
            by_name = Q(first_name__iexact=first, last_name__iexact=last.strip()) if last else Q(pk__in=[])
            matches = list(self.queryset.filter(by_name)[:2])
        if len(matches) > 1:
            raise ValidationError(self.error_messages["ambiguous"], code="ambiguous")
        if not matches:
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        return matches[0]


def search(text, queryset=None):
    """Up to ``SUGGESTIONS`` people whose name, username or email contains every word of
    ``text``: [{"id", "name", "username", "label"}]."""
    words = text.replace("\x00", "").split()[:5]
    if not words:
        return []
    queryset = people() if queryset is None else queryset
    for word in words:
        queryset = queryset.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(email__iexact=word)  # whole addresses only: no spelling out someone's email letter by letter
        )
    rows = queryset.values_list("pk", "first_name", "last_name", "username")[:SUGGESTIONS]
    return [
        {"id": pk, "name": name_of(first, last, user), "username": user, "label": labelled(first, last, user)}
        for pk, first, last, user in rows
    ]


@require_safe
def people_search(request):
    """``GET /people/?q=pri``: the suggestions of the person pickers, for anyone signed in."""
    text = request.GET.get("q", "")[:MAX_QUERY].replace("\x00", "")
    return JsonResponse({"results": search(text)})
