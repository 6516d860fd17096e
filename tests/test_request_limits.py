"""Issue 8 §5 "hostile input": a 100 MB upload to any page or API endpoint is refused with
413 and a clear Chinese message from its Content-Length, before anything reads the body
(the CSRF check, the upload handlers, an endpoint's auth) — generated from the URL list
and the API's schema, so no endpoint is left out."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from cme.api.api import api
from tests.test_scope_pages import _named_urls

HUNDRED_MB = 100 * 1024 * 1024
MESSAGE = (
    "上传的文件过大：本次提交共100.0MB，超过20MB的上限，未作处理。"
    "扫描件请压缩到10MB以内，名单请分批导入。"
)


class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def huge_post(client, url: str):
    return client.post(
        url,
        content_type="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(HUNDRED_MB),
        **{"wsgi.input": UnreadableBody()},
    )


def page_urls():
    for name, pattern in _named_urls():
        if name != "logout":
            yield name, reverse(name, args=[1] * len(pattern.pattern.converters))


def api_operations():
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    for path, operations in schema["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method in operations:
            yield method.upper(), path, url


def test_the_limit_is_twenty_megabytes():
    assert settings.UPLOAD_MAX_BYTES == 20 * 1024 * 1024


@pytest.mark.parametrize("who", [None, "city_admin"])
def test_a_hundred_megabytes_to_any_page_is_refused_unread_with_413(client, cast, who):
    if who:
        client.force_login(cast.users[who])
    checked = 0
    for name, url in page_urls():
        response = huge_post(client, url)
        assert response.status_code == 413, name
        assert response["Content-Type"].startswith("text/html"), name
        assert MESSAGE in response.content.decode(), name
        checked += 1
    assert checked > 100


def test_a_hundred_megabytes_to_any_api_endpoint_is_refused_unread_with_413_json(client, cast):
    checked = 0
    for method, path, url in api_operations():
        response = (
            huge_post(client, url)
            if method == "POST"
            else client.generic(
                method,
                url,
                content_type="multipart/form-data; boundary=BoUnDaRy",
                CONTENT_LENGTH=str(HUNDRED_MB),
                **{"wsgi.input": UnreadableBody()},
            )
        )
        assert response.status_code == 413, (method, path)
        assert response.json() == {"code": "FILE_TOO_LARGE", "message": MESSAGE}, (method, path)
        checked += 1
    assert checked > 50


def test_a_body_within_the_limit_goes_through(login):
    response = login("city_admin").post(reverse("people:import_upload"), {})
    assert response.status_code == 200  # the form, with its "required" error
    assert "文件过大" not in response.content.decode()
