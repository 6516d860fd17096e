"""Staff import (issue 3 §8): real, messy files; a preview listing every bad row; all or nothing;
re-importing the same file changes nothing."""

import io
import random
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.core.errors import DomainError
from cme.core.models import AuditEvent
from cme.demo.builders import resident_id
from cme.people.imports import commit_staff_import, preview_staff_import, staff_template
from cme.people.models import Person, StaffImport, UnitHistory

HEADERS = ["序号", "姓名", "性别", "证件号码", "科室", "职称", "手机号码"]


def ids(n, seed=11):
    rng = random.Random(seed)
    return [resident_id(rng, "430102") for _ in range(n)]


def xlsx(rows, headers=HEADERS, title=None, name="名单.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def rows_for(numbers):
    return [
        [i + 1, "测试{}".format(i), "", n, "内科", "护师", "13800000000"]
        for i, n in enumerate(numbers)
    ]


def preview(cast, upload):
    return preview_staff_import(cast.city_hospital, upload, actor=cast.users["city_admin"])


def messages(record):
    return ["第{row}行 {column}：{message}".format(**e) for e in record.errors]


def test_clean_file_previews_then_commits_every_row(cast):
    numbers = ids(3)
    record = preview(cast, xlsx(rows_for(numbers)))
    assert record.state == StaffImport.State.PREVIEWED
    assert (record.created_count, record.updated_count, record.unchanged_count) == (3, 0, 0)
    assert not Person.objects.filter(id_number__in=numbers).exists()  # preview writes no person

    record = commit_staff_import(record, actor=cast.users["city_admin"])
    assert record.state == StaffImport.State.COMMITTED
    people = Person.objects.filter(id_number__in=numbers)
    assert people.count() == 3
    assert {p.unit_id for p in people} == {cast.city_hospital.pk}
    assert UnitHistory.objects.filter(person__in=people, unit=cast.city_hospital).count() == 3
    assert AuditEvent.objects.filter(action="import.commit", object_id=str(record.pk)).exists()


def test_reimporting_the_same_file_changes_nothing(cast):
    upload = xlsx(rows_for(ids(3)))
    commit_staff_import(preview(cast, upload), actor=cast.users["city_admin"])
    before = list(Person.objects.order_by("pk").values_list("pk", "updated_at"))
    upload.seek(0)
    again = preview(cast, upload)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    commit_staff_import(again, actor=cast.users["city_admin"])
    assert list(Person.objects.order_by("pk").values_list("pk", "updated_at")) == before


def test_a_changed_title_is_an_update_not_a_new_person(cast):
    numbers = ids(2)
    commit_staff_import(preview(cast, xlsx(rows_for(numbers))), actor=cast.users["city_admin"])
    rows = rows_for(numbers)
    rows[1][5] = "主管护师"
    record = preview(cast, xlsx(rows))
    assert (record.created_count, record.updated_count, record.unchanged_count) == (0, 1, 1)
    commit_staff_import(record, actor=cast.users["city_admin"])
    assert Person.objects.get(id_number=numbers[1]).title_level == 3


def test_id_numbers_stored_as_numbers_keep_every_digit(cast):
    """Some tools write an 18-digit ID as a number cell with all its digits in the XML."""
    number = next(n for n in ids(50) if n[-1] != "X" and not n.endswith("000"))
    upload = xlsx([[1, "张三", "", 777, "内科", "护士", ""]])
    upload = SimpleUploadedFile(
        "名单.xlsx", _replace_in_sheet(upload.read(), b"<v>777</v>", f"<v>{number}</v>".encode())
    )
    record = preview(cast, upload)
    assert record.errors == []
    commit_staff_import(record, actor=cast.users["city_admin"])
    assert Person.objects.filter(id_number=number).exists()


def _replace_in_sheet(data: bytes, old: bytes, new: bytes) -> bytes:
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(old, new)
            out.writestr(item, content)
    return target.getvalue()


def test_number_that_excel_already_rounded_is_refused_with_the_reason(cast):
    record = preview(cast, xlsx([[1, "张三", "", 1.23e17, "内科", "护士", ""]]))
    assert record.state == StaffImport.State.INVALID
    [message] = messages(record)
    assert message.startswith("第2行 证件号码：")
    assert "15位有效数字" in message and "文本格式" in message


def test_scientific_notation_text_is_refused_the_same_way(cast):
    record = preview(cast, xlsx([[1, "张三", "", "4.30102E+17", "内科", "护士", ""]]))
    assert "15位有效数字" in messages(record)[0]


def test_full_width_characters_and_stray_spaces_are_cleaned(cast):
    number = ids(1)[0]
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in number)
    record = preview(
        cast,
        xlsx(
            [
                [
                    1,
                    " 王 五 ",
                    " 女 ",
                    " " + full_width + " ",
                    " 儿科 ",
                    " 主管护师 ",
                    "138 0000 0000",
                ]
            ]
        ),
    )
    if ("F" if int(number[16]) % 2 == 0 else "M") != Person.Sex.FEMALE:
        assert record.errors and record.errors[0]["column"] == "性别"
        return
    assert record.errors == []
    commit_staff_import(record, actor=cast.users["city_admin"])
    person = Person.objects.get(id_number=number)
    assert (person.name, person.department, person.title, person.phone) == (
        "王五",  # a space that lines up a two-character name is no part of it
        "儿科",
        "主管护师",
        "13800000000",
    )


