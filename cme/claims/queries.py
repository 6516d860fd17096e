"""Reads: the claims and unit activities a user may see, and their queues."""

from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from cme.accounts.scope import acting_org, in_scope, one_or_404, scope_path, sees_everything
from cme.claims.models import UnitActivity
from cme.claims.permissions import can_review_claims
from cme.credits.ledger import CapKey, cap_keys
from cme.credits.models import CreditRecord, CreditSource

Status = CreditRecord.Status


def claims() -> QuerySet[CreditRecord]:
    """Records people claimed themselves (a source claimed by the person, no session)."""
    return CreditRecord.objects.filter(
        source__claim=CreditSource.Claim.PERSON, session__isnull=True
    ).select_related("person__unit", "source", "holder")


def claims_visible_to(user) -> QuerySet[CreditRecord]:
    """The user's own claims, plus those of the staff of their subtree (404 elsewhere)."""
    qs = claims()
    if sees_everything(user):
        return qs
    own = Q(person__user=user) if user.is_authenticated else Q(pk__in=[])
    path = scope_path(user) if can_review_claims(user) else None
    if path is None:
        return qs.filter(own)
    return qs.filter(own | Q(person__unit__tree_path__startswith=path))


def claim_for(user, pk: int) -> CreditRecord:
    return one_or_404(claims_visible_to(user), pk)


def my_claims(user) -> QuerySet[CreditRecord]:
    return claims().filter(person__user=user).order_by("-created_at", "-pk")


def claims_held_by(user) -> QuerySet[CreditRecord]:
    """The queue: pending claims the user's organisation holds now, longest waiting first."""
    org = acting_org(user)
    if org is None:
        return CreditRecord.objects.none()
    return claims().filter(holder=org, status=Status.PENDING).order_by("holder_since", "pk")


def claims_decided_by(user) -> QuerySet[CreditRecord]:
    """Claims the user's organisation has decided at least once, latest first."""
    org = acting_org(user)
    if org is None:
        return CreditRecord.objects.none()
    return (
        claims_visible_to(user)
        .filter(reviews__organisation=org)
        .distinct()
        .order_by("-updated_at", "-pk")
    )


def activities_visible_to(user) -> QuerySet[UnitActivity]:
    """Activities of the units in the user's subtree, with their counts of people."""
    qs = UnitActivity.objects.select_related("unit", "source", "recorded_by").annotate(
        lecturer_count=Count("records", filter=Q(records__role=CreditRecord.Role.LECTURER)),
        participant_count=Count("records", filter=Q(records__role=CreditRecord.Role.LEARNER)),
    )
    return in_scope(qs, user, "unit").order_by("-activity_date", "-pk")


def activity_for(user, pk: int) -> UnitActivity:
    return one_or_404(activities_visible_to(user), pk)


def year_cap_of(source: CreditSource) -> CapKey | None:
    """The yearly cap `source` counts against (its own, or its cap group's), if any."""
    if source.cap_per_year is None:
        return None
    group = (
        CreditSource.objects.filter(cap_group=source.cap_group)
        if source.cap_group
        else CreditSource.objects.filter(pk=source.pk)
    )
    (key,) = cap_keys({s.code: s for s in group})
    return key


def year_cap_used(
    person_id: int,
    cap: CapKey,
    year: int,
    *,
    statuses=(Status.VALID,),
    exclude_pk: int | None = None,
) -> Decimal:
    """Credits of the person's year in those statuses under the cap (`exclude_pk` aside)."""
    total = (
        CreditRecord.objects.filter(
            person_id=person_id, year=year, status__in=statuses, source_id__in=cap.codes
        )
        .exclude(pk=exclude_pk)
        .aggregate(total=Sum("amount"))["total"]
    )
    return total or Decimal(0)
