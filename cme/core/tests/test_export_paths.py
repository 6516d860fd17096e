"""Issue 8 §5 "hostile input": every Excel export neutralises a cell that a spreadsheet
would run as a formula (= + - @, tab, CR in front). Most exports are
`cme.core.exports.xlsx_response`; the two printed forms build their own workbook and pass
each value through `safe_cell`. A new module that writes a workbook fails here until it
is checked the same way."""

import ast
import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings

from cme.core.exports import safe_cell, xlsx_response

CME = Path(settings.BASE_DIR, "cme")
# the modules that write a workbook, and what they write
WRITERS = {
    "cme/core/exports.py",  # xlsx_response (every list export) and the import templates
    "cme/projects/documents.py",  # 继教项目申报汇总表 of a society
    "cme/holding/documents.py",  # 举办报备表
}
WRITE_CALLS = {"write": 2, "write_string": 2, "write_row": 2, "write_column": 2, "merge_range": 4}
INJECTIONS = ['=HYPERLINK("http://x","y")', "+1+1", "-1+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1"]


def _sources():
    for path in sorted(CME.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        yield path.relative_to(settings.BASE_DIR).as_posix(), path.read_text()


def _is_safe(node: ast.AST) -> bool:
    """safe_cell(…), str(safe_cell(…)), a literal, or a module constant (column headers)."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "str" and node.args:
        node = node.args[0]
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "safe_cell":
        return True
    if isinstance(node, ast.Constant):
        return True
    return isinstance(node, ast.Name) and node.id.isupper()


def test_only_the_known_modules_write_workbooks():
    """So every export is xlsx_response or one of the printed forms checked below."""
    writers = {
        name
        for name, source in _sources()
        if "xlsxwriter.Workbook(" in source or "openpyxl.Workbook(" in source
    }
    assert writers == WRITERS


@pytest.mark.parametrize("module", sorted(WRITERS - {"cme/core/exports.py"}))
def test_the_printed_forms_pass_every_value_through_safe_cell(module):
    tree = ast.parse(Path(settings.BASE_DIR, module).read_text())
    unsafe = [
        "{m}:{line} {call}".format(m=module, line=node.lineno, call=ast.unparse(node)[:80])
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in WRITE_CALLS
        and len(node.args) > WRITE_CALLS[node.func.attr]
        and not _is_safe(node.args[WRITE_CALLS[node.func.attr]])
    ]
    assert unsafe == []


@pytest.mark.parametrize("value", INJECTIONS)
def test_xlsx_response_writes_a_formula_as_quoted_text(value):
    response = xlsx_response("x.xlsx", ["名称"], [[value]])
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cell = book.active["A2"]
    assert cell.data_type == "s"
    assert cell.value == "'" + value
    assert safe_cell(value) == "'" + value


def test_the_filing_form_quotes_a_formula_in_a_project_name(cast):
    from cme.holding.documents import filing_form_xlsx
    from cme.holding.tests.factories import held_session
    from cme.projects.models import Project

    session = held_session(cast)
    Project.objects.filter(pk=session.project_id).update(name=INJECTIONS[0])
    session.refresh_from_db()
    session.project.refresh_from_db()
    response = filing_form_xlsx([session], unit=cast.city_hospital)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    values = [c.value for row in book.active.iter_rows() for c in row if c.value]
    assert "'" + INJECTIONS[0] in values
    assert INJECTIONS[0] not in values


def test_the_society_summary_quotes_a_formula_in_a_project_name(cast):
    from cme.projects.documents import society_summary
    from cme.projects.tests.factories import bare_project

    project = bare_project(cast, name=INJECTIONS[1])
    response = society_summary([project], unit=cast.society, filled_by="张三", phone="1")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    values = [c.value for row in book.active.iter_rows() for c in row if c.value]
    assert "'" + INJECTIONS[1] in values
