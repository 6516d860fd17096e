"""The Hunan demo province (`manage.py load_demo`): its data, then `load_hunan()`.

Names of the commissions, societies and branches are real; the branch accounts are those
of seed 002 (附件3, 附件4). Hospital credit codes are made up but valid (GB 32100 check
digit), and every person is invented: random names and valid resident ID numbers drawn
from `random.Random(2026)`, so every load gives the same people.
"""

import random
from collections import Counter

from django.db import transaction

from cme.accounts.models import Role, User
from cme.demo.builders import org, person, resident_id, user
from cme.demo.credits import load_credits
from cme.demo.notices import load_notices
from cme.orgs.models import Organisation, Region
from cme.people.models import Person
from cme.people.titles import level_of

K = Organisation.Kind
PASSWORD = "Demo@2026"  # noqa: S105 -- the published demo password
URL = "http://127.0.0.1:8000/"
SEED = 2026

NATIONAL = "全国继续医学教育委员会办公室"
PROVINCE = "湖南省卫生健康委员会"

# 市州卫生健康委员会 (licensed by the province): (name, region)
CITIES = [
    ("长沙市卫生健康委员会", "430100"),
    ("株洲市卫生健康委员会", "430200"),
    ("湘潭市卫生健康委员会", "430300"),
    ("衡阳市卫生健康委员会", "430400"),
    ("邵阳市卫生健康委员会", "430500"),
    ("岳阳市卫生健康委员会", "430600"),
    ("常德市卫生健康委员会", "430700"),
    ("张家界市卫生健康委员会", "430800"),
    ("益阳市卫生健康委员会", "430900"),
    ("郴州市卫生健康委员会", "431000"),
    ("永州市卫生健康委员会", "431100"),
    ("怀化市卫生健康委员会", "431200"),
    ("娄底市卫生健康委员会", "431300"),
    ("湘西土家族苗族自治州卫生健康委员会", "433100"),
]

# 区县卫生健康局 (licensed by their city): (name, region, city commission)
COUNTIES = [
    ("长沙市芙蓉区卫生健康局", "430102", "长沙市卫生健康委员会"),
    ("浏阳市卫生健康局", "430181", "长沙市卫生健康委员会"),
    ("株洲市天元区卫生健康局", "430211", "株洲市卫生健康委员会"),
    ("醴陵市卫生健康局", "430281", "株洲市卫生健康委员会"),
    ("衡阳县卫生健康局", "430421", "衡阳市卫生健康委员会"),
]

# 医疗机构: (name, region, licensing authority, grade, unified social credit code)
HOSPITALS = [
    # directly under the provincial commission
    ("湖南省人民医院", "430102", PROVINCE, "3", "1243000015881399F4"),
    ("湖南省肿瘤医院", "430104", PROVINCE, "3", "1243000069879730KE"),
    ("湖南省儿童医院", "430111", PROVINCE, "3", "124300001141707535"),
    ("湖南省妇幼保健院", "430105", PROVINCE, "3", "12430000645568155T"),
    # licensed by a city commission
    ("长沙市中心医院", "430111", "长沙市卫生健康委员会", "3", "12430100884472941J"),
    ("长沙市第一医院", "430105", "长沙市卫生健康委员会", "3", "12430100444883830C"),
    ("长沙市第三医院", "430103", "长沙市卫生健康委员会", "3", "1243010055761698BK"),
    ("株洲市中心医院", "430211", "株洲市卫生健康委员会", "3", "12430200168976846G"),
    ("湘潭市中心医院", "430302", "湘潭市卫生健康委员会", "3", "12430300978809323P"),
    ("衡阳市中心医院", "430406", "衡阳市卫生健康委员会", "3", "12430400819672737X"),
    ("岳阳市人民医院", "430602", "岳阳市卫生健康委员会", "3", "1243060077848648M2"),
    ("常德市第一人民医院", "430702", "常德市卫生健康委员会", "3", "124307008766344023"),
    ("郴州市第一人民医院", "431002", "郴州市卫生健康委员会", "3", "1243100029787534QF"),
    ("怀化市第一人民医院", "431202", "怀化市卫生健康委员会", "3", "12431200778768040L"),
    (
        "湘西土家族苗族自治州人民医院",
        "433101",
        "湘西土家族苗族自治州卫生健康委员会",
        "3",
        "1243310071784726TF",
    ),
    # licensed by a county/district bureau
    ("浏阳市人民医院", "430181", "浏阳市卫生健康局", "3", "12430181714751369W"),
    ("浏阳市妇幼保健院", "430181", "浏阳市卫生健康局", "2", "1243018170107981KM"),
    ("浏阳市集里街道社区卫生服务中心", "430181", "浏阳市卫生健康局", "1", "12430181331908459N"),
    ("长沙市芙蓉区人民医院", "430102", "长沙市芙蓉区卫生健康局", "2", "1243010205997283AF"),
    (
        "长沙市芙蓉区东湖街道社区卫生服务中心",
        "430102",
        "长沙市芙蓉区卫生健康局",
        "1",
        "12430102929841628U",
    ),
    (
        "株洲市天元区马家河街道社区卫生服务中心",
        "430211",
        "株洲市天元区卫生健康局",
        "1",
        "12430211948662834H",
    ),
    ("醴陵市中医院", "430281", "醴陵市卫生健康局", "2", "124302810161055012"),
    ("衡阳县人民医院", "430421", "衡阳县卫生健康局", "2", "12430421875475179P"),
    ("衡阳县中医医院", "430421", "衡阳县卫生健康局", "2", "1243042199229836KX"),
]

