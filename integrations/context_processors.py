from integrations import policy


def nav(request):
    user = getattr(request, "user", None)
    return {"can_see_integrations": bool(user is not None and user.is_authenticated and policy.can_manage(user))}
