from core.audit import can_view as can_see_audit
from core.roles import role_labels


def roles(request):
    user = getattr(request, "user", None)
    if user is None:
        return {"user_roles": [], "can_see_audit": False}
    return {"user_roles": role_labels(user), "can_see_audit": can_see_audit(user)}
