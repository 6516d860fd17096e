"""Every change to persons and their units: entry, edits, transfers (003 §十八)."""

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from cme.core import audit, idnumbers
from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.orgs.models import Organisation
from cme.people.models import IdType, Person, Transfer, UnitHistory
from cme.people.permissions import (
    can_edit_person,
    can_manage_staff_of,
    can_read_full_id,
    can_transfer_for_deregistered,
)
from cme.people.validation import clean_person


def _raise_first(errors: list[DomainError]) -> None:
    if errors:
        if len(errors) == 1:
            raise errors[0]
        raise DomainError(
            errors[0].code, "；".join(e.message for e in errors), field=errors[0].field
        )


@transaction.atomic
def add_person(unit: Organisation, values: dict[str, str], *, actor) -> Person:
    """Entry by hand of one staff member."""
    if not can_manage_staff_of(actor, unit):
        raise PermissionDenied()
    data, errors = clean_person(values)
    _raise_first(errors)
    existing = (
        Person.objects.filter(id_type=data.id_type, id_number=data.id_number)
        .select_related("unit")
        .first()
    )
    if existing is not None:
        raise _already_registered(existing, unit)
    person = Person(unit=unit, id_type=data.id_type, id_number=data.id_number)
    data.apply_to(person)
    try:
        person.save()
    except IntegrityError:
        raise Conflict("该证件号码刚被登记，请刷新后重试。") from None
    UnitHistory.objects.create(
        person=person, unit=unit, started_at=timezone.now(), via=UnitHistory.Via.ENTRY
    )
    audit.record("person.create", actor=actor, obj=person, scope_path=unit.tree_path)
    return person


def _already_registered(existing: Person, unit: Organisation) -> DomainError:
    if existing.unit_id == unit.pk:
        return DomainError("PERSON_EXISTS", "该人员已在本单位名单中。", field="id_number")
    if existing.unit is None:
        return DomainError(
            "PERSON_IN_TRANSFER",
            "该人员已由原单位调出，请在“人员调动”中输入证件号码调入。",
            field="id_number",
        )
    return DomainError(
        "PERSON_IN_OTHER_UNIT",
        "该人员在“{u}”，须由原单位先调出，再由本单位调入。".format(u=existing.unit.name),
        field="id_number",
    )


@transaction.atomic
def update_person(person: Person, values: dict[str, str], *, actor) -> Person:
    """Edit a staff member; the ID type and number themselves are not edited here."""
    if not can_edit_person(actor, person):
        raise PermissionDenied()
    data, errors = clean_person(
        {**values, "id_type": person.get_id_type_display(), "id_number": person.id_number},
        blank_clears=True,
    )
    _raise_first(errors)
    changes = data.differs_from(person)
    if changes:
        data.apply_to(person)
        person.save()
        audit.record(
            "person.update",
            actor=actor,
            obj=person,
            scope_path=person.unit.tree_path,
            changes=changes,
        )
    return person


def reveal_id_number(person: Person, *, actor) -> str:
    """The whole number, for a role that needs it; every reading is logged."""
    if not can_read_full_id(actor, person):
        raise PermissionDenied("您无权查看完整证件号码。")
    audit.record(
        "person.reveal_id",
        actor=actor,
        obj=person,
        scope_path=_scope_of(person),
    )
    return person.id_number


def _scope_of(person: Person) -> str:
    """The tree path a person's events belong to: their unit, or the unit they left."""
    if person.unit is not None:
        return person.unit.tree_path
    transfer = (
        person.transfers.filter(state=Transfer.State.PENDING).select_related("from_unit").first()
    )
    return transfer.from_unit.tree_path if transfer else ""


# --- transfers -------------------------------------------------------------------------------


def find_person_by_id(id_number: str, id_type: str = IdType.RESIDENT) -> Person | None:
    return (
        Person.objects.select_related("unit")
        .filter(id_type=id_type, id_number=idnumbers.normalise(id_number))
        .first()
    )


@transaction.atomic
def transfer_out(
    person: Person, *, actor, to_unit: Organisation | None = None, note: str = "", proof=None
) -> Transfer:
    """调出: the person leaves the unit and waits to be taken in by the new one."""
    unit = person.unit
    if unit is None:
        raise DomainError("PERSON_IN_TRANSFER", "该人员已调出，正在等待新单位调入。")
    by_authority = not can_manage_staff_of(actor, unit)
    if by_authority and not (can_transfer_for_deregistered(actor, unit) and proof):
        raise PermissionDenied(
            "只有本单位管理员可以调出本单位人员；发证机构代为调出时须上传注销证明。"
        )
    if to_unit is not None and (to_unit.pk == unit.pk or not to_unit.is_active):
        raise DomainError("TRANSFER_TARGET", "调入单位须为另一个正常状态的单位。", field="to_unit")
    if not Person.objects.filter(pk=person.pk, unit=unit).update(unit=None):
        raise Conflict()
    now = timezone.now()
    UnitHistory.objects.filter(person=person, unit=unit, ended_at__isnull=True).update(ended_at=now)
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                person=person,
                from_unit=unit,
                to_unit=to_unit,
                note=note,
                proof=proof or "",
                by_authority=by_authority,
                initiated_by=actor,
            )
    except IntegrityError:
        raise Conflict("该人员已有一条待调入的调动记录。") from None
    person.unit = None
    audit.record(
        "transfer.out",
        actor=actor,
        obj=transfer,
        scope_path=unit.tree_path,
        changes={"from_unit": unit.name, "to_unit": to_unit.name if to_unit else ""},
    )
    return transfer


