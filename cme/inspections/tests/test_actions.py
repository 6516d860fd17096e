"""Issue 7 §3: an authority draws a reproducible stratified sample of held projects in its
scope, assigns inspectors, records findings per indicator and a result, adds files."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cme.core.errors import DomainError, PermissionDenied
from cme.core.models import AuditEvent
from cme.core.tests.files import docx_bytes, xlsx_bytes
from cme.inspections import actions
from cme.inspections.models import SpotCheckFile, SpotCheckItem
from cme.inspections.tests.conftest import PDF, PNG, YEAR, held, make_expert, scores

TODAY = timezone.localdate()


def test_only_held_projects_of_the_year_in_scope_are_candidates(
    cast, changsha_projects, zhuzhou_projects
):
    preview = actions.preview_draw(actor=cast.users["changsha"], year=YEAR, rate=Decimal(1), seed=1)
    drawn = {p.pk for s in preview.strata for p in s.drawn}
    assert drawn == {p.pk for p in changsha_projects}
    assert preview.total_candidates == 10


def test_strata_are_level_by_city(cast, changsha_projects, zhuzhou_projects):
    preview = actions.preview_draw(actor=cast.users["province"], year=YEAR, per_stratum=1, seed=5)
    keys = {(s.level, s.city_name): (s.candidates, len(s.drawn)) for s in preview.strata}
    assert keys == {
        ("city", "长沙市"): (2, 1),
        ("provincial", "长沙市"): (8, 1),
        ("provincial", "株洲市"): (3, 1),
    }


def test_the_saved_draw_is_the_previewed_one_and_can_be_verified(cast, changsha_projects):
    preview = actions.preview_draw(
        actor=cast.users["changsha"], year=YEAR, rate=Decimal("0.5"), seed=42
    )
    spot_check = actions.create_spot_check(
        actor=cast.users["changsha"], year=YEAR, rate=Decimal("0.5"), seed=42
    )
    saved = set(spot_check.items.values_list("project_id", flat=True))
    assert saved == {p.pk for s in preview.strata for p in s.drawn}
    assert len(saved) == 4 + 1  # half of 8 provincial, half of 2 city-level
    assert actions.verify_draw(spot_check)
    event = AuditEvent.objects.get(action="inspection.draw")
    assert event.changes["随机种子"] == 42
    assert event.scope_path == cast.changsha.tree_path


def test_a_unit_cannot_draw_and_an_empty_year_is_refused(cast, changsha_projects):
    with pytest.raises(PermissionDenied):
        actions.preview_draw(actor=cast.users["city_admin"], year=YEAR, per_stratum=1, seed=1)
    with pytest.raises(DomainError) as exc:
        actions.create_spot_check(actor=cast.users["changsha"], year=2019, per_stratum=1, seed=1)
    assert exc.value.code == "SPOT_CHECK_EMPTY"
    with pytest.raises(DomainError) as exc:
        actions.preview_draw(actor=cast.users["changsha"], year=YEAR, seed=1)
    assert exc.value.code == "SPOT_CHECK_SIZE"


def test_inspectors_are_the_authoritys_reviewers_or_experts_of_its_scope(cast, draw):
    item = draw.items.select_related("project").first()
    expert = make_expert(cast, "e1", cast.county_hospital)
    with pytest.raises(DomainError) as exc:
        actions.assign_inspectors(
            draw, actor=cast.users["changsha"], items=[item], inspectors=[cast.users["zhuzhou"]]
        )
    assert exc.value.code == "SPOT_CHECK_INSPECTORS"
    actions.assign_inspectors(
        draw,
        actor=cast.users["changsha"],
        items=[item],
        inspectors=[cast.users["furong"], expert],
        visit_date=TODAY,
    )
    assert set(item.inspectors.all()) == {cast.users["furong"], expert}
    with pytest.raises(PermissionDenied):
        actions.assign_inspectors(
            draw, actor=cast.users["province"], items=[item], inspectors=[expert]
        )


def test_an_expert_never_inspects_a_project_of_their_own_unit(cast, draw):
    own = make_expert(cast, "e2", cast.city_hospital)
    item = draw.items.select_related("project").filter(project__sponsor=cast.city_hospital)[0]
    with pytest.raises(DomainError) as exc:
        actions.assign_inspectors(
            draw, actor=cast.users["changsha"], items=[item], inspectors=[own]
        )
    assert exc.value.code == "INSPECTOR_OWN_UNIT"


@pytest.fixture
def item(cast, draw):
    item = draw.items.select_related("project").first()
    actions.assign_inspectors(
        draw, actor=cast.users["changsha"], items=[item], inspectors=[cast.users["furong"]]
    )
    return item


@pytest.mark.parametrize(
    ("overrides", "total", "result"),
    [
        ({}, "100", "pass"),
        ({"PARTICIPANTS": "0", "OUT_OF_PROVINCE": "0"}, "80", "pass"),
        ({"PARTICIPANTS": "0", "OUT_OF_PROVINCE": "0", "ARCHIVE": "0.5"}, "75.5", "basic"),
        ({"TEACHERS": "0"}, "90", "fail"),  # a veto indicator at 0
        (
            {
                "PARTICIPANTS": "0",
                "OUT_OF_PROVINCE": "0",
                "SATISFACTION": "0",
                "ARCHIVE": "0",
                "PRE_REPORT": "0",
            },
            "55",
            "fail",
        ),
    ],
)
def test_the_result_follows_from_the_total_and_the_vetoes(cast, item, overrides, total, result):
    actions.record_findings(
        item,
        actor=cast.users["furong"],
        scores=scores(**overrides),
        visit_date=TODAY,
        summary="现场核查发现问题",
    )
    item.refresh_from_db()
    assert item.score == Decimal(total)
    assert item.result == result
    assert item.state == SpotCheckItem.State.CHECKED
    event = AuditEvent.objects.get(action="inspection.result")
    assert event.changes["检查结论"][1] == str(SpotCheckItem.Result(result).label)


def test_findings_are_checked(cast, item):
    def record(**kw):
        values = {"scores": scores(), "visit_date": TODAY, "summary": ""} | kw
        with pytest.raises(DomainError) as exc:
            actions.record_findings(item, actor=cast.users["furong"], **values)
        return exc.value

    assert record(scores=scores(PARTICIPANTS="11")).field == "PARTICIPANTS"
    assert record(scores=scores(PARTICIPANTS="7.3")).code == "SPOT_CHECK_SCORE"
    missing = scores()
    del missing["ARCHIVE"]
    assert record(scores=missing).field == "ARCHIVE"
    assert record(scores=scores() | {"NOPE": {"score": "1"}}).code == "SPOT_CHECK_INDICATOR"
    assert (
        record(visit_date=timezone.localdate() + datetime.timedelta(days=1)).code
        == "SPOT_CHECK_DATE"
    )
    assert record(scores=scores(CONDUCT="0")).code == "SPOT_CHECK_SUMMARY"


def test_only_the_assigned_inspector_or_the_authority_records(cast, item):
    with pytest.raises(PermissionDenied):
        actions.record_findings(
            item, actor=cast.users["province"], scores=scores(), visit_date=TODAY
        )
    actions.record_findings(item, actor=cast.users["changsha"], scores=scores(), visit_date=TODAY)


def test_files_are_checked_by_content(cast, item, settings):
    def add(content, name, kind):
        return actions.add_file(
            item,
            actor=cast.users["furong"],
            upload=SimpleUploadedFile(name, content),
            kind=kind,
        )

    assert add(PNG, "现场.png", "photo").kind == SpotCheckFile.Kind.PHOTO
    assert add(PDF, "签到表.pdf", "document").name == "签到表.pdf"
    assert add(docx_bytes(), "记录.docx", "document")
    for content, name, kind in [
        (PDF, "photo.jpg", "photo"),
        (b"hello", "a.pdf", "document"),
        (xlsx_bytes(), "a.docx", "document"),
    ]:
        with pytest.raises(DomainError) as exc:
            add(content, name, kind)
        assert exc.value.code == "FILE_TYPE", name
    big = SimpleUploadedFile("big.png", PNG)
    big.size = 11 * 1024 * 1024
    with pytest.raises(DomainError) as exc:
        actions.add_file(item, actor=cast.users["furong"], upload=big, kind="photo")
    assert exc.value.code == "FILE_TOO_LARGE"
    with pytest.raises(PermissionDenied):
        actions.add_file(
            item,
            actor=cast.users["zhuzhou"],
            upload=SimpleUploadedFile("a.png", PNG),
            kind="photo",
        )
    assert item.files.count() == 3


def test_a_later_session_does_not_change_a_kept_draw(cast, draw):
    held(cast, cast.city_hospital, n=3)
    assert actions.verify_draw(draw)
