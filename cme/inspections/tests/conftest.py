import datetime
import itertools
from decimal import Decimal

import pytest

from cme.accounts.models import Role
from cme.demo.builders import user
from cme.holding.models import HeldSession
from cme.inspections import actions, indicators
from cme.orgs.models import Region
from cme.projects.expert_models import Expert
from cme.projects.models import Project, State

YEAR = 2024
_numbers = itertools.count(1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n%test\n"


def held(cast, unit, *, level="provincial", n=1, year=YEAR, sessions=True, state=State.APPROVED):
    """`n` approved projects of a unit and year, each with one held session (期次)."""
    out = []
    for i in range(n):
        project = Project.objects.create(
            year=year,
            level=level,
            kind="new",
            number="{y}-SC-{n:04d}".format(y=year, n=next(_numbers)),
            name="{u}{lv}项目{i}".format(u=unit.name, lv=level, i=i),
            sponsor=unit,
            declared_by=unit,
            created_by=cast.users["admin"],
            state=state,
        )
        if sessions:
            HeldSession.objects.create(
                project=project,
                number=1,
                starts_on=datetime.date(year, 5, 10),
                ends_on=datetime.date(year, 5, 11),
                region=unit.region or Region.objects.get(code="430102"),
                address="学术报告厅",
                expected_participants=100,
                credits=Decimal("2.0"),
                created_by=cast.users["admin"],
            )
        out.append(project)
    return out


def make_expert(cast, key, unit):
    account = user(key, "专家" + key, unit, Role.EXPERT, cast.password)
    Expert.objects.create(user=account, name="专家" + key, organisation=unit, title="主任医师")
    return account


def scores(value: str | None = None, **overrides) -> dict:
    """Every indicator at `value` (default: full marks), with some overridden by id."""
    out = {}
    for i in indicators.INDICATORS:
        score = overrides.get(i.id, value if value is not None else str(i.max_score))
        out[i.id] = {"score": score, "note": ""}
    return out


@pytest.fixture
def changsha_projects(cast):
    """Changsha's 2024 held projects: provincial ×6 and city-level ×2 of the First Hospital,
    provincial ×2 of the county hospital; plus one not held and one of 2023."""
    projects = held(cast, cast.city_hospital, n=6) + held(cast, cast.county_hospital, n=2)
    projects += held(cast, cast.city_hospital, level="city", n=2)
    held(cast, cast.city_hospital, n=1, sessions=False)
    held(cast, cast.city_hospital, n=1, year=2023)
    return projects


@pytest.fixture
def zhuzhou_projects(cast):
    return held(cast, cast.zhuzhou_hospital, n=3)


@pytest.fixture
def draw(cast, changsha_projects):
    """Changsha draws half of each stratum with seed 20240601."""
    return actions.create_spot_check(
        actor=cast.users["changsha"], year=YEAR, rate=Decimal("0.5"), seed=20240601
    )
