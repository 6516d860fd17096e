"""The rule registry itself (SPEC §4.3; STYLE "Rules as data"): the valid declaration is
clean, every id is registered with its source, levels come from policy (unverified limits
warn, structural checks default to error), the number of queries does not grow with the
schedule, and docs/rules.md is generated from the registry."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cme.core.errors import DomainError
from cme.policy.models import PolicyValue
from cme.projects.checks import Finding
from cme.projects.management.commands import rules_doc
from cme.projects.models import Lesson, Project
from cme.projects.rules import RULES, check_declaration, has_errors, rules_markdown
from cme.projects.tests.factories import (
    IN_WINDOW,
    fresh,
    lesson,
    rule_ids,
    session,
    teacher,
    valid_declaration,
)

SPEC_IDS = [
    "WINDOW_CLOSED",
    "SPONSOR_KIND",
    "SPONSOR_LICENSE",
    "SPONSOR_INSPECTION",
    "SPONSOR_NAME",
    "SPONSOR_SANCTIONED",
    "DUPLICATE_PROJECT",
    "NOT_FIRST_SPONSOR",
    "FILING_NOT_ELIGIBLE",
    "FILING_LIMIT",
    "APPROVED_NOT_NEW",
    "LEADER_NOT_STAFF",
    "LEADER_TITLE",
    "LEADER_EXPERIENCE",
    "LEADER_QUOTA",
    "LEADER_TEACHES",
    "TEACHER_TITLE",
    "TEACHER_HOURS",
    "OWN_TEACHER_SHARE",
    "TEACHER_CONSENT",
    "SESSIONS_MAX",
    "PLACE_MAINLAND",
    "PLACE_BANNED",
    "CONTENT_REQUIRED",
    "QUOTA_EXCEEDED",
    "MEETING_NOT_PROJECT",
    "CREDITS_HOURS",
    "CREDITS_CAP",
]
STRUCTURAL_IDS = [
    "NAME_LENGTH",
    "COURSES_MAX",
    "SESSIONS_IN_YEAR",
    "ATTACHMENTS_REQUIRED",
    "LESSON_HOURS",
    "FORM_FIELDS_REQUIRED",
]


@pytest.fixture
def project(cast, time_machine):
    time_machine.move_to(IN_WINDOW, tick=False)
    return valid_declaration(cast)


def _make_leader_a_resident(cast) -> None:
    doctor = cast.persons["doctor"]
    doctor.title, doctor.title_level = "主治医师", 3
    doctor.save(update_fields=["title", "title_level"])


def test_the_valid_declaration_breaks_no_rule(project):
    assert check_declaration(fresh(project)) == []


def test_every_rule_of_the_spec_and_every_structural_check_is_registered():
    assert list(RULES) == SPEC_IDS + STRUCTURAL_IDS
    assert [i for i, r in RULES.items() if r.structural] == STRUCTURAL_IDS
    for r in RULES.values():
        assert r.source and r.fields and r.summary, r.id


def test_every_spec_rule_has_a_severity_in_both_years(db):
    for year in (2021, 2024):
        keys = set(
            PolicyValue.objects.filter(year=year, key__startswith="rule.").values_list(
                "key", flat=True
            )
        )
        assert {"rule.{i}.severity".format(i=i) for i in SPEC_IDS} <= keys


def test_a_finding_names_its_rule_field_and_source(cast, project):
    _make_leader_a_resident(cast)
    (finding,) = check_declaration(fresh(project))
    assert finding.as_dict() == {
        "rule_id": "LEADER_TITLE",
        "level": "error",
        "field": "leader",
        "message": "项目负责人须具有副高级及以上职称，当前为“主治医师”（中级）。",
        "source": "004 §五.4",
    }
    assert has_errors([finding])


def test_an_unverified_limit_turns_an_error_into_a_warning(cast, project):
    _make_leader_a_resident(cast)
    PolicyValue.objects.filter(year=2024, key="leader.title_min").update(verified=False)
    findings = check_declaration(fresh(project))
    assert [(f.rule_id, f.level) for f in findings] == [("LEADER_TITLE", "warning")]
    assert not has_errors(findings)


def test_severity_is_policy_data(cast, project):
    _make_leader_a_resident(cast)
    PolicyValue.objects.filter(year=2024, key="rule.LEADER_TITLE.severity").update(value="warning")
    assert [f.level for f in check_declaration(fresh(project))] == ["warning"]


def test_a_null_severity_switches_the_rule_off_for_that_year(cast, project):
    _make_leader_a_resident(cast)
    PolicyValue.objects.filter(year=2024, key="rule.LEADER_TITLE.severity").update(value=None)
    assert check_declaration(fresh(project)) == []


def test_structural_checks_without_a_severity_row_are_errors(project):
    project.name = "长" * 76
    project.save(update_fields=["name"])
    assert not PolicyValue.objects.filter(key="rule.NAME_LENGTH.severity").exists()
    assert [(f.rule_id, f.level) for f in check_declaration(fresh(project))] == [
        ("NAME_LENGTH", "error")
    ]
    PolicyValue.objects.create(year=2024, key="rule.NAME_LENGTH.severity", value="warning")
    assert [f.level for f in check_declaration(fresh(project))] == ["warning"]


def test_a_spec_rule_without_a_severity_row_is_a_configuration_error(project):
    PolicyValue.objects.filter(year=2024, key="rule.LEADER_TITLE.severity").delete()
    with pytest.raises(DomainError) as exc:
        check_declaration(fresh(project))
    assert "rule.LEADER_TITLE.severity" in exc.value.message


def test_findings_come_back_in_registry_order(cast, project):
    _make_leader_a_resident(cast)
    project.sponsor_is_first = False
    project.save(update_fields=["sponsor_is_first"])
    assert [f.rule_id for f in check_declaration(fresh(project))] == [
        "NOT_FIRST_SPONSOR",
        "LEADER_TITLE",
    ]


def _grow(project, cast, *, lessons: int, sessions: int) -> None:
    """Add teachers (two lessons each, 1 学时) and sessions up to the given counts."""
    have = project.lessons.count()
    order = 2
    while have < lessons:
        t = teacher(project, "教师{n}".format(n=order), unit=cast.city_hospital, order=order)
        for _ in range(min(2, lessons - have)):
            lesson(project, t, "专题讲座第{n}讲".format(n=have + 1), "1.0", order=have)
            have += 1
        order += 1
    for n in range(project.planned_sessions.count(), sessions):
        session(project, datetime.date(2024, 10, 1) + datetime.timedelta(days=7 * n), order=n)
    project.sessions_planned = sessions
    project.save(update_fields=["sessions_planned"])


def test_the_number_of_queries_does_not_grow_with_lessons_teachers_or_sessions(
    cast, project, django_assert_num_queries
):
    Lesson.objects.filter(project=project, order=1).delete()  # two lessons, two sessions
    Project.objects.filter(pk=project.pk).update(credits=Decimal("0.5"))  # 3 学时 ÷ 6
    big = valid_declaration(cast, name="急诊医学系列专题讲座学习班")
    _grow(big, cast, lessons=50, sessions=6)
    assert (big.lessons.count(), big.teachers.count(), big.planned_sessions.count()) == (50, 26, 6)
    check_declaration(fresh(project))  # warm-up: nothing cached between calls, but be fair
    with CaptureQueriesContext(connection) as small:
        assert check_declaration(fresh(project)) == []
    with django_assert_num_queries(len(small.captured_queries)):
        assert rule_ids(check_declaration(fresh(big))) == set()


def test_docs_rules_md_is_generated_from_the_registry():
    assert rules_doc.doc_path().read_text(encoding="utf-8") == rules_markdown(), (
        "docs/rules.md is stale: run `DEBUG=1 manage.py rules_doc`"
    )
    for rule_id in SPEC_IDS + STRUCTURAL_IDS:
        assert "| {i} |".format(i=rule_id) in rules_markdown()


def test_rules_doc_check_fails_on_a_stale_file_and_the_command_rewrites_it(tmp_path, monkeypatch):
    target = tmp_path / "rules.md"
    target.write_text("# old\n", encoding="utf-8")
    monkeypatch.setattr(rules_doc, "doc_path", lambda: target)
    with pytest.raises(CommandError):
        call_command("rules_doc", "--check")
    call_command("rules_doc")
    assert target.read_text(encoding="utf-8") == rules_markdown()
    call_command("rules_doc", "--check")


def test_has_errors_ignores_warnings():
    warning = Finding("TEACHER_HOURS", "warning", "teachers.0", "…", "004 §五.2")
    assert not has_errors([warning])
    assert has_errors([warning, Finding("LEADER_TITLE", "error", "leader", "…", "004 §五.4")])
