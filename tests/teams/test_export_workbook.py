"""The team view's workbook: one sheet per table, names Excel accepts, text never a formula."""

import io
import re
import zipfile

from portal.dashboards.export import as_workbook, as_xlsx


def _sheet_names(body: bytes) -> list[str]:
    workbook = zipfile.ZipFile(io.BytesIO(body)).read("xl/workbook.xml").decode()
    return re.findall(r'<sheet name="([^"]+)"', workbook)


def test_one_sheet_per_table_with_distinct_names_excel_accepts():
    long = "A very long title that Excel would cut short"
    body = as_workbook([("KPIs", ["a"], [["=1+1", 2]]), (long, ["b"], []), (long, ["c"], [])])
    names = _sheet_names(body)
    assert len(names) == 3
    assert len({n.lower() for n in names}) == 3
    assert all(len(n) <= 31 for n in names)
    first = zipfile.ZipFile(io.BytesIO(body)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in first


def test_a_single_table_is_one_sheet_of_its_title():
    assert _sheet_names(as_xlsx("Training", ["h"], [[1]])) == ["Training"]
