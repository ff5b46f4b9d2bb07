from teams.roles import role_labels


def roles(request):
    user = getattr(request, "user", None)
    return {"user_roles": role_labels(user) if user is not None else []}
