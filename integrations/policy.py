"""Who may do what with integrations. Pages and services ask here.

| action                                                    | who                      |
|-----------------------------------------------------------|--------------------------|
| see sources and deliveries; connect, change, rotate a     | facilitators and admins  |
| source's secret; retry a delivery; link a record by hand  |                          |
| see where an imported fact came from on a review          | whoever may see the review |
| subscribe an address to Baton's events (outgoing webhooks)| admins                   |
"""

from core.roles import is_facilitator


def can_manage(user):
    return is_facilitator(user)


def can_manage_webhooks(user):
    """Outgoing webhooks carry every review's and action item's text: admins only."""
    return bool(user.is_active and user.is_superuser)
