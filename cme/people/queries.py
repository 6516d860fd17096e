from django.db.models import Q, QuerySet

from cme.accounts.models import Role
from cme.accounts.scope import role_of, scope_path
from cme.core.errors import NotFound
from cme.people.models import Person, Transfer


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
    try:
        return persons_visible_to(user).get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def transfers_visible_to(user) -> QuerySet[Transfer]:
    """Transfers out of or into the user's subtree (both sides see a pending one)."""
    qs = Transfer.objects.select_related("person", "from_unit", "to_unit")
    path = scope_path(user)
    if path is None:
        return qs.none()
    if not path:
        return qs
    return qs.filter(
        Q(from_unit__tree_path__startswith=path) | Q(to_unit__tree_path__startswith=path)
    )


def transfer_for(user, pk: int) -> Transfer:
    try:
        return transfers_visible_to(user).get(pk=pk)
    except (Transfer.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
