"""Reads: the alerts of an authority's subtree, one alert, counts per rule."""

from django.db.models import Count, Q, QuerySet

from cme.accounts.scope import in_scope, one_or_404
from cme.integrity.models import IntegrityAlert
from cme.integrity.permissions import can_view_alerts


def alerts_visible_to(user) -> QuerySet[IntegrityAlert]:
    """Alerts that go to an authority of the user's subtree (the user's own included)."""
    if not can_view_alerts(user):
        return IntegrityAlert.objects.none()
    qs = IntegrityAlert.objects.select_related("authority", "decided_by", "sanction")
    return in_scope(qs, user, "authority")


def alert_for(user, pk: int) -> IntegrityAlert:
    return one_or_404(alerts_visible_to(user), pk)


def counts_by_rule(qs: QuerySet[IntegrityAlert]) -> dict[str, dict[str, int]]:
    """{rule: {"open": n, "total": m}} in one GROUP BY."""
    rows = (
        qs.order_by()
        .values("rule")
        .annotate(total=Count("id"), open=Count("id", filter=Q(state=IntegrityAlert.State.OPEN)))
    )
    return {r["rule"]: {"open": r["open"], "total": r["total"]} for r in rows}