@transaction.atomic
def transfer_in(transfer: Transfer, *, actor, unit: Organisation) -> Transfer:
    """调入: the new unit takes the person in; the history keeps both units."""
    if not can_manage_staff_of(actor, unit):
        raise PermissionDenied("只有单位管理员可以调入人员。")
    if transfer.to_unit_id and transfer.to_unit_id != unit.pk:
        raise PermissionDenied("该人员已指定调入“{u}”。".format(u=transfer.to_unit.name))
    if transfer.from_unit_id == unit.pk:
        raise DomainError(
            "TRANSFER_SAME_UNIT", "不能调入本单位刚调出的人员，如需撤销请在调动记录中“撤销调出”。"
        )
    now = timezone.now()
    won = Transfer.objects.filter(pk=transfer.pk, state=Transfer.State.PENDING).update(
        state=Transfer.State.COMPLETED, to_unit=unit, completed_by=actor, completed_at=now
    )
    if not won or not Person.objects.filter(pk=transfer.person_id, unit__isnull=True).update(
        unit=unit
    ):
        raise Conflict("该调动已被处理，请刷新后查看。")
    UnitHistory.objects.create(
        person_id=transfer.person_id, unit=unit, started_at=now, via=UnitHistory.Via.TRANSFER
    )
    transfer.refresh_from_db()
    audit.record(
        "transfer.in",
        actor=actor,
        obj=transfer,
        scope_path=unit.tree_path,
        changes={"from_unit": transfer.from_unit.name, "to_unit": unit.name},
    )
    return transfer


@transaction.atomic
def cancel_transfer(transfer: Transfer, *, actor) -> Transfer:
    """The old unit takes back a transfer nobody has accepted yet."""
    if not (
        can_manage_staff_of(actor, transfer.from_unit)
        or can_transfer_for_deregistered(actor, transfer.from_unit)
    ):
        raise PermissionDenied()
    if not transfer.from_unit.is_active:
        raise DomainError("ORG_DEREGISTERED", "原单位已注销，不能撤销调出。")
    won = Transfer.objects.filter(pk=transfer.pk, state=Transfer.State.PENDING).update(
        state=Transfer.State.CANCELLED
    )
    if not won or not Person.objects.filter(pk=transfer.person_id, unit__isnull=True).update(
        unit=transfer.from_unit
    ):
        raise Conflict("该调动已被处理，请刷新后查看。")
    UnitHistory.objects.create(
        person_id=transfer.person_id,
        unit=transfer.from_unit,
        started_at=timezone.now(),
        via=UnitHistory.Via.TRANSFER,
    )
    transfer.refresh_from_db()
    audit.record(
        "transfer.cancel", actor=actor, obj=transfer, scope_path=transfer.from_unit.tree_path
    )
    return transfer


@transaction.atomic
def transfer_out_all(unit: Organisation, *, actor, proof, note: str = "") -> int:
    """Before deregistration: every staff member out, by the unit or by its authority on proof."""
    if not can_manage_staff_of(actor, unit) and not can_transfer_for_deregistered(actor, unit):
        raise PermissionDenied()
    stored = default_storage.save("transfers/" + proof.name, proof) if proof else None
    people = list(Person.objects.filter(unit=unit).select_related("unit"))
    for person in people:
        transfer_out(person, actor=actor, note=note, proof=stored)
    return len(people)


@transaction.atomic
def clear_out(unit: Organisation, *, actor, proof=None, note: str = "", deregister: bool = False):
    """人员全部调出 (and 注销 when `deregister`): the unit itself, or its authority on an
    uploaded proof of deregistration when nobody manages the unit (003 §十八). Returns how
    many were transferred out; all or nothing."""
    from cme.core.uploads import validate_scan
    from cme.orgs.actions import deregister_organisation
    from cme.orgs.permissions import is_own_unit

    own = is_own_unit(actor, unit)
    if not (own or can_transfer_for_deregistered(actor, unit)):
        raise PermissionDenied("只有本单位管理员或其发证机构可以办理注销。")
    if proof:
        try:
            validate_scan(proof)
        except ValidationError as exc:
            raise DomainError(exc.code or "FILE_TYPE", exc.messages[0], field="proof") from None
    elif not own:
        raise DomainError("PROOF_REQUIRED", "发证机构代为调出时，须上传注销证明。", field="proof")
    moved = transfer_out_all(unit, actor=actor, proof=proof, note=note)
    if deregister:
        deregister_organisation(unit, actor=actor, comment=note)
    return moved