# Units not in the default state, so the rules on licences and names have cases to show.
UNIT_STATES = {
    "衡阳县中医医院": {"licence_status": Organisation.LicenceStatus.SUSPENDED},  # 暂缓校验
    "浏阳市集里街道社区卫生服务中心": {
        "inspection_result": Organisation.Inspection.FAILED
    },  # 不合格
    "醴陵市中医院": {"name_compliant": False},  # 通用名称应为“中医医院”
}

# (name, unified social credit code, provincial account)
SOCIETIES = [
    ("湖南省医学会", "51430000579318602F", "936700"),
    ("湖南省医师协会", "51430000208073708K", None),
]

# 附件3 湖南省医学会各专业委员会继教账号: (name, national account, provincial account)
MEDICAL_ASSOCIATION_BRANCHES = [
    ("湖南省医学会急诊医学专业委员会", "1815010", "936732"),
    ("湖南省医学会内科学专业委员会", "1815020", "936704"),
    ("湖南省医学会心血管病学专业委员会", "1815030", "936728"),
    ("湖南省医学会儿科学专业委员会", "1815100", "936703"),
    ("湖南省医学会妇产科学专业委员会", "1815110", "936722"),
    ("湖南省医学会外科学专业委员会", "1815160", "936705"),
    ("湖南省医学会麻醉学专业委员会", "1815250", "936727"),
    ("湖南省医学会检验学专业委员会", "1815370", "936706"),
]

# 附件4 湖南省医师协会各专科医师分会继教账号
PHYSICIAN_ASSOCIATION_BRANCHES = [
    ("湖南省医师协会血液科医师分会", "00186101", "180043"),
    ("湖南省医师协会心血管内科医师分会", "00186102", "180057"),
    ("湖南省医师协会儿科医师分会", "00186109", "180079"),
    ("湖南省医师协会重症医师分会", "00186118", "180088"),
    ("湖南省医师协会外科医师分会", "00186122", "180092"),
    ("湖南省医师协会急诊医师分会", "00186131", "180677"),
]

DISTANCE_PROVIDER = ("湖南省卫生健康远程医学教育中心", "430000", "12430000838222647H")

# One login per role: (username, full name, organisation, role)
LOGINS = [
    ("hn_province", "周敏", PROVINCE, Role.PROVINCIAL_OFFICE),
    ("national", "王立群", NATIONAL, Role.NATIONAL_OFFICE),
    ("cs_city", "陈湘萍", "长沙市卫生健康委员会", Role.CITY_REVIEWER),
    ("zz_city", "谭志刚", "株洲市卫生健康委员会", Role.CITY_REVIEWER),
    ("cs_furong", "罗丽娟", "长沙市芙蓉区卫生健康局", Role.COUNTY_REVIEWER),
    ("cs_hospital1", "彭慧", "长沙市第一医院", Role.UNIT_ADMIN),
    ("ly_hospital", "黎建军", "浏阳市人民医院", Role.UNIT_ADMIN),
    ("hnma", "张丽珍", "湖南省医学会", Role.UNIT_ADMIN),
    ("hnma_emergency", "钟小雷", "湖南省医学会急诊医学专业委员会", Role.BRANCH_SECRETARY),
    ("leader", "刘建国", "长沙市第一医院", Role.PROJECT_LEADER),
    ("expert", "曾立新", "湖南省人民医院", Role.EXPERT),
    ("distance", "龚晓燕", DISTANCE_PROVIDER[0], Role.DISTANCE_PROVIDER),
    ("learner", "李小红", "长沙市第一医院", Role.LEARNER),
]
ADMIN = ("admin", "系统管理员")
USERNAMES = [login[0] for login in LOGINS] + [ADMIN[0]]

