"""Changes to policy data; every one is in the audit trail."""

from django.db import transaction
from django.utils import timezone

from cme.core import audit
from cme.core.errors import DomainError
from cme.orgs.models import Organisation
from cme.policy.models import DeclarationWindow, PolicyValue


@transaction.atomic
def set_policy_value(
    row: PolicyValue, *, actor, value, verified: bool | None = None
) -> PolicyValue:
    old = {"value": row.value, "verified": row.verified}
    row.value = value
    if verified is not None:
        row.verified = verified
    row.save()
    changes = {k: [old[k], getattr(row, k)] for k in old if old[k] != getattr(row, k)}
    if changes:
        audit.record("policy.update", actor=actor, obj=row, changes=changes)
    return row


@transaction.atomic
def copy_policy_year(from_year: int, to_year: int, *, actor) -> int:
    """Start a new year's row set from an earlier one; the old year is never edited."""
    if PolicyValue.objects.filter(year=to_year).exists():
        raise DomainError("POLICY_YEAR_EXISTS", "{y}年度的政策参数已存在。".format(y=to_year))
    rows = [
        PolicyValue(
            year=to_year,
            province=r.province,
            key=r.key,
            value=r.value,
            verified=r.verified,
            source=r.source,
        )
        for r in PolicyValue.objects.filter(year=from_year)
    ]
    if not rows:
        raise DomainError("POLICY_MISSING", "{y}年度没有政策参数可复制。".format(y=from_year))
    PolicyValue.objects.bulk_create(rows)
    audit.record(
        "policy.copy_year",
        actor=actor,
        changes={"from": from_year, "to": to_year, "rows": len(rows)},
    )
    return len(rows)


def window_for(sponsor: Organisation, year: int, level: str, kind: str) -> DeclarationWindow | None:
    """The window that applies to `sponsor`: the one set by the nearest authority above it
    (a city's internal deadline before the province's)."""
    ancestors = sponsor.ancestor_ids()
    windows = {
        w.owner_id: w
        for w in DeclarationWindow.objects.filter(
            year=year, level=level, kind=kind, owner_id__in=ancestors
        )
    }
    return next((windows[i] for i in ancestors if i in windows), None)


def window_is_open(window: DeclarationWindow | None, at=None) -> bool:
    at = at or timezone.now()
    return window is not None and window.opens_at <= at <= window.closes_at
