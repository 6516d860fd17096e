"""The one way code reads policy: `for_year(year, province).get(key)`.

No number of CREDIT-RULES.md appears in rule code; rules ask this accessor. A year without
rows of its own is judged by the latest earlier year that has them (`based_on_year` says
which), so a new year works before the administrator has entered its row set.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Min

from cme.core.errors import DomainError
from cme.policy.models import NATIONWIDE, PolicyValue

HUNAN = "430000"


@dataclass(frozen=True)
class Entry:
    value: Any
    verified: bool


class Policy:
    """The values in force for one year and province (province rows override nationwide ones)."""

    def __init__(self, year: int, province: str, based_on_year: int, entries: dict[str, Entry]):
        self.year = year
        self.province = province
        self.based_on_year = based_on_year
        self._entries = entries

    def get(self, key: str) -> Any:
        try:
            return self._entries[key].value
        except KeyError:
            raise DomainError(
                "POLICY_MISSING",
                "{y}年度政策参数“{k}”未设置，请系统管理员补充。".format(y=self.year, k=key),
            ) from None

    def optional(self, key: str) -> Any:
        """The value, or None when the key is not set for this year."""
        entry = self._entries.get(key)
        return entry.value if entry else None

    def verified(self, key: str) -> bool:
        entry = self._entries.get(key)
        return entry is None or entry.verified

    def severity(self, rule_id: str) -> str:
        """'error' blocks submission, 'warning' is shown and recorded."""
        return self.get("rule.{r}.severity".format(r=rule_id))


def for_year(year: int, province: str = HUNAN) -> Policy:
    based_on = (
        PolicyValue.objects.filter(year__lte=year).aggregate(latest=Max("year"))["latest"]
        or PolicyValue.objects.aggregate(first=Min("year"))["first"]
    )
    if based_on is None:
        raise DomainError("POLICY_MISSING", "尚未载入任何年度的政策参数。")
    entries: dict[str, Entry] = {}
    rows = PolicyValue.objects.filter(year=based_on, province__in=[NATIONWIDE, province]).order_by(
        "province"
    )
    for row in rows:  # nationwide first, then the province's own rows override them
        entries[row.key] = Entry(row.value, row.verified)
    return Policy(year, province, based_on, entries)