def test_headers_under_a_merged_title_row_and_extra_columns(cast):
    numbers = ids(2)
    headers = ["序号", "姓名", "工号", "证件号码", "科室", "职称", "手机号码", "是否在编"]
    rows = [
        [i + 1, "人员{}".format(i), "G{}".format(i), n, "外科", "医师", "", "是"]
        for i, n in enumerate(numbers)
    ]
    rows[1][3] = "360426199101010072"  # bad check digit, on Excel row 4
    record = preview(cast, xlsx(rows, headers=headers, title="长沙市第一医院人员名单"))
    assert messages(record) == ["第4行 证件号码：身份证号码校验位错误，请核对每一位数字。"]


def test_every_bad_row_is_listed_and_nothing_is_written(cast):
    numbers = ids(4)
    rows = rows_for(numbers)
    rows[0][1] = ""  # no name
    rows[1][5] = "神医"  # unknown title
    rows[2][3] = "110105491231002"  # 15 digits
    record = preview(cast, xlsx(rows))
    assert [(e["row"], e["column"]) for e in record.errors] == [
        (2, "姓名"),
        (3, "职称"),
        (4, "证件号码"),
    ]
    assert "15位" in record.errors[2]["message"]
    with pytest.raises(DomainError):
        commit_staff_import(record, actor=cast.users["city_admin"])
    assert not Person.objects.filter(id_number__in=numbers).exists()


def test_duplicates_within_the_file_name_the_first_row(cast):
    number = ids(1)[0]
    record = preview(cast, xlsx(rows_for([number, number])))
    assert messages(record) == ["第3行 证件号码：与第2行的证件号码重复。"]


def test_person_of_another_unit_must_be_transferred_not_imported(cast):
    nurse = cast.persons["zhuzhou_nurse"]
    record = preview(cast, xlsx([[1, nurse.name, "", nurse.id_number, "内科", "护师", ""]]))
    [message] = messages(record)
    assert "株洲市中心医院" in message and "调出" in message


def test_missing_required_column_is_named(cast):
    with pytest.raises(DomainError) as exc:
        preview(cast, xlsx([["张三", "内科"]], headers=["姓名", "科室"]))
    assert exc.value.code == "FILE_MISSING_COLUMN"
    assert "证件号码" in exc.value.message


def test_csv_saved_by_chinese_excel_in_gbk(cast):
    number = ids(1)[0]
    text = "姓名,证件号码,职称\n赵六,{},主治医师\n".format(number)
    record = preview(cast, SimpleUploadedFile("名单.csv", text.encode("gbk")))
    assert record.errors == [] and record.created_count == 1


def test_legacy_xls_file(cast):
    import xlwt

    number = ids(1)[0]
    book = xlwt.Workbook()
    sheet = book.add_sheet("名单")
    for c, h in enumerate(["姓名", "证件号码", "职称"]):
        sheet.write(0, c, h)
    for c, v in enumerate(["钱七", number, "护士"]):
        sheet.write(1, c, v)
    buffer = io.BytesIO()
    book.save(buffer)
    record = preview(cast, SimpleUploadedFile("名单.xls", buffer.getvalue()))
    assert record.errors == [] and record.created_count == 1


