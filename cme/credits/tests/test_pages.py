"""Issue 6 §6: the learner's page — this year's credits against the requirement, every
record with its status, for a pending one who holds it and since when; past years read-only;
the unit admin sees the same for its staff and can mark 不计达标; another city sees nothing."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cme.claims.tests.factories import pdf
from cme.credits.models import CreditRecord, Exemption
from cme.credits.tests.factories import credit
from cme.holding.tests.test_api import api

NOW = datetime.datetime(2024, 6, 20, 9, tzinfo=datetime.UTC)


@pytest.fixture
def nurse(cast):
    nurse = cast.persons["nurse"]
    if nurse.user_id is None:
        nurse.user = cast.users["learner"]
        nurse.save(update_fields=["user"])
    return nurse


def test_the_learner_sees_the_year_against_the_requirement_and_where_pending_ones_are(
    client, cast, nurse
):
    credit(nurse, 2024, "4", title="急性胸痛学习班")
    credit(nurse, 2024, "12", "paper", title="护理论文")
    credit(
        nurse,
        2024,
        "3",
        "out_of_province",
        status=CreditRecord.Status.PENDING,
        holder=cast.changsha,
        holder_since=datetime.datetime(2024, 6, 15, 9, tzinfo=datetime.UTC),
    )
    client.force_login(cast.users["learner"])
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("credits:mine") + "?year=2024").content.decode()
    assert "16.0" in page and "不达标" in page
    assert (
        "总学分16.0分，少于25分（差9.0分）" in page and "I类学分4.0分，少于5分（差1.0分）" in page
    )
    assert "等待长沙市卫生健康委员会审核，已5天" in page
    assert nurse.id_number not in page


def test_the_learners_page_does_not_query_once_per_record(client, cast, nurse):
    """Found under load (docs/load.md): each line asked for its certificate separately."""
    client.force_login(cast.users["learner"])
    url = reverse("credits:mine") + "?year=2024"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    credit(nurse, 2024, "2", title="急性胸痛学习班")
    few = queries()
    for month in range(3, 12):
        credit(nurse, 2024, "1", title="学习班{m}".format(m=month))
    assert queries() == few


def test_a_unit_admin_sees_its_staff_member_and_marks_her_exempt(login, cast, nurse):
    url = reverse("credits:person", args=[nurse.pk])
    assert login("zhuzhou").get(url).status_code == 404
    client = login("city_admin")
    assert "设为本年度不计达标" in client.get(url + "?year=2024").content.decode()
    done = client.post(
        reverse("credits:exempt", args=[nurse.pk]) + "?year=2024",
        {"reason": "产假", "evidence": pdf("产假证明.pdf")},
    )
    assert done.status_code == 302
    assert Exemption.objects.get(person=nurse, year=2024).reason == "产假"
    assert "不计达标" in client.get(url + "?year=2024").content.decode()
    assert (
        login("changsha")
        .post(reverse("credits:exempt", args=[nurse.pk]) + "?year=2023", {"reason": "x"})
        .status_code
        == 403
    )


def test_the_ledger_in_the_api(client, cast, nurse):
    credit(nurse, 2024, "5")
    credit(nurse, 2024, "20", "paper")
    mine = api(client, cast.users["learner"])("get", "/credits/mine?year=2024").json()
    assert (mine["total"], mine["result"], len(mine["records"])) == ("25.0", "qualified", 2)
    other = api(client, cast.users["zhuzhou"])("get", "/persons/{p}/credits".format(p=nurse.pk))
    assert other.status_code == 404
