"""SPEC §2: a city reviewer never sees another city's units, persons or requests — every
page that lists or shows them answers 404 for an object outside the scope."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cme.accounts import actions as account_actions
from cme.accounts.models import AccountApplication
from cme.orgs.models import Region
from cme.people import actions as people_actions


@pytest.fixture
def changsha_things(cast):
    """One of everything in Changsha: a unit, a person, a transfer, an application, a rename."""
    transfer = people_actions.transfer_out(cast.persons["doctor"], actor=cast.users["city_admin"])
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n")
    application = account_actions.submit_account_application(
        AccountApplication(
            unit_name="长沙某医院",
            kind="medical",
            region=Region.objects.get(code="430102"),
            licensing_authority=cast.changsha,
            supervisor_name="x",
            uscc="12430100444883830C",
            science_head="x",
            science_head_phone="1",
            admin_name="x",
            admin_phone="1",
            admin_email="x@example.com",
            licence_scan=pdf,
            legal_rep_id_scan=pdf,
            agent_id_scan=pdf,
        )
    )
    rename = account_actions.request_rename(
        cast.city_hospital,
        actor=cast.users["city_admin"],
        new_name="长沙市第一医院新名",
        stamped_scan=pdf,
        contact_name="x",
        contact_phone="1",
    )
    reset = account_actions.request_password_reset(
        cast.city_hospital, stamped_letter=pdf, contact_name="x", contact_phone="1"
    )
    return {
        "orgs:detail": cast.city_hospital.pk,
        "orgs:edit": cast.city_hospital.pk,
        "orgs:deregister": cast.city_hospital.pk,
        "accounts:hand_over": cast.city_hospital.pk,
        "accounts:rename_request": cast.city_hospital.pk,
        "people:detail": cast.persons["nurse"].pk,
        "people:edit": cast.persons["nurse"].pk,
        "people:transfer_detail": transfer.pk,
        "accounts:application": application.pk,
        "accounts:rename": rename.pk,
        "accounts:reset": reset.pk,
    }


def test_other_city_reviewer_gets_404_on_every_changsha_object(login, changsha_things):
    client = login("zhuzhou")
    for name, pk in changsha_things.items():
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert (
        client.post(
            reverse("people:reveal_id", args=[changsha_things["people:detail"]])
        ).status_code
        == 404
    )


def test_changsha_reviewer_sees_them(login, changsha_things):
    client = login("changsha")
    for name in [
        "orgs:detail",
        "people:detail",
        "people:transfer_detail",
        "accounts:application",
        "accounts:rename",
        "accounts:reset",
    ]:
        assert client.get(reverse(name, args=[changsha_things[name]])).status_code == 200, name


def test_other_city_lists_show_nothing_of_changsha(login, cast, changsha_things):
    client = login("zhuzhou")
    pages = {
        "orgs:list": "长沙市第一医院",
        "people:list": cast.persons["nurse"].name,
        "people:transfers": cast.persons["doctor"].name,
        "audit:list": "长沙市第一医院",
    }
    for name, text in pages.items():
        body = client.get(reverse(name)).content.decode()
        assert text not in body, name
    for tab in ["applications", "renames", "resets"]:
        body = client.get(
            reverse("accounts:requests") + "?tab=" + tab + "&state=all"
        ).content.decode()
        assert "长沙" not in body.split("<table")[1], tab
    assert "株洲市中心医院" in client.get(reverse("orgs:list")).content.decode()


def test_pages_never_show_a_full_id_number(login, cast):
    client = login("changsha")
    nurse = cast.persons["nurse"]
    for url in [reverse("people:list"), reverse("people:detail", args=[nurse.pk])]:
        body = client.get(url).content.decode()
        assert nurse.id_number not in body
        assert nurse.id_number[:4] + "**********" + nurse.id_number[-4:] in body


def test_reading_a_full_number_is_logged_and_only_for_the_own_unit(login, cast):
    from cme.core.models import AuditEvent

    nurse = cast.persons["nurse"]
    assert login("changsha").post(reverse("people:reveal_id", args=[nurse.pk])).status_code == 403
    response = login("city_admin").post(reverse("people:reveal_id", args=[nurse.pk]))
    assert nurse.id_number in response.content.decode()
    assert (
        AuditEvent.objects.filter(action="person.reveal_id", object_id=str(nurse.pk)).count() == 1
    )


PUBLIC = {
    "login",
    "public_projects",
    "accounts:apply",
    "accounts:apply_resubmit",
    "accounts:apply_status",
    "accounts:password_reset_request",
    "set_language",
    "check_in",
    "certificates:verify",
    "certificates:verify_form",
    "public_notices",
    "public_notice",
    "public_notice_attachment",
}


def _named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            ns = f"{namespace}{item.namespace}:" if item.namespace else namespace
            if item.namespace in {"admin", "api"}:
                continue
            yield from _named_urls(item, ns)
        elif isinstance(item, URLPattern) and item.name:
            yield namespace + item.name, item


def test_every_page_needs_a_login_except_the_public_ones(client, cast):
    """Generated from the URL list: no view is left unprotected by accident."""
    checked = 0
    for name, pattern in _named_urls():
        if name in PUBLIC or name == "logout":
            continue
        args = [1] * len(pattern.pattern.converters)
        response = client.get(reverse(name, args=args))
        assert response.status_code in (302, 405), name
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login")), name
        checked += 1
    assert checked > 20


# (method, path) of the API operations anyone may call without a token
PUBLIC_API = {
    ("GET", "/certificates/{number}/verify"),
    ("GET", "/public/projects"),
}


def _api_operations():
    """Every operation of every router mounted on the NinjaAPI object, schema or not."""
    from cme.api.api import api

    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    yield method, prefix + path


def test_every_api_operation_needs_a_token_except_the_public_ones(client, cast):
    """Generated from the API's routers: no endpoint is left unprotected by accident. Without
    a token, or with a wrong one, each answers 401 with the JSON error before doing anything."""
    checked = set()
    for method, path in _api_operations():
        url = "/api/v1" + re.sub(r"\{[^}]+\}", "1", path)
        for headers in [{}, {"Authorization": "Bearer cme_not-a-token"}]:
            response = client.generic(method, url, headers=headers)
            if (method, path) in PUBLIC_API:
                assert response.status_code in (200, 404), (method, path)
                continue
            assert response.status_code == 401, (method, path, response.content[:200])
            assert response.json()["code"] == "UNAUTHENTICATED", (method, path)
        checked.add((method, path))
    assert checked >= PUBLIC_API  # the list names operations that exist
    assert len(checked) > 100


def test_the_api_schema_lists_the_operations_checked(client):
    """The routers walked above are the API the schema documents (nothing mounted elsewhere)."""
    schema = client.get("/api/v1/openapi.json").json()
    documented = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in schema["paths"].items()
        for method in operations
    }
    assert documented <= set(_api_operations())


def _xlsx_rows(response):
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [[c.value for c in row] for row in book.active.iter_rows()]


def test_exports_follow_the_scope_and_mask_ids_for_authorities(login, cast):
    rows = _xlsx_rows(login("zhuzhou").get(reverse("people:list") + "?export=xlsx"))
    assert [r[0] for r in rows[1:]] == [cast.persons["zhuzhou_nurse"].name]
    assert (
        rows[1][3]
        == cast.persons["zhuzhou_nurse"].id_number[:4]
        + "**********"
        + cast.persons["zhuzhou_nurse"].id_number[-4:]
    )
    orgs = _xlsx_rows(login("zhuzhou").get(reverse("orgs:list") + "?export=xlsx"))
    assert "长沙市第一医院" not in [r[0] for r in orgs]


def test_unit_admin_exports_whole_ids_and_the_export_is_logged(login, cast):
    from cme.core.models import AuditEvent

    rows = _xlsx_rows(login("city_admin").get(reverse("people:list") + "?export=xlsx"))
    assert cast.persons["nurse"].id_number in [r[3] for r in rows]
    assert AuditEvent.objects.filter(action="person.export").exists()


def test_export_neutralises_formulas(login, cast):
    from cme.people.models import Person

    Person.objects.filter(pk=cast.persons["nurse"].pk).update(department='=HYPERLINK("http://x")')
    rows = _xlsx_rows(login("city_admin").get(reverse("people:list") + "?export=xlsx"))
    assert '\'=HYPERLINK("http://x")' in [r[5] for r in rows]


def test_find_by_id_number_is_a_post_within_the_scope(login, cast):
    nurse = cast.persons["nurse"]
    response = login("changsha").post(
        reverse("people:find"), {"id_number": nurse.id_number.lower()}
    )
    assert response["Location"] == reverse("people:detail", args=[nurse.pk])
    response = login("zhuzhou").post(
        reverse("people:find"), {"id_number": nurse.id_number}, follow=True
    )
    assert "没有找到" in response.content.decode()


def test_list_pages_use_a_fixed_number_of_queries(login, cast, django_assert_max_num_queries):
    """Adding rows must not add queries (no query per row)."""
    from cme.demo.builders import person, resident_id

    client = login("changsha")
    import random

    rng = random.Random(1)
    for i in range(30):
        person(cast.city_hospital, "人员{}".format(i), resident_id(rng, "430102"), "护师")
    for name in ["people:list", "orgs:list", "people:transfers", "audit:list"]:
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name)).status_code == 200
