"""Policy what-if (issue 6 §10): before a draft requirement takes effect, an authority sees who
in its scope would change from 达标 to 不达标 and back, and why. Nothing is saved.

One GROUP BY over the scope's ledger (`ledger.year_rows`) is read once, row by row, and each
person is judged twice: against the year's requirement for their unit level, and against
the draft (whose II类 cap may differ, so the totals are recomputed from the same sums).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from cme.accounts.scope import in_scope, is_authority
from cme.core.errors import PermissionDenied
from cme.credits import ledger
from cme.credits.ledger import Requirement, Result
from cme.people.models import Person

SHOWN = 100  # changed people listed by name per direction; the counts cover all


@dataclass(slots=True)
class Change:
    person_id: int
    totals: ledger.Totals  # under the draft
    reasons: list[str]  # why the person is 不达标 (under the draft, or today)
    person: Person | None = None


@dataclass
class WhatIf:
    year: int
    draft: Requirement
    people: int = 0
    qualified_now: int = 0
    qualified_draft: int = 0
    exempt: int = 0
    to_not_qualified: list[Change] = field(default_factory=list)  # 达标 → 不达标
    to_qualified: list[Change] = field(default_factory=list)  # 不达标 → 达标

    @property
    def changed(self) -> int:
        return len(self.to_not_qualified) + len(self.to_qualified)

    def shown(self, changes: list[Change], limit: int = SHOWN) -> list[Change]:
        return changes[:limit]


def what_if(
    user,
    year: int,
    *,
    total_min: Decimal,
    class1_min: Decimal,
    class2_max_counted: Decimal | None = None,
    limit: int = SHOWN,
) -> WhatIf:
    """The effect of a draft requirement on the year's results of the user's scope."""
    if not is_authority(user):
        raise PermissionDenied("只有卫生健康行政部门可以试算年度学分要求。")
    draft = Requirement(total_min, class1_min, class2_max_counted, "草案")
    outcome = WhatIf(year, draft)
    persons = in_scope(Person.objects.all(), user, "unit")
    default, by_level = ledger.requirements_of(year)
    keys = ledger.cap_keys(ledger.catalogue())
    with ledger.bulk_allocation():
        for row in ledger.year_rows(persons, year, keys):
            outcome.people += 1
            if row.exemption is not None:
                outcome.exempt += 1
                continue
            current = by_level.get(row.level, default)
            totals = ledger.totals_of(row, current.class2_max_counted)
            now = ledger.judge(totals, current, None)
            if draft.class2_max_counted != current.class2_max_counted:
                totals = ledger.totals_of(row, draft.class2_max_counted)
            then = ledger.judge(totals, draft, None)
            was = now.result == Result.QUALIFIED
            will = then.result == Result.QUALIFIED
            outcome.qualified_now += was
            outcome.qualified_draft += will
            if was and not will:
                outcome.to_not_qualified.append(Change(row.person_id, totals, then.reasons))
            elif will and not was:
                outcome.to_qualified.append(Change(row.person_id, totals, now.reasons))
    _name_the_shown(outcome, limit)
    return outcome


def _name_the_shown(outcome: WhatIf, limit: int) -> None:
    """Load the people listed (at most `limit` per direction) in one query, and list them
    by unit and name."""
    shown = [*outcome.to_not_qualified[:limit], *outcome.to_qualified[:limit]]
    people = Person.objects.select_related("unit").in_bulk([c.person_id for c in shown])
    for change in shown:
        change.person = people.get(change.person_id)

    def order(change: Change) -> tuple:
        p = change.person
        return (p.unit.tree_path if p and p.unit else "", p.name if p else "", change.person_id)

    for changes in (outcome.to_not_qualified, outcome.to_qualified):
        changes[:limit] = sorted(changes[:limit], key=order)