def test_a_renamed_executable_is_refused_by_its_content(cast):
    with pytest.raises(DomainError) as exc:
        preview(
            cast, SimpleUploadedFile("名单.xlsx", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100)
        )
    assert exc.value.code == "FILE_TYPE"


def test_commit_rechecks_against_the_registry_as_it_is_now(cast):
    numbers = ids(2)
    record = preview(cast, xlsx(rows_for(numbers)))
    other = preview_staff_import(
        cast.zhuzhou_hospital, xlsx(rows_for(numbers[:1])), actor=cast.users["zhuzhou_admin"]
    )
    commit_staff_import(other, actor=cast.users["zhuzhou_admin"])
    with pytest.raises(DomainError) as exc:
        commit_staff_import(record, actor=cast.users["city_admin"])
    assert exc.value.code == "IMPORT_HAS_ERRORS"
    assert Person.objects.filter(id_number=numbers[1]).exists() is False


def test_only_the_units_own_admin_imports(cast):
    with pytest.raises(DomainError):
        preview_staff_import(
            cast.city_hospital, xlsx(rows_for(ids(1))), actor=cast.users["changsha"]
        )


def test_template_has_the_headers_and_text_formatted_id_column():
    book = openpyxl.load_workbook(io.BytesIO(staff_template()))
    sheet = book.active
    assert [c.value for c in sheet[1]][:7] == [
        "序号",
        "姓名",
        "性别",
        "证件类型",
        "证件号码",
        "科室",
        "职称",
    ]


def test_commit_runs_as_a_background_task_and_the_page_shows_progress(cast, login, settings):
    from django.urls import reverse
    from django_tasks_db.models import DBTaskResult

    from cme.people.tasks import commit_staff_import_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    record = preview(cast, xlsx(rows_for(ids(3))))
    client = login("city_admin")
    client.post(reverse("people:import_commit", args=[record.pk]))
    record.refresh_from_db()
    assert record.state == StaffImport.State.COMMITTING
    page = client.get(reverse("people:import_detail", args=[record.pk]), HTTP_HX_REQUEST="true")
    assert "正在导入 3 行数据" in page.content.decode() and "hx-get" in page.content.decode()

    # what the worker (manage.py db_worker) does with the queued task
    [queued] = DBTaskResult.objects.filter(status="READY")
    assert queued.task_path == "cme.people.tasks.commit_staff_import_task"
    commit_staff_import_task.call(**queued.args_kwargs["kwargs"])
    record.refresh_from_db()
    assert record.state == StaffImport.State.COMMITTED and record.created_count == 3
    assert (
        "hx-get"
        not in client.get(reverse("people:import_detail", args=[record.pk])).content.decode()
    )


def test_a_crash_while_writing_leaves_nothing_and_says_so(cast, monkeypatch):
    from cme.people import imports
    from cme.people.imports import queue_staff_import_commit

    numbers = ids(3)
    record = preview(cast, xlsx(rows_for(numbers)))

    def crash(unit, plan):
        Person.objects.bulk_create([Person(unit=unit, name="x", id_number=numbers[0])])
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "write_plan", crash)
    queue_staff_import_commit(record, actor=cast.users["city_admin"])  # the task fails inside
    assert not Person.objects.filter(id_number__in=numbers).exists()
    record.refresh_from_db()
    assert record.state == StaffImport.State.INVALID
    assert "系统错误" in record.errors[0]["message"]


def test_a_record_is_committed_once_even_if_the_task_runs_twice(cast):
    record = preview(cast, xlsx(rows_for(ids(2))))
    commit_staff_import(record, actor=cast.users["city_admin"])
    with pytest.raises(DomainError):
        commit_staff_import(record, actor=cast.users["city_admin"])
    assert Person.objects.filter(unit=cast.city_hospital).count() == 4  # 2 of the cast + 2


def test_errors_name_the_column_as_the_file_wrote_it_and_unused_columns_are_listed(cast):
    headers = ["序号", "姓名", "身份证号", "职称", "工号"]
    record = preview(
        cast, xlsx([[1, "张三", "360426199101010072", "护士", "A01"]], headers=headers)
    )
    assert messages(record) == ["第2行 身份证号：身份证号码校验位错误，请核对每一位数字。"]
    assert record.ignored_headers == ["工号"]
