"""Staff import over the API: template, upload → report, commit; within scope only."""

from cme.api.tests.helpers import XLSX, new_resident_id, staff_xlsx
from cme.people.models import Person, StaffImport


def test_template_downloads_as_xlsx(api, cast):
    response = api("city_admin").get(f"/units/{cast.city_hospital.pk}/staff-import/template")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    assert response.content[:2] == b"PK"
    assert (
        api("zhuzhou").get(f"/units/{cast.city_hospital.pk}/staff-import/template").status_code
        == 404
    )


def test_upload_report_then_commit(api, cast):
    admin = api("city_admin")
    first, second = new_resident_id(seed=21), new_resident_id(seed=22)
    upload = staff_xlsx(
        [
            ["孙丽", "", first, "外科", "护师", "13700000000"],
            ["周伟", "", second, "骨科", "主治医师", "13700000001"],
            ["李小红", "", cast.persons["nurse"].id_number, "急诊科", "主管护师", "13800000000"],
        ]
    )

    response = admin.upload(f"/units/{cast.city_hospital.pk}/staff-imports", upload)

    assert response.status_code == 201, response.content
    report = response.json()
    assert report["state"] == "previewed"
    assert report["counts"] == {"total": 3, "created": 2, "updated": 1, "unchanged": 0}
    assert report["errors"] == []
    assert report["unit"] == {"id": cast.city_hospital.pk, "name": "长沙市第一医院"}
    assert not Person.objects.filter(
        id_number__in=[first, second]
    ).exists()  # nothing before commit

    assert api("zhuzhou").get("/staff-imports/{pk}".format(pk=report["id"])).status_code == 404
    assert (
        api("zhuzhou").post("/staff-imports/{pk}/commit".format(pk=report["id"])).status_code == 404
    )
    assert (
        api("changsha").get("/staff-imports/{pk}".format(pk=report["id"])).json()["state"]
        == "previewed"
    )
    assert (
        api("changsha").post("/staff-imports/{pk}/commit".format(pk=report["id"])).status_code
        == 403
    )

    committed = admin.post("/staff-imports/{pk}/commit".format(pk=report["id"]))

    assert committed.status_code == 200, committed.content
    assert committed.json()["state"] == "committed"
    assert committed.json()["committed_at"]
    assert (
        Person.objects.filter(unit=cast.city_hospital, id_number__in=[first, second]).count() == 2
    )
    cast.persons["nurse"].refresh_from_db()
    assert cast.persons["nurse"].department == "急诊科"

    again = admin.post("/staff-imports/{pk}/commit".format(pk=report["id"]))
    assert again.status_code == 400
    assert again.json()["code"] == "IMPORT_NOT_READY"


def test_errors_come_back_per_row_and_column_and_block_the_commit(api, cast):
    admin = api("city_admin")
    good = new_resident_id(seed=23)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    upload = staff_xlsx(
        [
            ["孙丽", "", good, "外科", "护师", ""],
            ["周伟", "", bad, "骨科", "大夫", ""],
            ["赵强", "", cast.persons["county_doctor"].id_number, "内科", "主治医师", ""],
        ]
    )

    response = admin.upload(f"/units/{cast.city_hospital.pk}/staff-imports", upload)

    assert response.status_code == 201
    report = response.json()
    assert report["state"] == "invalid"
    assert [(e["row"], e["column"]) for e in report["errors"]] == [
        (3, "证件号码"),
        (3, "职称"),
        (4, "证件号码"),
    ]
    assert all(e["message"] for e in report["errors"])
    for number in (good, bad, cast.persons["county_doctor"].id_number):
        assert number not in response.content.decode()

    refused = admin.post("/staff-imports/{pk}/commit".format(pk=report["id"]))
    assert refused.status_code == 400
    assert refused.json()["code"] == "IMPORT_NOT_READY"
    assert not Person.objects.filter(id_number=good).exists()


def test_unreadable_file_is_a_400_with_the_reason(api, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("名单.csv", "甲,乙\n1,2\n".encode(), content_type="text/csv")
    response = api("city_admin").upload(f"/units/{cast.city_hospital.pk}/staff-imports", upload)
    assert response.status_code == 400
    assert response.json()["code"] == "FILE_NO_HEADER"
    assert not StaffImport.objects.exists()


def test_upload_without_a_file_is_422(api, cast):
    response = api("city_admin").client.post(
        f"/api/v1/units/{cast.city_hospital.pk}/staff-imports",
        {},
        headers=api("city_admin").headers,
    )
    assert response.status_code == 422
    assert response.json()["field"] == "file"
