"""The demo's notices: the seeds as their authorities published them, loaded once."""

import pytest

from cme.demo.notices import NOTICES, load_notices
from cme.notices.models import Notice
from cme.notices.queries import public_notices, unread_notices

pytestmark = pytest.mark.django_db


def test_seed_notices_load_once_with_their_numbers_and_templates(cast):
    accounts = {
        "hn_province": cast.users["province"],
        "national": cast.users["national"],
        "cs_city": cast.users["changsha"],
    }
    assert load_notices(accounts) == len(NOTICES)
    assert load_notices(accounts) == 0
    province = Notice.objects.get(document_number="湘卫科教处便函〔2020〕19号")
    assert province.publisher == cast.province
    assert province.published_at.date().isoformat() == "2020-08-03"
    assert sorted(a.name for a in province.attachments.filter(is_template=True)) == [
        "国家级继教项目申报汇总表.xlsx",
        "省级继教项目申报汇总表.xlsx",
        "继教工作联系人信息表.xlsx",
    ]
    assert public_notices().count() == 2
    assert unread_notices(cast.users["learner"]).count() == 4
    assert unread_notices(cast.users["zhuzhou_admin"]).count() == 3  # not Changsha's
