"""Reads: sanctions in a user's scope, sanctions in force, quotas."""

from django.db.models import Q, QuerySet

from cme.accounts.scope import in_scope, is_authority, one_or_404
from cme.core import idnumbers
from cme.orgs.models import Organisation
from cme.people.models import Person
from cme.people.queries import persons_visible_to
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


def in_force(qs: QuerySet[Sanction], year: int) -> QuerySet[Sanction]:
    return qs.filter(from_year__lte=year, to_year__gte=year, revoked_at__isnull=True)


def active_sanctions_of(unit: Organisation, year: int) -> QuerySet[Sanction]:
    """Sanctions in force in `year` on the unit itself or on a person of the unit (its page)."""
    qs = Sanction.objects.filter(Q(organisation=unit) | Q(person__unit=unit))
    return in_force(qs, year).select_related("organisation", "person", "decided_by")


def sanctions_visible_to(user) -> QuerySet[Sanction]:
    """Authorities see the sanctions on units (or persons of units) of their subtree, and
    those decided by an authority of their subtree; nobody else reads this register."""
    if not is_authority(user):
        return Sanction.objects.none()
    qs = Sanction.objects.select_related("organisation", "person__unit", "decided_by")
    return in_scope(qs, user, "organisation", "person__unit", "decided_by")


def sanction_for(user, pk: int) -> Sanction:
    return one_or_404(sanctions_visible_to(user), pk)


def sanctionable_units(user) -> QuerySet[Organisation]:
    """Units an authority may sanction: active, non-authority organisations in its subtree."""
    if not is_authority(user):
        return Organisation.objects.none()
    qs = Organisation.objects.filter(status=Organisation.Status.ACTIVE).exclude(
        kind=Organisation.Kind.AUTHORITY
    )
    return in_scope(qs, user, "").order_by("name", "id")


def person_by_id_number(user, number: str) -> Person | None:
    """A person of the user's subtree, by whole ID number (never taken from a URL)."""
    normalised = idnumbers.normalise(number)
    if not normalised:
        return None
    return persons_visible_to(user).filter(id_number=normalised).first()


def quota_for(unit: Organisation, year: int, level: str) -> UnitQuota | None:
    return UnitQuota.objects.filter(unit=unit, year=year, level=level).first()


def quotas_visible_to(user) -> QuerySet[UnitQuota]:
    return in_scope(UnitQuota.objects.select_related("unit", "set_by"), user, "unit")
