"""Who may do what on the recognition board.

| action                                   | who                                             |
|------------------------------------------|-------------------------------------------------|
| read the board                           | every signed-in person (hidden ones: governance) |
| give a recognition                       | anyone signed in; not to themself or own team   |
| second a recognition                     | anyone signed in, once, never their own          |
| hide a recognition (with a reason)       | governance owners                                |
"""

from teams.roles import is_governance


def can_give(user):
    return user.is_authenticated


def can_hide(user):
    return is_governance(user)
