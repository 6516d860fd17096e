from cme.accounts.scope import acting_org, is_authority, manages_staff, role_of, scope_path


def acting_for(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "acting_org": acting_org(user),
        "acting_role": role_of(user),
        "nav": {
            "orgs": scope_path(user) is not None,
            "staff": manages_staff(user),
            "authority": is_authority(user),
        },
    }
