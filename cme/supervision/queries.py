from django.db.models import Q, QuerySet

from cme.orgs.models import Organisation
from cme.people.models import Person
from cme.supervision.models import Sanction, UnitQuota

BARRING = (Sanction.Kind.BAR_UNIT, Sanction.Kind.SUSPEND_LEADER)


def barring_sanctions(
    year: int, *, unit: Organisation | None = None, person: Person | None = None
) -> QuerySet[Sanction]:
    """Sanctions in force in `year` that bar this unit or suspend this leader (SPONSOR_SANCTIONED)."""
    subject = Q()
    if unit is not None:
        subject |= Q(organisation=unit, kind=Sanction.Kind.BAR_UNIT)
    if person is not None:
        subject |= Q(person=person, kind=Sanction.Kind.SUSPEND_LEADER)
    if not subject:
        return Sanction.objects.none()
    return Sanction.objects.filter(
        subject, from_year__lte=year, to_year__gte=year, revoked_at__isnull=True
    )


def quota_for(unit: Organisation, year: int, level: str) -> UnitQuota | None:
    return UnitQuota.objects.filter(unit=unit, year=year, level=level).first()
