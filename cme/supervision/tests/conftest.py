import pytest
from django.utils import timezone

from cme.projects.models import Project
from cme.supervision import actions
from cme.supervision.models import Sanction

THIS_YEAR = timezone.localdate().year
NEXT_YEAR = THIS_YEAR + 1


def make_projects(cast, unit, year: int, states: list[str], level: str = "provincial") -> None:
    """Projects of a unit and year, straight into the states the test needs."""
    for n, state in enumerate(states):
        Project.objects.create(
            year=year,
            level=level,
            kind="new",
            name="{u}项目{n}".format(u=unit.name, n=n),
            sponsor=unit,
            declared_by=unit,
            created_by=cast.users["admin"],
            state=state,
        )


@pytest.fixture
def bar(cast) -> Sanction:
    """Changsha bars its First Hospital from declaring for the next two years."""
    return actions.record_sanction(
        actor=cast.users["changsha"],
        kind=Sanction.Kind.BAR_UNIT,
        organisation=cast.city_hospital,
        from_year=NEXT_YEAR,
        to_year=NEXT_YEAR + 1,
        reason="项目执行率低，授分管理不严",
        decided_on=timezone.localdate(),
    )


@pytest.fixture
def suspension(cast) -> Sanction:
    """Changsha suspends the First Hospital's doctor from leading declarations next year."""
    return actions.record_sanction(
        actor=cast.users["changsha"],
        kind=Sanction.Kind.SUSPEND_LEADER,
        person=cast.persons["doctor"],
        reason="项目主体责任不落实",
        decided_on=timezone.localdate(),
    )
