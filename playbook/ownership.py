"""The ownership map of a playbook section: ``{role: {"team": team id | None, "person": user id | None}}``.

Pure, free of Django, so it is tested with plain values. ``shape_errors`` says what is wrong
with a value given on input (a string, null, a list, an entry that is not an object, an unknown
key, an id that is not a positive whole number a database column holds). ``entries`` reads any
stored value into well-formed entries without failing, so a value saved before the check existed
never breaks a page: what is not an id reads as "no team" / "no person".
"""

from core.ids import MAX_ID

KEYS = ("team", "person")
SHOWN = 40  # characters of an unknown key quoted back in a message


def is_id(value):
    return type(value) is int and 1 <= value <= MAX_ID  # not a bool, a float or a numeric string


def shape_errors(value, roles):
    """Messages for a value that is not an ownership map of ``roles`` (none if it is one)."""
    if not isinstance(value, dict):
        return ["The ownership map must be an object mapping each role to a team and optionally a person."]
    errors = []
    unknown = sorted(str(role)[:SHOWN] for role in value if role not in roles)
    if unknown:
        errors.append(f"Unknown roles: {', '.join(unknown)}.")
    for role, entry in value.items():
        if role not in roles:
            continue
        if not isinstance(entry, dict):
            errors.append(f'{role}: give an object such as {{"team": 3, "person": 7}}.')
            continue
        extra = sorted(str(key)[:SHOWN] for key in entry if key not in KEYS)
        if extra:
            errors.append(f"{role}: unknown keys {', '.join(extra)} (only team and person).")
        errors += [
            f"{role}: {key} must be the id of a {key}, or null."
            for key in KEYS
            if entry.get(key) is not None and not is_id(entry[key])
        ]
    return errors


def entries(value, roles):
    """``{role: (team id | None, person id | None)}`` for every role, whatever ``value`` holds."""
    mapping = value if isinstance(value, dict) else {}
    result = {}
    for role in roles:
        entry = mapping.get(role)
        entry = entry if isinstance(entry, dict) else {}
        result[role] = tuple(entry.get(key) if is_id(entry.get(key)) else None for key in KEYS)
    return result
