from django.db.models import Q, QuerySet

from cme.accounts.models import Role
from cme.accounts.scope import in_scope, one_or_404, role_of, scope_path
from cme.core import idnumbers
from cme.core.errors import NotFound
from cme.orgs.models import Organisation
from cme.people.models import Person, StaffImport, Transfer


def persons_visible_to(user) -> QuerySet[Person]:
    """Staff of the user's subtree, plus those it transferred out and nobody took in yet."""
    qs = Person.objects.select_related("unit")
    if role_of(user) == Role.LEARNER:
        return qs.filter(user=user)
    path = scope_path(user)
    if path is None:
        return qs.none()
    if not path:
        return qs
    pending_out = Transfer.objects.filter(
        state=Transfer.State.PENDING, from_unit__tree_path__startswith=path
    ).values("person_id")
    return qs.filter(Q(unit__tree_path__startswith=path) | Q(unit__isnull=True, pk__in=pending_out))


def person_for(user, pk: int) -> Person:
    return one_or_404(persons_visible_to(user), pk)


def transfers_visible_to(user) -> QuerySet[Transfer]:
    """Transfers out of or into the user's subtree (both sides see a pending one)."""
    qs = Transfer.objects.select_related("person", "from_unit", "to_unit")
    return in_scope(qs, user, "from_unit", "to_unit")


def transfer_for(user, pk: int) -> Transfer:
    return one_or_404(transfers_visible_to(user), pk)


def imports_visible_to(user) -> QuerySet[StaffImport]:
    return in_scope(StaffImport.objects.select_related("unit", "uploaded_by"), user, "unit")


def import_for(user, pk: int) -> StaffImport:
    return one_or_404(imports_visible_to(user), pk)


NO_PENDING_TRANSFER = (
    "没有待调入本单位的该证件号码人员：请确认原单位已办理调出，且未指定调入其他单位。"
)


def pending_transfer_for(unit: Organisation, id_number: str) -> Transfer:
    """The pending transfer of this ID number that `unit` may take in (NotFound otherwise,
    with one message whoever holds the person)."""
    transfer = (
        Transfer.objects.select_related("person", "from_unit", "to_unit")
        .filter(person__id_number=idnumbers.normalise(id_number), state=Transfer.State.PENDING)
        .filter(Q(to_unit__isnull=True) | Q(to_unit=unit))
        .first()
    )
    if transfer is None:
        raise NotFound(NO_PENDING_TRANSFER)
    return transfer


def transfer_to_accept(user, unit: Organisation, pk: int, id_number: str = "") -> Transfer:
    """The transfer `unit` takes in: one of the user's scope (named to the unit), or an open
    one (no unit named) whose person's full ID number the caller gives. Without the number
    an open transfer is NotFound, so no unit takes in a stranger by guessing ids."""
    try:
        return transfer_for(user, pk)
    except NotFound:
        if not id_number:
            raise
        transfer = pending_transfer_for(unit, id_number)
        if transfer.pk != pk:
            raise NotFound(NO_PENDING_TRANSFER) from None
        return transfer
