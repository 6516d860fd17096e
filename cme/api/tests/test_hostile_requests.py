"""Issue 8 §5: what a fuzzer found answering 500 now answers a clear 4xx — page numbers past
the database's integers, years no calendar holds, a multipart body without its boundary."""

from cme.holding.tests.test_api import api


def test_a_page_number_past_any_list_is_refused(client, cast):
    response = api(client, cast.users["changsha"])("get", "/claims/queue", {"page": 2**62})
    assert response.status_code == 422 and response.json()["field"] == "page"


def test_a_year_out_of_range_is_refused_everywhere_it_is_asked(client, cast):
    call = api(client, cast.users["changsha"])
    for url, params in [
        ("/stats/dashboard", {"year": 39144}),
        ("/audits/queue", {"year": -5}),
        ("/claims/mine", None),
    ]:
        response = call("get", url, params)
        assert response.status_code in (200, 422), url
        if params:
            assert response.json()["message"].startswith("请求数据有误：year"), url
    what_if = call(
        "post", "/audits/what-if", {"year": -5054380451639, "total_min": 25, "class1_min": 5}
    )
    assert what_if.status_code == 422


def test_a_multipart_body_without_boundary_is_a_bad_request(client, cast):
    from cme.accounts.actions import create_api_token

    _record, token = create_api_token(actor=cast.users["learner"], name="t")
    response = client.post(
        "/api/v1/claims",
        data=b"--x\r\ncontent\r\n",
        content_type="multipart/form-data",
        HTTP_AUTHORIZATION="Bearer " + token,
    )
    assert response.status_code == 400 and response.json()["code"] == "BAD_MULTIPART"


def test_an_id_past_the_databases_integers_is_not_found(client, cast):
    call = api(client, cast.users["learner"])
    response = call("get", "/notices/47869663742992896053215232/attachments/27105267")
    assert response.status_code == 404


def test_lesson_hours_are_bounded(client, cast):
    from cme.holding.tests.factories import held_session

    session = held_session(cast)
    call = api(client, cast.users["city_admin"])
    lesson = {"topic": "急救", "teacher_name": "王医生", "hours": 5.05e99}
    response = call(
        "post", "/sessions/{s}/lessons/preview".format(s=session.pk), {"lessons": [lesson]}
    )
    assert response.status_code == 422 and "hours" in response.json()["field"]


def test_a_declarations_numbers_are_bounded_as_the_form_bounds_them(client, cast):
    from cme.projects.tests.test_api import api as projects_api
    from cme.projects.tests.test_api import declaration

    unit = projects_api(client, cast.users["city_admin"])
    for field, value in [
        ("expected_participants", -1),
        ("sessions_planned", 0),
        ("sessions_planned", 100),
        ("credits", "-0.5"),
        ("credits", "1.25"),
    ]:
        body = declaration(cast) | {field: value}
        for method, url in [("post", "/declarations"), ("post", "/declarations/check")]:
            response = unit(method, url, data=body)
            assert response.status_code == 422, (field, value, url, response.content)
            assert field in response.json()["field"]
