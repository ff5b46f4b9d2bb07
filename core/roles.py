"""Who holds which Baton role. The one place that maps people to roles.

- staff: every signed-in person
- facilitator: member of the *facilitators* group
- governance owner: member of the *governance* group
- admin: superuser
"""

FACILITATORS = "facilitators"
GOVERNANCE = "governance"
ROLE_GROUPS = (FACILITATORS, GOVERNANCE)

STAFF_LABEL = "Staff"
FACILITATOR_LABEL = "Facilitator"
GOVERNANCE_LABEL = "Governance owner"
ADMIN_LABEL = "Admin"


def ensure_role_groups(group_model=None):
    """Create the role groups if they are missing (migration and post-migrate)."""
    if group_model is None:
        # This module has no Django imports so that anything may import it before the app registry is ready.
        from django.contrib.auth.models import Group as group_model
    for name in ROLE_GROUPS:
        group_model.objects.get_or_create(name=name)


def group_names(user):
    """The user's role group names, fetched once per user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_baton_group_names", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLE_GROUPS).values_list("name", flat=True))
        user._baton_group_names = cached
    return cached


def is_facilitator(user):
    return user.is_authenticated and (user.is_superuser or FACILITATORS in group_names(user))


def is_governance(user):
    return user.is_authenticated and (user.is_superuser or GOVERNANCE in group_names(user))


def role_labels(user):
    """Human-readable roles for display, most specific last."""
    if not user.is_authenticated:
        return []
    labels = [STAFF_LABEL]
    names = group_names(user)
    if FACILITATORS in names:
        labels.append(FACILITATOR_LABEL)
    if GOVERNANCE in names:
        labels.append(GOVERNANCE_LABEL)
    if user.is_superuser:
        labels.append(ADMIN_LABEL)
    return labels
