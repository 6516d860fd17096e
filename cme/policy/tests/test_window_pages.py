"""Declaration windows are set by the authority that owns them (issue 4 §3)."""

from django.urls import reverse

from cme.core.models import AuditEvent
from cme.policy.models import DeclarationWindow


def post_window(client, closes, **extra):
    data = {
        "year": 2024,
        "level": "provincial",
        "kind": "new",
        "opens_at": "2023-09-01T08:00",
        "closes_at": closes,
        "note": "",
    } | extra
    return client.post(reverse("policy:window_add"), data)


def test_province_sets_a_window_and_a_city_an_earlier_internal_deadline(login):
    assert post_window(login("province"), "2023-11-30T17:30").status_code == 302
    response = post_window(login("changsha"), "2023-12-05T17:30")
    assert "不能晚于湖南省卫生健康委员会规定的截止时间2023-11-30 17:30" in response.content.decode()
    assert post_window(login("changsha"), "2023-11-20T17:30").status_code == 302
    assert DeclarationWindow.objects.count() == 2
    assert AuditEvent.objects.filter(action="window.set").count() == 2


def test_units_cannot_set_windows_and_cities_only_edit_their_own(login):
    post_window(login("province"), "2023-11-30T17:30")
    province_window = DeclarationWindow.objects.get()
    assert login("city_admin").get(reverse("policy:windows")).status_code == 403
    client = login("changsha")
    assert "2023-11-30 17:30" in client.get(reverse("policy:windows")).content.decode()
    assert client.get(reverse("policy:window_edit", args=[province_window.pk])).status_code == 404


def test_the_menu_links_the_windows_only_for_those_who_set_them(login):
    windows = reverse("policy:windows")
    assert windows in login("province").get(reverse("home")).content.decode()
    # the national office is an authority but sets no window: no link to a 403
    national = login("national")
    assert windows not in national.get(reverse("home")).content.decode()
    assert national.get(windows).status_code == 403
