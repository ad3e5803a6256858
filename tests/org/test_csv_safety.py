import pytest

from portal.org.csv_safety import csv_text, neutralise


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
    ],
)
def test_cells_that_would_start_a_formula_get_a_leading_apostrophe(cell, written):
    assert neutralise(cell) == written


def test_a_document_starts_with_a_bom_and_neutralises_every_cell():
    text = csv_text(["name", "=bad"], [["=HYPERLINK(1)", "ok"]])
    assert text == "\ufeffname,'=bad\r\n'=HYPERLINK(1),ok\r\n"
