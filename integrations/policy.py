"""Who may do what with integrations. Pages and services ask here.

| action                                                    | who                      |
|-----------------------------------------------------------|--------------------------|
| see sources and deliveries; connect, change, rotate a     | facilitators and admins  |
| source's secret; retry a delivery; link a record by hand  |                          |
| see where an imported fact came from on a review          | whoever may see the review |
"""

from core.roles import is_facilitator


def can_manage(user):
    return is_facilitator(user)
