"""One person's year as every reader tells it: `summarise` (the learner's view), the audit's
bulk `year_results`, the staff member's credits page, the unit's audit page, the credits API
and the audit API. `views(client, cast, person, year)` reads them all and asserts they agree;
it returns the figures (total, I类, II类, result) they agree on. The audit's readers show a
year voided for fraud as voided (已作废) in place of its result."""

import html
import re
from decimal import Decimal
from typing import NamedTuple

from django.core.cache import cache
from django.urls import reverse

from cme.audits.queries import void_reasons
from cme.credits import ledger
from cme.holding.tests.test_api import api
from cme.people.models import Person

ADMIN_OF = {
    "长沙市第一医院": "city_admin",
    "长沙市芙蓉区人民医院": "county_admin",
    "湖南省人民医院": "provincial_admin",
    "株洲市中心医院": "zhuzhou_admin",
}
VOIDED = "voided"  # the audit's readers mark a year voided for fraud instead of its result
LABELS = {"达标": "qualified", "不达标": "not_qualified", "不计达标": "exempt"}


class Figures(NamedTuple):
    total: Decimal
    class1: Decimal
    class2: Decimal
    result: str


def _tag_text(pattern: str, body: str) -> str:
    found = re.search(pattern, body, re.S)
    assert found, pattern
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def _ledger_page(client, person, year) -> Figures:
    body = client.get(reverse("credits:person", args=[person.pk]), {"year": year})
    assert body.status_code == 200
    text = body.content.decode()
    cards = re.findall(r'<div class="fs-3[^"]*">([^<]*)</div>', text)
    result = _tag_text(r'<span class="badge year-result[^"]*">(.*?)</span>', text)
    return Figures(*(Decimal(c) for c in cards[:3]), LABELS[result])


def _audit_page(client, person, year) -> Figures:
    cache.clear()  # the counts are cached for a minute; the rows are always live
    url = reverse("audits:unit", args=[person.unit_id, year])
    text = client.get(url, {"page": 1}).content.decode()
    href = reverse("credits:person", args=[person.pk])
    row = re.search(
        r"<tr>\s*<td><a href=\"{h}\?year={y}\">.*?</tr>".format(h=href, y=year), text, re.S
    )
    assert row, "no row for {p} in the audit page".format(p=person.name)
    cells = re.findall(r'<td class="text-end">([^<]*)</td>', row.group(0))
    if "result-voided" in row.group(0):  # a year voided for fraud shows 已作废, not a result
        return Figures(*(Decimal(c) for c in cells[:3]), VOIDED)
    result = _tag_text(r'<span class="badge result[^"]*">(.*?)</span>', row.group(0))
    return Figures(*(Decimal(c) for c in cells[:3]), LABELS[result])


def _credits_api(call, person, year) -> Figures:
    data = call("get", "/persons/{p}/credits".format(p=person.pk), {"year": year}).json()
    return Figures(
        Decimal(data["total"]), Decimal(data["class1"]), Decimal(data["class2"]), data["result"]
    )


def _audit_api(call, person, year) -> Figures:
    url = "/audits/units/{u}/{y}".format(u=person.unit_id, y=year)
    data = call("get", url, {"page_size": 500}).json()
    (row,) = [r for r in data["items"] if r["person_id"] == person.pk]
    result = VOIDED if row["voided"] else row["result"]
    return Figures(Decimal(row["total"]), Decimal(row["class1"]), Decimal(row["class2"]), result)


def views(client, cast, person, year: int) -> Figures:
    """Every reader's figures of the person's year; they must all be the same."""
    summary = ledger.summarise(person, year)
    t = summary.totals
    mine = Figures(t.total, t.class1, t.class2, summary.outcome.result)
    bulk = ledger.year_results(Person.objects.filter(pk=person.pk), year)[person.pk]
    b = bulk.totals
    admin = cast.users[ADMIN_OF[person.unit.name]]
    client.force_login(admin)
    call = api(client, admin)
    seen = {
        "year_results": Figures(b.total, b.class1, b.class2, bulk.outcome.result),
        "credits page": _ledger_page(client, person, year),
        "audit page": _audit_page(client, person, year),
        "credits API": _credits_api(call, person, year),
        "audit API": _audit_api(call, person, year),
    }
    voided = bool(void_reasons([person.pk], year))
    for reader, figures in seen.items():
        expected = mine._replace(result=VOIDED) if voided and "audit" in reader else mine
        assert figures == expected, "{r} says {f}, summarise {m}".format(
            r=reader, f=figures, m=expected
        )
    assert bulk.warnings == summary.warnings
    return mine
