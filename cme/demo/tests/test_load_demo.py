from io import StringIO

import pytest
from django.core.management import call_command
from stdnum.cn import ric, uscc

from cme.accounts.models import Membership, Role, User
from cme.core.models import AuditEvent
from cme.demo import hunan
from cme.demo.management.commands.load_demo import Command
from cme.orgs.models import Organisation
from cme.orgs.queries import orgs_visible_to
from cme.people.models import Person, UnitHistory

K = Organisation.Kind


def load() -> str:
    # The command object itself, so the test does not depend on cme.demo being in INSTALLED_APPS.
    out = StringIO()
    call_command(Command(), stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Organisation, User, Membership, Person, UnitHistory, AuditEvent)
    }


@pytest.fixture
def demo(db) -> str:
    return load()


def test_loads_the_province(demo):
    authorities = Organisation.objects.filter(kind=K.AUTHORITY)
    assert authorities.filter(region__level="city").count() == 14
    assert set(authorities.filter(region__level="city").values_list("name", flat=True)) == {
        name for name, _ in hunan.CITIES
    }
    assert authorities.filter(region__level="county").count() == len(hunan.COUNTIES)
    assert authorities.get(region__isnull=True).name == "全国继续医学教育委员会办公室"
    province = authorities.get(name="湖南省卫生健康委员会")
    assert province.licensing_authority.name == "全国继续医学教育委员会办公室"

    hospitals = Organisation.objects.filter(kind=K.MEDICAL)
    assert hospitals.count() >= 20
    assert {h.grade for h in hospitals} == {"1", "2", "3"}
    assert all(uscc.is_valid(h.uscc) for h in hospitals)
    levels = {
        h.licensing_authority.authority_level
        for h in hospitals.select_related("licensing_authority__region")
    }
    assert levels == {"province", "city", "county"}
    assert hospitals.filter(licence_status=Organisation.LicenceStatus.SUSPENDED).exists()
    assert hospitals.filter(inspection_result=Organisation.Inspection.FAILED).exists()
    assert hospitals.filter(name_compliant=False).exists()

    society = Organisation.objects.get(name="湖南省医学会", kind=K.SOCIETY)
    emergency = Organisation.objects.get(name="湖南省医学会急诊医学专业委员会")
    assert (
        emergency.kind,
        emergency.parent,
        emergency.national_account,
        emergency.provincial_account,
    ) == (
        K.BRANCH,
        society,
        "1815010",
        "936732",
    )
    assert society.branches.count() == len(hunan.MEDICAL_ASSOCIATION_BRANCHES) >= 8
    assert Organisation.objects.get(name="湖南省医师协会").branches.count() >= 6
    assert emergency.tree_path.startswith(society.tree_path)
    assert Organisation.objects.filter(kind=K.DISTANCE, licensing_authority=province).exists()


def test_persons(demo):
    persons = list(Person.objects.all())
    assert len(persons) == hunan.PERSONS
    assert all(ric.is_valid(p.id_number) and p.id_number[:2] == "43" for p in persons)
    assert len({p.id_number for p in persons}) == len(persons)
    assert all(p.unit.kind == K.MEDICAL for p in Person.objects.select_related("unit"))
    assert all(p.phone.isdigit() and len(p.phone) == 11 and p.phone[0] == "1" for p in persons)
    assert all(p.title_level > 0 and p.department and 2 <= len(p.name) <= 4 for p in persons)
    assert UnitHistory.objects.count() == len(persons)
    share = {s: sum(p.title_series == s for p in persons) / len(persons) for s in ("护理", "医疗")}
    assert 0.42 < share["护理"] < 0.52
    assert 0.33 < share["医疗"] < 0.43


def test_a_login_per_role(demo):
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert set(roles.values()) == set(Role.values) - {Role.SYSTEM_ADMIN}
    for username in hunan.USERNAMES:
        account = User.objects.get(username=username)
        assert account.check_password(hunan.PASSWORD)
        assert not account.must_change_password
        assert username in demo
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    learner = User.objects.get(username="learner")
    assert learner.person.unit.name == "长沙市第一医院"
    assert User.objects.get(username="hnma_emergency").membership.organisation.name == (
        "湖南省医学会急诊医学专业委员会"
    )
    assert "http://127.0.0.1:8000/" in demo


def test_second_run_changes_nothing(demo):
    before = counts()
    output = load()
    assert counts() == before
    assert "已存在" in output
    assert all(username in output for username in hunan.USERNAMES)


def test_changsha_reviewer_sees_no_zhuzhou_unit(demo):
    visible = orgs_visible_to(User.objects.get(username="cs_city"))
    names = set(visible.values_list("name", flat=True))
    assert {"长沙市第一医院", "浏阳市人民医院", "长沙市芙蓉区东湖街道社区卫生服务中心"} <= names
    assert not any(name.startswith(("株洲", "醴陵")) for name in names)
    assert not visible.filter(region__code__startswith="4302").exists()
    assert not visible.exclude(region__code__startswith="4301").exists()
