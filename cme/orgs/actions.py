"""Every change to an organisation goes through these functions."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cme.core import audit
from cme.core.errors import DomainError
from cme.orgs.models import Organisation, OrganisationName

EDITABLE_FIELDS = [
    "kind",
    "region",
    "grade",
    "licence_status",
    "inspection_result",
    "name_compliant",
    "first_class_prevention",
    "uscc",
    "national_account",
    "provincial_account",
    "science_head",
    "phone",
    "email",
]


def _clean(org: Organisation) -> None:
    try:
        org.full_clean(exclude=["tree_path"])
    except ValidationError as exc:
        field, errors = next(iter(exc.message_dict.items()))
        label = Organisation._meta.get_field(field).verbose_name if field != "__all__" else ""
        raise DomainError(
            "ORG_INVALID",
            "{f}：{m}".format(f=label, m=errors[0]) if label else errors[0],
            field=field,
        ) from None


def _path_for(org: Organisation) -> str:
    supervisor_id = org.supervisor_id
    if supervisor_id is None:
        return f"/{org.pk}/"
    parent_path = Organisation.objects.values_list("tree_path", flat=True).get(pk=supervisor_id)
    return f"{parent_path}{org.pk}/"


@transaction.atomic
def create_organisation(*, actor, **fields) -> Organisation:
    org = Organisation(**fields)
    _clean(org)
    org.save()
    org.tree_path = _path_for(org)
    Organisation.objects.filter(pk=org.pk).update(tree_path=org.tree_path)
    audit.record("org.create", actor=actor, obj=org, scope_path=org.tree_path)
    return org


@transaction.atomic
def update_organisation(org: Organisation, *, actor, **fields) -> Organisation:
    old = {name: getattr(org, name) for name in EDITABLE_FIELDS}
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise DomainError(
                "FIELD_NOT_EDITABLE", "字段“{f}”不能在此修改。".format(f=name), field=name
            )
        setattr(org, name, value)
    _clean(org)
    org.save()
    changes = audit.diff(org, EDITABLE_FIELDS, old)
    if changes:
        audit.record("org.update", actor=actor, obj=org, scope_path=org.tree_path, changes=changes)
    return org


@transaction.atomic
def rename_organisation(
    org: Organisation, new_name: str, *, actor, comment: str = ""
) -> Organisation:
    """原单位名 → 现单位名; the old name is kept in the history."""
    new_name = new_name.strip()
    if not new_name or new_name == org.name:
        raise DomainError("RENAME_SAME", "现单位名不能为空，且须与原单位名不同。", field="new_name")
    OrganisationName.objects.create(organisation=org, old_name=org.name, new_name=new_name)
    changes = {"name": [org.name, new_name]}
    org.name = new_name
    org.save(update_fields=["name"])
    audit.record(
        "org.rename",
        actor=actor,
        obj=org,
        scope_path=org.tree_path,
        changes=changes,
        comment=comment,
    )
    return org


@transaction.atomic
def deregister_organisation(org: Organisation, *, actor, comment: str = "") -> Organisation:
    """A unit may be deregistered only once nobody is left on its staff (003 §十八)."""
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    if not org.is_active:
        raise DomainError("ORG_DEREGISTERED", "该单位已注销。")
    staff = org.staff.count()
    if staff:
        raise DomainError(
            "ORG_HAS_STAFF",
            "该单位还有{n}名人员，须先全部调出后才能注销；原单位无人管理时，可由发证机构凭注销证明代为调出。".format(
                n=staff
            ),
        )
    org.status = Organisation.Status.DEREGISTERED
    org.inspection_result = Organisation.Inspection.CANCELLED
    org.deregistered_at = timezone.now()
    org.save(update_fields=["status", "inspection_result", "deregistered_at"])
    audit.record("org.deregister", actor=actor, obj=org, scope_path=org.tree_path, comment=comment)
    return org
