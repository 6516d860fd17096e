"""Staff and credits for audit tests: `qualified(person, 2024)` gives 10 I类 + 20 II类 (30,
达标); `short(person, 2024)` gives 3 I类 (不达标)."""

import random

from cme.credits.tests.factories import credit
from cme.demo.builders import person, resident_id

YEAR = 2024


def qualified(p, year: int = YEAR, class1="10", class2="20") -> None:
    credit(p, year, class1)
    credit(p, year, class2, "paper")


def short(p, year: int = YEAR, amount="3") -> None:
    credit(p, year, amount)


def staff(unit, n: int, *, department: str = "外科", seed: int = 7) -> list:
    rng = random.Random(seed)
    return [
        person(unit, "职工{i}".format(i=i), resident_id(rng, unit.region_id), "护师", department)
        for i in range(n)
    ]
