"""Builders shared by the demo data (`manage.py load_demo`) and the tests' fixed cast.

Everything goes through the same actions a user's clicks go through, so the demo and the
tests exercise real paths: tree paths, audit rows, memberships.
"""

import random
from dataclasses import dataclass, field

from django.db import transaction
from stdnum.cn import ric

from cme.accounts.models import Membership, Role, User
from cme.orgs.actions import create_organisation
from cme.orgs.models import Organisation, Region
from cme.people.models import Person, UnitHistory
from cme.people.titles import level_of

K = Organisation.Kind


def org(
    name: str, kind: str, region: str | None, authority: Organisation | None = None, **extra
) -> Organisation:
    return create_organisation(
        actor=None,
        name=name,
        kind=kind,
        region=Region.objects.get(code=region) if region else None,
        licensing_authority=authority,
        **extra,
    )


def user(
    username: str, full_name: str, organisation: Organisation, role: str, password: str
) -> User:
    """A ready-to-use login (no forced password change): for the demo and tests only."""
    account = User.objects.create_user(
        username=username, password=password, first_name=full_name, must_change_password=False
    )
    Membership.objects.create(user=account, organisation=organisation, role=role)
    return account


def resident_id(
    rng: random.Random, region: str, birth_year: int | None = None, sex: str | None = None
) -> str:
    """A valid GB 11643 number for a region code, e.g. for demo staff.

    stdnum also checks that the region code existed in the birth year, so a random
    year is drawn again until the number is valid.
    """
    for _ in range(1 if birth_year else 200):
        year = birth_year or rng.randint(1960, 2000)
        parity = rng.choice(
            [1, 3, 5, 7, 9] if sex == "M" else [0, 2, 4, 6, 8] if sex == "F" else range(10)
        )
        seq = rng.randint(0, 99) * 10 + parity
        body = f"{region}{year:04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{seq:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if ric.is_valid(number):
            return number
    raise ValueError(f"no valid ID number for region {region}")


def person(
    unit: Organisation,
    name: str,
    id_number: str,
    title: str = "",
    department: str = "",
    phone: str = "",
) -> Person:
    series, level = level_of(title) or ("", 0)
    p = Person.objects.create(
        unit=unit,
        name=name,
        id_number=id_number,
        sex="M" if int(id_number[16]) % 2 else "F",
        birth_date=ric.get_birth_date(id_number),
        title=title,
        title_series=series,
        title_level=level,
        department=department,
        phone=phone,
    )
    UnitHistory.objects.create(
        person=p, unit=unit, started_at=p.created_at, via=UnitHistory.Via.ENTRY
    )
    return p


@dataclass
class Cast:
    """The fixed cast of the tests: two cities (one with a county), hospitals of each
    licensing case, a society with a branch, a login in every role, and a reviewer of
    the other city who must see nothing of Changsha."""

    password: str
    national: Organisation = None
    province: Organisation = None
    changsha: Organisation = None
    furong: Organisation = None
    zhuzhou: Organisation = None
    city_hospital: Organisation = None  # licensed by Changsha
    county_hospital: Organisation = None  # licensed by 芙蓉区
    provincial_hospital: Organisation = None  # directly under the provincial commission
    zhuzhou_hospital: Organisation = None
    society: Organisation = None
    branch: Organisation = None
    users: dict[str, User] = field(default_factory=dict)
    persons: dict[str, Person] = field(default_factory=dict)


@transaction.atomic
def build_cast(password: str = "Cast-Pass-2026!") -> Cast:  # noqa: S107
    c = Cast(password=password)
    c.national = org("全国继续医学教育委员会办公室", K.AUTHORITY, None)
    c.province = org("湖南省卫生健康委员会", K.AUTHORITY, "430000", c.national)
    c.changsha = org("长沙市卫生健康委员会", K.AUTHORITY, "430100", c.province)
    c.furong = org("长沙市芙蓉区卫生健康局", K.AUTHORITY, "430102", c.changsha)
    c.zhuzhou = org("株洲市卫生健康委员会", K.AUTHORITY, "430200", c.province)
    c.city_hospital = org(
        "长沙市第一医院", K.MEDICAL, "430102", c.changsha, grade="3", uscc="12430100444883830C"
    )
    c.county_hospital = org("长沙市芙蓉区人民医院", K.MEDICAL, "430102", c.furong, grade="2")
    c.provincial_hospital = org("湖南省人民医院", K.MEDICAL, "430102", c.province, grade="3")
    c.zhuzhou_hospital = org("株洲市中心医院", K.MEDICAL, "430202", c.zhuzhou, grade="3")
    c.society = org("湖南省医学会", K.SOCIETY, "430000", c.province, provincial_account="936700")
    c.branch = org(
        "湖南省医学会急诊医学专业委员会",
        K.BRANCH,
        "430000",
        None,
        parent=c.society,
        national_account="1815010",
        provincial_account="936732",
    )
    for key, organisation, role in [
        ("province", c.province, Role.PROVINCIAL_OFFICE),
        ("national", c.national, Role.NATIONAL_OFFICE),
        ("changsha", c.changsha, Role.CITY_REVIEWER),
        ("furong", c.furong, Role.COUNTY_REVIEWER),
        ("zhuzhou", c.zhuzhou, Role.CITY_REVIEWER),
        ("city_admin", c.city_hospital, Role.UNIT_ADMIN),
        ("county_admin", c.county_hospital, Role.UNIT_ADMIN),
        ("provincial_admin", c.provincial_hospital, Role.UNIT_ADMIN),
        ("zhuzhou_admin", c.zhuzhou_hospital, Role.UNIT_ADMIN),
        ("society_admin", c.society, Role.UNIT_ADMIN),
        ("secretary", c.branch, Role.BRANCH_SECRETARY),
    ]:
        c.users[key] = user(key, organisation.name + "用户", organisation, role, password)
    rng = random.Random(3)
    for key, unit, name, title in [
        ("nurse", c.city_hospital, "李小红", "主管护师"),
        ("doctor", c.city_hospital, "王建国", "副主任医师"),
        ("county_doctor", c.county_hospital, "赵强", "主治医师"),
        ("zhuzhou_nurse", c.zhuzhou_hospital, "刘芳", "护师"),
    ]:
        c.persons[key] = person(
            unit, name, resident_id(rng, unit.region_id), title, "内科", "13800000000"
        )
    learner = user("learner", "李小红", c.city_hospital, Role.LEARNER, password)
    c.persons["nurse"].user = learner
    c.persons["nurse"].save(update_fields=["user"])
    c.users["learner"] = learner
    c.users["admin"] = User.objects.create_superuser(
        "sysadmin", password=password, first_name="系统管理员", must_change_password=False
    )
    return c
