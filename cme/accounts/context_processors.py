from cme.accounts.scope import acting_org, role_of


def acting_for(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"acting_org": acting_org(user), "acting_role": role_of(user)}
