from django.db.models import QuerySet

from cme.accounts.scope import in_scope, one_or_404
from cme.orgs.models import Organisation


def orgs_visible_to(user) -> QuerySet[Organisation]:
    qs = Organisation.objects.select_related("region", "licensing_authority", "parent")
    return in_scope(qs, user, "")


def org_for(user, pk: int) -> Organisation:
    """The organisation if the user may see it; NotFound (404) otherwise, existing or not."""
    return one_or_404(orgs_visible_to(user), pk)


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