# Staff records for the logins that are also health professionals:
# (username, title, department, sex)
LOGIN_PERSONS = [
    ("learner", "主管护师", "心血管内科", "F"),
    ("leader", "主任医师", "急诊科", "M"),
    ("expert", "主任医师", "心血管内科", "M"),
]

PERSONS = 300
STAFF_BY_GRADE = {"3": 15, "2": 9, "1": 5}  # 16 + 5 + 3 hospitals → 300

SURNAMES = (
    "刘李王陈张杨周彭罗曾黄谭胡邓唐吴谢贺蒋龙易肖向廖文段田石钟邹颜龚戴雷汤毛夏袁"
    "何郭朱阳许舒符尹苏卢"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官")
GIVEN_FEMALE = "娟丽芳敏静婷霞艳玲琴红燕慧倩莉萍洁雪颖琳佳欣怡思雨梦晓丹珊蓉秀英兰凤媛婕璐瑶"
GIVEN_MALE = "伟强军勇杰涛斌波辉明华峰磊鹏超刚平建国志文宇浩俊凯亮林海湘鑫翔洋武德"

# Title series: (ladder of titles, weight of each rung); shares of the staff in SERIES_SHARE
NURSING = (("护士", "护师", "主管护师", "副主任护师", "主任护师"), (22, 35, 30, 10, 3))
MEDICAL = (("医师", "主治医师", "副主任医师", "主任医师"), (30, 35, 22, 13))
PHARMACY = (("药士", "药师", "主管药师", "副主任药师", "主任药师"), (10, 40, 35, 12, 3))
TECHNICAL = (("技士", "技师", "主管技师", "副主任技师", "主任技师"), (10, 40, 35, 12, 3))
SERIES_SHARE = [(NURSING, 47), (MEDICAL, 38), (PHARMACY, 7), (TECHNICAL, 8)]  # percent
BIRTH_YEARS = {1: (1996, 2003), 2: (1988, 1999), 3: (1979, 1992), 4: (1968, 1984), 5: (1962, 1976)}

CLINICAL_DEPARTMENTS = (
    "内科", "外科", "儿科", "妇产科", "急诊科", "心血管内科", "呼吸与危重症医学科", "消化内科",
    "神经内科", "骨科", "普通外科", "麻醉科", "重症医学科", "眼科", "耳鼻咽喉科", "康复医学科",
)  # fmt: skip
SPECIALISED_DEPARTMENTS = {
    "儿童医院": ("新生儿科", "小儿内科", "小儿外科", "儿童保健科", "急诊科", "儿童重症医学科"),
    "妇幼保健院": ("妇产科", "产科", "妇科", "儿科", "儿童保健科", "新生儿科"),
    "肿瘤医院": ("肿瘤内科", "放疗科", "胸部肿瘤外科", "乳腺外科", "头颈外科", "麻醉科"),
    "中医": ("内科", "外科", "针灸推拿科", "骨伤科", "康复医学科", "急诊科"),
    "社区卫生服务中心": ("全科医学科", "内科", "预防保健科", "中医科"),
}
TECHNICAL_DEPARTMENTS = ("检验科", "放射科", "超声医学科", "病理科")
PHONE_PREFIXES = ("130", "131", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                  "155", "158", "159", "173", "176", "177", "180", "181", "186", "187", "189",
                  "191", "199")  # fmt: skip


def demo_exists() -> bool:
    return Organisation.objects.filter(name=PROVINCE, kind=K.AUTHORITY, region_id="430000").exists()


@transaction.atomic
def load_hunan() -> dict[str, int]:
    """Create the demo province. Returns counts by kind of what was created."""
    rng = random.Random(SEED)
    orgs: dict[str, Organisation] = {}

    def add(organisation: Organisation) -> Organisation:
        orgs[organisation.name] = organisation
        return organisation

    national = add(org(NATIONAL, K.AUTHORITY, None))
    add(org(PROVINCE, K.AUTHORITY, "430000", national))
    for name, region in CITIES:
        add(org(name, K.AUTHORITY, region, orgs[PROVINCE]))
    for name, region, city in COUNTIES:
        add(org(name, K.AUTHORITY, region, orgs[city]))
    for name, region, authority, grade, code in HOSPITALS:
        extra = UNIT_STATES.get(name, {})
        add(org(name, K.MEDICAL, region, orgs[authority], grade=grade, uscc=code, **extra))
    for name, code, account in SOCIETIES:
        add(org(name, K.SOCIETY, "430000", orgs[PROVINCE], uscc=code, provincial_account=account))
    for society, branches in [
        ("湖南省医学会", MEDICAL_ASSOCIATION_BRANCHES),
        ("湖南省医师协会", PHYSICIAN_ASSOCIATION_BRANCHES),
    ]:
        for name, national_account, provincial_account in branches:
            add(
                org(
                    name,
                    K.BRANCH,
                    "430000",
                    None,
                    parent=orgs[society],
                    national_account=national_account,
                    provincial_account=provincial_account,
                )
            )
    name, region, code = DISTANCE_PROVIDER
    add(org(name, K.DISTANCE, region, orgs[PROVINCE], uscc=code))

    accounts = {}
    for username, full_name, organisation, role in LOGINS:
        accounts[username] = user(username, full_name, orgs[organisation], role, PASSWORD)
    User.objects.create_superuser(
        ADMIN[0], password=PASSWORD, first_name=ADMIN[1], must_change_password=False
    )

    staff = _Staff(rng)
    logged_in = Counter()
    for username, title, department, sex in LOGIN_PERSONS:
        account = accounts[username]
        unit = account.membership.organisation
        p = person(
            unit,
            account.first_name,
            staff.id_number(unit, title, sex),
            title,
            department,
            staff.phone(),
        )
        p.user = account
        p.save(update_fields=["user"])
        logged_in[unit.name] += 1
    for name, _region, _authority, grade, _code in HOSPITALS:
        unit = orgs[name]
        for _ in range(STAFF_BY_GRADE[grade] - logged_in[name]):
            staff.add(unit)
    _load_declarations(orgs, accounts)
    load_credits(accounts)
    load_notices(accounts)
    return {
        "organisations": len(orgs),
        "hospitals": len(HOSPITALS),
        "persons": Person.objects.filter(unit__in=orgs.values()).count(),
        "logins": len(USERNAMES),
    }


class _Staff:
    """Deterministic invented staff: names, IDs, titles and departments."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.counties = list(
            Region.objects.filter(level=Region.Level.COUNTY, code__startswith="43")
            .order_by("code")
            .values_list("code", flat=True)
        )
        self.by_year: dict[int, list[str]] = {}
        self.seen_ids: set[str] = set(Person.objects.values_list("id_number", flat=True))
        self.series = [s for s, share in SERIES_SHARE for _ in range(share * PERSONS // 100)]
        self.series += [NURSING] * (PERSONS - len(self.series))
        rng.shuffle(self.series)

    def add(self, unit: Organisation) -> Person:
        rng = self.rng
        ladder, weights = self.series.pop() if self.series else NURSING
        title = rng.choices(ladder, weights)[0]
        if ladder is NURSING[0]:
            sex = "F" if rng.random() < 0.93 else "M"
        elif ladder is MEDICAL[0]:
            sex = "M" if rng.random() < 0.55 else "F"
        else:
            sex = rng.choice("MF")
        return person(
            unit,
            self.name(sex),
            self.id_number(unit, title, sex),
            title,
            self.department(unit, ladder),
            self.phone(),
        )

    def name(self, sex: str) -> str:
        rng = self.rng
        surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.02 else rng.choice(SURNAMES)
        pool = GIVEN_FEMALE if sex == "F" else GIVEN_MALE
        length = 1 if rng.random() < 0.35 else 2
        return surname + "".join(rng.choice(pool) for _ in range(length))

    def id_number(self, unit: Organisation, title: str, sex: str) -> str:
        """Born mostly in the unit's own city, sometimes elsewhere in Hunan."""
        rng = self.rng
        low, high = BIRTH_YEARS[level_of(title)[1] or 2]
        year = rng.randint(low, high)
        counties = self.counties_in(year)
        local = [c for c in counties if c[:4] == unit.region_id[:4]]
        while True:
            region = rng.choice(local if local and rng.random() < 0.75 else counties)
            number = resident_id(rng, region, year, sex)
            if number not in self.seen_ids:
                self.seen_ids.add(number)
                return number

    def counties_in(self, year: int) -> list[str]:
        """Today's county codes that already existed in a birth year.

        `stdnum.cn.ric` (and so the platform) rejects a number whose region code was not
        assigned in its birth year: 宁乡市 430182 dates from 2017, for instance.
        """
        if year not in self.by_year:
            self.by_year[year] = [code for code in self.counties if _assigned_in(code, year)]
        return self.by_year[year]

    def department(self, unit: Organisation, ladder: tuple[str, ...]) -> str:
        rng = self.rng
        if ladder is PHARMACY[0]:
            return "药剂科"
        if ladder is TECHNICAL[0]:
            return rng.choice(TECHNICAL_DEPARTMENTS)
        if ladder is NURSING[0] and rng.random() < 0.12:
            return "护理部"
        for marker, departments in SPECIALISED_DEPARTMENTS.items():
            if marker in unit.name:
                return rng.choice(departments)
        return rng.choice(CLINICAL_DEPARTMENTS)

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"


def login_rows() -> list[tuple[str, str, str, str]]:
    """(username, password, role, organisation) of the demo logins that exist."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=USERNAMES).select_related(
            "membership__organisation"
        )
    }
    rows = []
    for username in USERNAMES:
        account = users.get(username)
        if account is None:
            continue
        membership = getattr(account, "membership", None)
        if membership is not None:
            rows.append(
                (username, PASSWORD, membership.get_role_display(), membership.organisation.name)
            )
        elif account.is_superuser:
            rows.append((username, PASSWORD, Role.SYSTEM_ADMIN.label, "—"))
    return rows


def _assigned_in(code: str, year: int) -> bool:
    try:
        resident_id(random.Random(code), code, year)
    except ValueError:
        return False
    return True


PUBLISHED_DEMO = [  # (sponsor, name, discipline secondary-tertiary)
    ("长沙市第一医院", "基层医院急性胸痛规范化诊治新进展学习班", ("03", "01")),
    ("湖南省人民医院", "重症患者早期康复护理技术培训班", ("14", "01")),
    ("株洲市中心医院", "腹腔镜胆道外科手术技术推广学习班", ("04", "01")),
]


def _load_declarations(orgs: dict[str, Organisation], accounts: dict[str, User]) -> None:
    """Next year's declaration windows (the provincial new-project window open until
    30 November, as in seed 002), the expert's discipline groups, and a few published
    projects of this year so the public list and the filing form have something."""
    import datetime

    from django.utils import timezone

    from cme.demo.holding import load_holding
    from cme.policy.models import DeclarationWindow, Discipline
    from cme.projects.actions import issue_number
    from cme.projects.expert_models import Expert
    from cme.projects.models import Kind, Level, PlannedSession, Project, State

    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    province = orgs[PROVINCE]
    for level, kind, opens, closes in [
        (Level.NATIONAL, Kind.NEW, (today.year, 6, 1), (today.year, 8, 31)),
        (Level.PROVINCIAL, Kind.NEW, (today.year, 9, 1), (today.year, 11, 30)),
        (Level.NATIONAL, Kind.FILING, (today.year, 12, 1), (today.year + 1, 1, 29)),
        (Level.PROVINCIAL, Kind.FILING, (today.year, 12, 1), (today.year + 1, 1, 29)),
    ]:
        DeclarationWindow.objects.create(
            year=today.year + 1,
            level=level,
            kind=kind,
            owner=province,
            opens_at=datetime.datetime(*opens, 8, 0, tzinfo=tz),
            closes_at=datetime.datetime(*closes, 23, 59, tzinfo=tz),
            note="湖南省卫生健康委科教处通知",
        )
    expert = accounts["expert"]
    Expert.objects.create(
        user=expert,
        name=expert.first_name,
        organisation=expert.membership.organisation,
        title="主任医师",
        discipline_codes=["03", "04"],
    )
    for sponsor_name, name, (secondary, tertiary) in PUBLISHED_DEMO:
        sponsor = orgs[sponsor_name]
        leader = (
            Person.objects.filter(unit=sponsor, title_level__gte=4)
            .order_by("-title_level", "pk")
            .first()
        )
        project = Project.objects.create(
            year=today.year,
            level=Level.PROVINCIAL,
            kind=Kind.NEW,
            name=name,
            sponsor=sponsor,
            declared_by=sponsor,
            leader=leader,
            leader_phone=leader.phone if leader else "",
            discipline=Discipline.objects.filter(secondary_code=secondary, tertiary_code=tertiary)
            .order_by("-year")
            .first(),
            audience="全省二级及以上医院相关专业人员",
            expected_participants=150,
            credits=5,
            needs_analysis="全省质控数据显示相关诊疗规范执行率偏低。",
            objectives="掌握规范化诊疗流程。",
            evaluation_levels=[1, 2, 3],
            state=State.PUBLISHED,
            created_by=accounts["hn_province"],
            approved_at=timezone.now(),
        )
        project.number = issue_number(project)
        project.save(update_fields=["number"])
        PlannedSession.objects.create(
            project=project,
            starts_on=datetime.date(today.year, 10, 16),
            ends_on=datetime.date(today.year, 10, 18),
            region=sponsor.region,
            address=sponsor.name + "学术报告厅",
        )
        if sponsor_name == PUBLISHED_DEMO[0][0]:
            load_holding(project, accounts)
