"""The audit trail: every action calls `record(...)` inside its transaction."""

from contextvars import ContextVar
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from cme.core.models import AuditEvent

# Set per request by RequestContextMiddleware; None in commands and tasks.
client_address: ContextVar[str | None] = ContextVar("client_address", default=None)

ACTION_LABELS = {
    "org.create": _("创建单位"),
    "org.update": _("修改单位信息"),
    "org.rename": _("单位更名"),
    "org.deregister": _("单位注销"),
    "account.apply": _("提交单位账户申请"),
    "account.approve": _("批准单位账户申请"),
    "account.return": _("退回单位账户申请"),
    "account.reject": _("拒绝单位账户申请"),
    "account.rename_request": _("提交更名申请"),
    "account.rename_decide": _("审核更名申请"),
    "account.reset_request": _("提交密码重置申请"),
    "account.reset_decide": _("审核密码重置申请"),
    "account.handover": _("移交单位账户管理员"),
    "user.password_change": _("修改密码"),
    "token.create": _("创建API令牌"),
    "token.revoke": _("撤销API令牌"),
    "person.create": _("新增人员"),
    "person.update": _("修改人员信息"),
    "person.reveal_id": _("查看完整证件号码"),
    "person.export": _("导出人员名单（含完整证件号码）"),
    "import.commit": _("导入人员名单"),
    "transfer.out": _("人员调出"),
    "transfer.in": _("人员调入"),
    "transfer.cancel": _("撤销调出"),
    "policy.update": _("修改政策参数"),
    "policy.copy_year": _("复制年度政策参数"),
    "window.set": _("设置申报时间"),
    "project.create": _("新建项目申报"),
    "project.submit": _("提交项目申报"),
    "project.review": _("审核项目申报"),
    "project.publish": _("公布项目"),
    "project.attach": _("上传申报附件"),
    "published.import": _("导入公布名单"),
    "session.create": _("安排举办期次"),
    "session.pre_report": _("举办前报备"),
    "session.change": _("变更课程安排"),
    "project.leader_change": _("变更项目负责人"),
    "report.submit": _("报送执行情况"),
    "report.review": _("审核执行情况"),
    "roster.import": _("导入学员通讯录"),
    "roster.add": _("录入学员"),
    "roster.remove": _("移除学员"),
    "roster.passed": _("设置考核结果"),
    "roster.pass_all": _("全部设为考核合格"),
    "roster.check_in_open": _("开启现场签到"),
    "roster.check_in_close": _("关闭现场签到"),
    "project.experts": _("指派评审专家"),
    "project.expert_score": _("提交专家评审意见"),
    "sanction.create": _("录入处理决定"),
    "sanction.revoke": _("撤销处理决定"),
    "notice.publish": _("发布通知公告"),
    "notice.withdraw": _("撤回通知公告"),
    "quota.set": _("调整申报名额"),
    "quota.compute": _("计算申报名额"),
    "credit_source.create": _("新增学分来源"),
    "credit_source.update": _("修改学分来源"),
    "credit.void_year": _("作废年度学分"),
    "audit.submit": _("提交年度学分审核"),
    "audit.review": _("审核年度学分审核"),
    "audit.hr_sent": _("年度达标名单报送人社"),
    "credit.exempt": _("设为不计达标"),
    "distance.filing_apply": _("申请远程教育机构备案"),
    "distance.filing_decide": _("审核远程教育机构备案"),
    "distance.filing_revoke": _("撤销远程教育机构备案"),
    "distance.course_file": _("报送远程教育课程备案"),
    "distance.course_decide": _("审核远程教育课程备案"),
    "distance.completion_import": _("报送远程学习记录"),
    "distance.batch_review": _("审核远程学习记录"),
    "distance.record_void": _("作废远程教育学分记录"),
    "meeting.create": _("登记学术年会"),
    "meeting.attendee_add": _("录入年会参会人员"),
    "meeting.attendee_remove": _("移出年会参会人员"),
    "meeting.attendance_import": _("导入年会参会名单"),
    "meeting.submit": _("报送学术年会"),
    "meeting.decide": _("确认学术年会"),
    "claim.submit": _("申报学分"),
    "claim.resubmit": _("修改后重新申报学分"),
    "claim.approve": _("学分申报审核通过"),
    "claim.return": _("学分申报退回修改"),
    "claim.reject": _("学分申报不予认可"),
    "unit_activity.record": _("录入单位学术活动"),
    "integrity.scan": _("扫描诚信预警"),
    "integrity.decide": _("处理诚信预警"),
    "inspection.draw": _("抽取抽查项目"),
    "inspection.assign": _("指派检查人员"),
    "inspection.result": _("录入抽查结果"),
    "inspection.file": _("上传抽查资料"),
}


def record(
    action: str,
    *,
    actor: Any,
    obj: models.Model | None = None,
    scope_path: str = "",
    changes: dict | None = None,
    comment: str = "",
) -> AuditEvent:
    membership = getattr(actor, "membership", None) if actor is not None else None
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(actor.get_full_name() or actor.username) if actor is not None else "系统",
        acting_for=membership.organisation if membership else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        scope_path=scope_path,
        changes=changes or {},
        comment=comment,
        ip_address=client_address.get(),
    )


def diff(instance: models.Model, fields: list[str], old: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    out = {}
    for name in fields:
        new = getattr(instance, name)
        if old.get(name) != new:
            out[name] = [_plain(old.get(name)), _plain(new)]
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
