import csv
import io
import re
import zipfile
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.dashboards.export import as_xlsx
from portal.org.csv_safety import BOM, FORMULA_STARTS, csv_text, is_number, neutralise


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\0x", "'\0x"),
        ("a=b", "a=b"),
        ("Chan Tai Man", "Chan Tai Man"),
        (None, ""),
        (42, "42"),
        # Numbers are figures, not formulas: written as they are.
        (-5, "-5"),
        (-3.25, "-3.25"),
        (Decimal("-3.25"), "-3.25"),
        (Decimal("-0.000100"), "-0.000100"),
        ("-5", "-5"),
        ("-3.25", "-3.25"),
        ("+7", "+7"),
        ("-1e-05", "-1e-05"),
        # ...but only exactly a number.
        ("-5 ", "'-5 "),
        ("-5\n=cmd", "'-5\n=cmd"),
        ("-", "'-"),
        ("-.", "'-."),
        ("--5", "'--5"),
        ("-5-5", "'-5-5"),
        ("-١", "'-١"),  # an Arabic-Indic digit is not a number to a spreadsheet
        ("-inf", "'-inf"),
        (float("-inf"), "'-inf"),
        (Decimal("-NaN"), "'-NaN"),
        (True, "True"),
    ],
)
def test_cells_that_would_start_a_formula_get_a_leading_apostrophe(cell, written):
    assert neutralise(cell) == written


def test_a_document_starts_with_a_bom_and_neutralises_every_cell():
    text = csv_text(["name", "=bad"], [["=HYPERLINK(1)", "ok", -5, "-3.25"]])
    assert text == "\ufeffname,'=bad\r\n'=HYPERLINK(1),ok,-5,-3.25\r\n"


def read_back(cells: list) -> list[str]:
    """Write one row under a header, read the document as a spreadsheet importer would, and
    return the row's cells."""
    text = csv_text(["header"], [cells])
    assert text.startswith(BOM)
    header, row = csv.reader(io.StringIO(text[len(BOM) :], newline=""))
    assert header == ["header"]
    return row


numbers = st.one_of(
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False),
)


@given(st.lists(numbers, min_size=1, max_size=8))
def test_numbers_round_trip_unchanged(row):
    """Every number, negative ones included, comes back as the same figure, with no
    apostrophe, whether it was a number or the text of one."""
    for cells in (row, [str(n) for n in row]):
        back = read_back(cells)
        assert back == [str(n) for n in row]
        for original, cell in zip(row, back, strict=True):
            assert not cell.startswith("'")
            assert Decimal(cell) == Decimal(str(original))


formula_text = st.builds(
    lambda start, rest: start + rest,
    st.sampled_from(FORMULA_STARTS),
    st.text(max_size=40),
).filter(lambda text: not is_number(text))


@given(formula_text)
def test_formula_looking_text_is_neutralised(text):
    assert neutralise(text) == "'" + text


@given(formula_text.filter(lambda text: "\0" not in text))
def test_formula_looking_text_reads_back_as_text_with_its_apostrophe(text):
    assert read_back([text]) == ["'" + text]


@given(st.text(max_size=40).filter(lambda text: not text.startswith(FORMULA_STARTS)))
def test_other_text_is_written_as_it_is(text):
    assert neutralise(text) == text


def sheet_cells(body: bytes) -> dict[str, str]:
    """Cell reference -> its XML element, from the first worksheet of an XLSX file."""
    sheet = zipfile.ZipFile(io.BytesIO(body)).read("xl/worksheets/sheet1.xml").decode()
    return {ref: xml for xml, ref in ((m.group(0), m.group(1)) for m in CELL.finditer(sheet))}


CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>.*?</c>)')


def test_xlsx_keeps_numbers_numeric_and_formulas_as_text():
    body = as_xlsx("Figures", ["a", "b", "c", "d"], [[-5, Decimal("-3.25"), 2.5, "=1+1"]])
    cells = sheet_cells(body)
    for ref, value in (("A2", "-5"), ("B2", "-3.25"), ("C2", "2.5")):
        assert 't="' not in cells[ref], ref  # a number cell has no type attribute
        assert f"<v>{value}</v>" in cells[ref], ref
    assert 't="s"' in cells["D2"] and "<f>" not in cells["D2"]
