"""Who may do what with Insights. Every figure, list and export counts only the reviews
its reader may open (reviews.policy.visible_reviews, applied in insights/figures.py).

| action                     | who                                 |
|----------------------------|-------------------------------------|
| read Insights and exports  | every signed-in person (their reviews) |
| share a customer snapshot  | facilitators and governance owners  |
| revoke a share link        | its creator, or a governance owner  |
"""

from core.roles import is_facilitator, is_governance


def can_share_snapshot(user):
    return is_facilitator(user) or is_governance(user)


def can_revoke_share_link(user, link):
    return link.created_by_id == user.pk or is_governance(user)
