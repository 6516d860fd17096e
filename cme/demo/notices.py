"""The demo's notices (issue 7 §7): four of the seed documents, entered as their authorities
would publish them — the title and 文号 of the original, its first paragraphs as the body,
and for seed 000 its 附件3-5 as blank templates from the platform's own tables. Seed 002
is left out: it comes from 湖南省医学会, a society, and only health authorities publish.

Idempotent: a notice already there (same publisher and title) is not entered again."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cme.accounts.models import User
from cme.notices import actions
from cme.notices.models import Notice

Audience = Notice.Audience

SEED_000 = """各市州卫生健康委科教科，省卫生健康委直属和联系单位及相关学、协会：

为积极推进继续医学教育工作深入开展，更好地满足卫生专业技术人员对优质培训资源的需求，不断提高业务素质和能力水平，更好地维护人民群众健康，根据全国继续医学教育委员会文件（全继委办发〔2020〕12号）精神，为做好我省2021年国家级和省级继续医学教育项目申报工作，现将有关申报事宜通知如下：

一、申报时间

2021年国家级新项目申报截止时间：2020年8月31日；
2021年国家级备案项目申报截止时间：2021年1月29日；
2021年省级新项目申报截止时间：2020年11月30日，不再进行第二批新项目申报；
2021年省级备案项目申报截止时间：2021年1月29日；
逾期不予受理。

二、申报系统与网址

1、国家级继教项目：通过国家级CME项目网进行项目申报与备案（网址http://cmegsb.cma.org.cn）。
2、省级继教项目：通过省卫生健康委科教信息平台进行项目申报与备案（网址https://hunan.wsglw.net）。

附件：3.国家级继教项目申报汇总表
4.省级继教项目申报汇总表
5.继教工作联系人信息表

湖南省卫生健康委科教处
2020年8月3日"""

SEED_001 = """各省、自治区、直辖市及新疆生产建设兵团继续医学教育委员会，委有关直属联系单位及相关学协会，各有关单位：

根据《国家级继续医学教育项目申报、认可办法》（全继委发〔2006〕11号）的有关规定，经全国继续医学教育委员会学科组专家专业评审，现将评审通过的项目作为2021年第一批国家级继续医学教育项目予以公布，共计12225项（附件1）。项目通过国家卫生健康委员会网站（http://www.nhc.gov.cn）、中华医学会网站（http://www.cma.org.cn）和国家级继续医学教育项目网上申报及信息反馈系统（http://cmegsb.cma.org.cn）发布。

请各省、自治区、直辖市及新疆生产建设兵团继续医学教育委员会、委有关直属联系单位及相关学协会等加强对申办单位及项目实施的监管，有效防范、及时查处违法违规行为，确保项目按相关要求认真执行、按时报送项目执行情况和及时对报送内容予以审核。

附件：1. 2021年第一批国家级继续医学教育项目（网上公布）
2. 2021年国家级继续医学教育项目执行情况总结汇报表
3. 国家级继续医学教育项目教材使用情况简介表
4. 各省、自治区、直辖市继续医学教育委员会地址及联系方式

全国继续医学教育委员会办公室
（中华医学会代章）
2020年12月25日"""

SEED_003 = """各区县（市）卫生健康局，高新区社会事业局，各医疗卫生机构，委机关各处室：

为切实加强全市医疗卫生专业技术人员继续医学教育工作，提高继续医学教育质量，促进全市继续医学教育工作高质量发展，根据国家卫生健康委及省卫生健康委有关政策和具体办法，市卫生健康委制定《长沙市继续医学教育管理办法（试行）》，现印发给你们，请遵照执行。

长沙市卫生健康委员会
2022年4月14日"""

SEED_004 = """为推动新时代国家级继续医学教育项目高质量发展、提升其在卫生专业技术人才培养中的重要作用，优化卫生人才培养结构、提高卫生人才培养质量，进一步落实为基层减负，做好2024年国家级继续医学教育项目申报工作，现将《2024年国家级继续医学教育项目申办要求》公布如下，请有关单位遵照执行。

一、项目定位

国家级继续医学教育项目要面向全国卫生健康在职人员，整合国家级权威专家等学术资源开展培训，以提高全国卫生专业技术人员专业知识、技能、职业素质为目的。

二、总体要求

1.坚持以需求为导向的原则。项目申办要基于行业需求，包括学员需求、问卷调查情况、评估结果、临床实践存在的问题或差距、国内外本领域的最新进展、卫生政策法规的新要求，以及未来的工作需求等。

2.项目设计要注重针对性和可行性。根据培训对象、培训目标和培训效果，确定合适的项目名称，设计与之匹配、切实可行的培训内容、授课教师、教学形式、学时安排、考核和评估方式等，且与其他同类项目相比具有一定的创新性。"""


def _blank_templates() -> list[SimpleUploadedFile]:
    """000 附件3-5 as the platform makes them, with their header rows and no data."""
    from cme.projects import documents

    files = []
    for name, response in (
        ("国家级继教项目申报汇总表.xlsx", documents.national_summary([])),
        ("省级继教项目申报汇总表.xlsx", documents.provincial_summary([])),
        ("继教工作联系人信息表.xlsx", documents.contacts([])),
    ):
        files.append(SimpleUploadedFile(name, b"".join(response.streaming_content)))
    return files


# (login, seed, title, 文号, audience, pinned, body, date published or None for today)
NOTICES = [
    (
        "hn_province",
        "000",
        "湖南省卫生健康委科教处关于申报2021年度国家级和省级继续医学教育项目的通知",
        "湘卫科教处便函〔2020〕19号",
        Audience.SCOPE,
        False,
        SEED_000,
        datetime.date(2020, 8, 3),
    ),
    (
        "national",
        "001",
        "关于公布2021年第一批国家级继续医学教育项目的通知",
        "全继委办发〔2020〕24号",
        Audience.PUBLIC,
        False,
        SEED_001,
        datetime.date(2020, 12, 25),
    ),
    (
        "cs_city",
        "003",
        "关于印发《长沙市继续医学教育管理办法（试行）》的通知",
        "",
        Audience.SCOPE,
        True,
        SEED_003,
        datetime.date(2022, 4, 14),
    ),
    (
        "national",
        "004",
        "国家级继续医学教育项目申办要求（2024年版）",
        "",
        Audience.PUBLIC,
        True,
        SEED_004,
        None,
    ),
]


def load_notices(accounts: dict[str, User]) -> int:
    """Publish the seed notices through the same actions an authority's clicks go through;
    a notice's date is the one on the original document where it has one."""
    tz = timezone.get_current_timezone()
    created = 0
    for login, seed, title, number, audience, pinned, body, day in NOTICES:
        actor = accounts[login]
        if Notice.objects.filter(publisher=actor.membership.organisation, title=title).exists():
            continue
        notice = actions.create_notice(
            actor=actor,
            title=title,
            body=body,
            audience=audience,
            document_number=number,
            pinned=pinned,
        )
        if seed == "000":
            for upload in _blank_templates():
                actions.add_attachment(notice, actor=actor, file=upload, is_template=True)
        actions.publish_notice(notice, actor=actor)
        if day is not None:
            Notice.objects.filter(pk=notice.pk).update(
                published_at=datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=tz)
            )
        created += 1
    return created
