"""Integrity alerts change state only here: a scan of an authority's subtree, and the
decision that closes an alert (无问题 / 已核实). Nothing is voided automatically: a
confirmed alert names the action taken, e.g. a sanction recorded in cme.supervision."""

from django.db import transaction
from django.utils import timezone

from cme.accounts.scope import acting_org
from cme.core import audit
from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.integrity import rules
from cme.integrity.models import IntegrityAlert
from cme.integrity.permissions import can_decide, can_scan
from cme.policy.access import HUNAN
from cme.supervision.models import Sanction

Decision = IntegrityAlert.Decision


def scan_scope(*, actor, year: int) -> rules.ScanResult:
    """Scan `year` over the actor's subtree (everything for the system admin): only
    records that all lie in the subtree are judged, so what is found goes to an
    authority the actor sees."""
    if not can_scan(actor):
        raise PermissionDenied("诚信预警扫描仅限主管部门。")
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise DomainError("SCAN_YEAR", "年度{y}无效。".format(y=year), field="year")
    org = acting_org(actor)
    within = org.tree_path if org is not None else ""
    province = org.region_id[:2] + "0000" if org is not None and org.region_id else HUNAN
    result = rules.scan(year, within=within, province=province)
    audit.record(
        "integrity.scan",
        actor=actor,
        scope_path=within,
        changes={"年度": year, "发现": result.total_found, "新增": result.total_created},
    )
    return result


@transaction.atomic
def decide_alert(
    alert: IntegrityAlert,
    *,
    actor,
    decision: str,
    reason: str,
    action_taken: str = "",
    sanction: Sanction | None = None,
) -> IntegrityAlert:
    """Close an open alert as 无问题 (dismissed) or 已核实 (confirmed), with a reason; a
    confirmed alert may name the action taken and the sanction recorded for it."""
    if not can_decide(actor, alert):
        raise PermissionDenied("只有预警所属的主管部门或其上级部门可以处理该预警。")
    try:
        decision = Decision(decision)
    except ValueError:
        raise DomainError(
            "DECISION_INVALID", "请选择处理结论：无问题或已核实。", field="decision"
        ) from None
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("REASON_REQUIRED", "请填写处理理由。", field="reason")
    action_taken = (action_taken or "").strip()
    if decision == Decision.DISMISSED and sanction is not None:
        raise DomainError("DECISION_SANCTION", "结论为无问题时不能关联处理决定。", field="sanction")
    now = timezone.now()
    updated = IntegrityAlert.objects.filter(pk=alert.pk, state=IntegrityAlert.State.OPEN).update(
        state=IntegrityAlert.State.CLOSED,
        decision=decision,
        reason=reason,
        action_taken=action_taken,
        sanction=sanction,
        decided_by=actor,
        decided_at=now,
    )
    if not updated:
        raise Conflict("该预警已被处理，请刷新后查看。")
    alert.state, alert.decision, alert.reason = IntegrityAlert.State.CLOSED, decision, reason
    alert.action_taken, alert.sanction = action_taken, sanction
    alert.decided_by, alert.decided_at = actor, now
    audit.record(
        "integrity.decide",
        actor=actor,
        obj=alert,
        scope_path=alert.authority.tree_path,
        changes={
            "预警规则": alert.rule,
            "处理结论": str(decision.label),
            "采取的措施": action_taken,
            "处理决定": str(sanction) if sanction else "",
        },
        comment=reason,
    )
    return alert
