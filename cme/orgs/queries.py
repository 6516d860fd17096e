from django.db.models import QuerySet

from cme.accounts.scope import scope_path
from cme.core.errors import NotFound
from cme.orgs.models import Organisation


def orgs_visible_to(user) -> QuerySet[Organisation]:
    path = scope_path(user)
    qs = Organisation.objects.select_related("region", "licensing_authority", "parent")
    if path is None:
        return qs.none()
    return qs.filter(tree_path__startswith=path) if path else qs


def org_for(user, pk: int) -> Organisation:
    """The organisation if the user may see it; NotFound (404) otherwise, existing or not."""
    try:
        return orgs_visible_to(user).get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def authorities_for_applications() -> QuerySet[Organisation]:
    """Licensing authorities an applicant can choose (province, cities, counties)."""
    return (
        Organisation.objects.filter(
            kind=Organisation.Kind.AUTHORITY, status=Organisation.Status.ACTIVE
        )
        .exclude(region__isnull=True)
        .select_related("region")
        .order_by("region_id")
    )
