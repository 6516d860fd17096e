"""Regions: GB/T 2260 codes shipped with the repo, loaded by a migration."""

import csv

from stdnum import numdb

from cme.orgs.models import Region
from cme.orgs.regions import DATA


def test_all_provinces_plus_the_corps_and_hunans_cities_and_counties(db):
    assert Region.objects.filter(level="province").count() == 32
    assert Region.objects.filter(code="660000", name="新疆生产建设兵团").exists()
    assert Region.objects.filter(level="city", parent_id="430000").count() == 14
    assert Region.objects.filter(level="county", parent__parent_id="430000").count() == 122
    assert Region.objects.get(code="430182").full_name == "湖南省长沙市宁乡市"


def test_every_code_agrees_with_python_stdnums_division_table():
    """An independent source: stdnum's cn/loc table (used for ID numbers) has the same names."""
    table = numdb.get("cn/loc")
    with DATA.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["code"] != "660000"]
    for row in rows:
        info = {k: v for _part, props in table.info(row["code"]) for k, v in props.items()}
        names = info.get("county") or info.get("prefecture") or info.get("province") or ""
        assert row["name"] in names, row
