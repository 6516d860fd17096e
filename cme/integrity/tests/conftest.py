import pytest

from cme.integrity.models import IntegrityAlert
from cme.integrity.rules import scan
from cme.integrity.tests.factories import YEAR, session, session_credit


@pytest.fixture
def changsha_alert(cast) -> IntegrityAlert:
    """A doctor of 长沙市第一医院 teaches a session and is credited as its learner too."""
    from cme.holding.models import SessionLesson

    doctor = cast.persons["doctor"]
    held = session(cast)
    SessionLesson.objects.create(
        session=held, topic="急性胸痛的识别", teacher_name=doctor.name, teacher=doctor, hours=2
    )
    session_credit(doctor, held)
    scan(YEAR)
    return IntegrityAlert.objects.get(rule="LECTURER_ALSO_LEARNER")
