"""The roster import against the files a sponsor's staff really produce: what they meant is
imported, every bad row is named by row and column, and nothing is written while any row is
bad."""

import pytest

from cme.core.errors import DomainError
from cme.core.tests import messy
from cme.holding.models import RosterImport
from cme.holding.rosters import commit_roster_import, preview_roster_import
from cme.holding.tests.factories import held_session
from cme.holding.tests.test_roster_import import ids
from cme.people.models import Person

HEADERS = ["序号", "学员姓名", "证件号", "工作单位\n（全称）", "职称", "联系电话", "考核结果"]


@pytest.fixture
def session(cast):
    return held_session(cast)


@pytest.fixture
def admin(cast):
    return cast.users["city_admin"]


def test_a_messy_roster_imports_what_was_meant(cast, session, admin):
    a, b, c = ids(3, seed=71)
    doctor = cast.persons["county_doctor"]  # a person of another unit: joins the roster
    rows = [
        [1, "周　伟", messy.spaced(a), "长沙市第一医院", "护师", 13800000001.0, "合格"],
        [2, "吴敏", "'" + b, "某某社区卫生服务站", "护士", "138-0000-0002", " 不合格 "],
        [],
        [4, doctor.name, doctor.id_number.lower(), "长沙市芙蓉区人民医院", "", "", ""],
        [5, "郑洁", messy.full_width(c), "", "", "", ""],
    ]
    data = messy.xlsx(("Sheet1", messy.sheet_rows(HEADERS, rows, title="第1期学员通讯录")))
    record = preview_roster_import(session, messy.upload(data), actor=admin)
    assert record.errors == []
    assert (record.total_rows, record.created_count) == (4, 4)
    commit_roster_import(record, actor=admin)
    roster = {at.person.id_number: at for at in session.attendees.select_related("person")}
    assert set(roster) == {a, b, c, doctor.id_number}
    assert roster[a].person.name == "周伟" and roster[a].phone == "13800000001"
    assert roster[b].phone == "13800000002" and roster[b].passed is False
    assert roster[a].person.unit == cast.city_hospital
    assert Person.objects.get(pk=doctor.pk).unit == cast.county_hospital  # never moved


def test_bad_rows_are_named_and_nothing_is_written(cast, session, admin):
    a, b = ids(2, seed=72)
    rows = [
        [1, "周伟", a, "", "", "", ""],
        [2, "周伟", a.lower(), "", "", "", ""],  # the same person twice
        [3, cast.persons["nurse"].name + "子", cast.persons["nurse"].id_number, "", "", "", ""],
        [4, "吴敏", b, "", "", "", "优秀"],
    ]
    data = messy.xlsx(("Sheet1", messy.sheet_rows(HEADERS, rows, title="第1期学员通讯录")))
    record = preview_roster_import(session, messy.upload(data), actor=admin)
    assert record.state == RosterImport.State.INVALID
    found = {(e["row"], e["column"]) for e in record.errors}
    assert found == {(5, "证件号"), (6, "学员姓名"), (7, "考核结果")}
    with pytest.raises(DomainError):
        commit_roster_import(record, actor=admin)
    assert not session.attendees.exists()
    assert not Person.objects.filter(id_number__in=[a, b]).exists()


def test_an_xls_roster_and_a_gb18030_csv(cast, session, admin):
    a, b = ids(2, seed=73)
    xls = messy.xls(messy.sheet_rows(["姓名", "身份证号"], [["周伟", a]], title="通讯录"))
    record = preview_roster_import(session, messy.upload(xls, "通讯录.xls"), actor=admin)
    assert record.errors == []
    commit_roster_import(record, actor=admin)
    csv = messy.gb18030_csv(
        messy.sheet_rows(["姓名", "身份证号码"], [["吴敏", '="{n}"'.format(n=b)]])
    )
    record = preview_roster_import(session, messy.upload(csv, "通讯录.csv"), actor=admin)
    assert record.errors == []
    commit_roster_import(record, actor=admin)
    assert set(session.attendees.values_list("person__id_number", flat=True)) == {a, b}


def test_the_roster_on_the_second_sheet(cast, session, admin):
    [a] = ids(1, seed=74)
    data = messy.xlsx(
        ("说明", [["学员通讯录填写说明"], ["1. 姓名、证件号码为必填"]]),
        ("学员通讯录", [["姓名", "证件号码"], ["周伟", a]]),
    )
    record = preview_roster_import(session, messy.upload(data), actor=admin)
    assert record.errors == []
    commit_roster_import(record, actor=admin)
    assert session.attendees.get().person.id_number == a
