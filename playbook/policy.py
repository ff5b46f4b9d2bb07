"""Who may do what with the playbook.

| action                                            | who                               |
|---------------------------------------------------|-----------------------------------|
| read the published playbook and every version     | every signed-in person            |
| propose a revision, edit/submit/withdraw/rebase it | anyone signed in; editing only by its author |
| approve or reject a revision                      | governance owners, never the author (four eyes) |
| see the quarterly cycle page                      | governance owners                 |
| complete a quarterly review task                  | its assignee, or a governance owner |
"""

from teams.roles import is_governance


def can_propose(user):
    return user.is_authenticated


def can_decide(user):
    return is_governance(user)


def can_see_cycle(user):
    return is_governance(user)


def can_edit_revision(user, revision):
    """Editing, submitting, withdrawing and rebasing: the author only."""
    return revision.author_id == user.pk


def can_complete_task(user, task):
    return task.assignee_id == user.pk or is_governance(user)
