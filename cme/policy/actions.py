"""Changes to policy data; every one is in the audit trail."""

from django.db import transaction
from django.utils import timezone

from cme.core import audit
from cme.core.errors import DomainError, PermissionDenied
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


def can_set_windows(user) -> bool:
    """The provincial office sets the national and provincial windows; a city its units'
    earlier internal deadlines (000 §三.1)."""
    from cme.accounts.models import Role
    from cme.accounts.scope import role_of

    return role_of(user) in {
        Role.PROVINCIAL_OFFICE,
        Role.CITY_REVIEWER,
        Role.COUNTY_REVIEWER,
        Role.SYSTEM_ADMIN,
    }


@transaction.atomic
def save_window(window: DeclarationWindow, *, actor) -> DeclarationWindow:
    """Create or change a window owned by the actor's authority; later than the window
    above it is refused (a city's deadline may only be earlier than the province's)."""
    from cme.accounts.scope import acting_org

    if not can_set_windows(actor):
        raise PermissionDenied("只有卫生健康行政部门可以设置申报时间。")
    owner = acting_org(actor)
    if owner is None:
        raise PermissionDenied("系统管理员请在管理后台设置申报时间。")
    if window.pk and window.owner_id != owner.pk:
        raise PermissionDenied("只能修改本机构设置的申报时间。")
    window.owner = owner
    if window.opens_at >= window.closes_at:
        raise DomainError("WINDOW_ORDER", "截止时间须晚于开始时间。", field="closes_at")
    above = window_for(owner, window.year, window.level, window.kind)  # set by an authority above
    if above is not None and window.closes_at > above.closes_at:
        raise DomainError(
            "WINDOW_AFTER_PARENT",
            "本机构的截止时间不能晚于{o}规定的截止时间{t:%Y-%m-%d %H:%M}。".format(
                o=above.owner.name, t=timezone.localtime(above.closes_at)
            ),
            field="closes_at",
        )
    is_new = window.pk is None
    window.save()
    audit.record(
        "window.set",
        actor=actor,
        obj=window,
        scope_path=owner.tree_path,
        changes={
            "截止时间": timezone.localtime(window.closes_at).strftime("%Y-%m-%d %H:%M"),
            "新建": is_new,
        },
    )
    return window
