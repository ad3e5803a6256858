"""A finished review as a PDF, with CJK and Vietnamese text that survives extraction."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from portal.extensions import db
from portal.goals import reviews
from tests.conftest import login
from tests.goals.helpers import close_calibration
from tests.goals.test_reviews import to_calibration


def _shared_review_pdf(client, world):
    """A1 (named 陳大文) reads the PDF of their review, shared by the supervisor."""
    world.agent_a1.name = "陳大文"
    db.session.commit()
    ready = to_calibration(world)
    review = ready.review
    close_calibration(ready.cycle, world)
    reviews.take_step(review, world.sup_a, "share", expected_version=review.version)
    login(client, world.agent_a1)
    return client.get(f"/goals/reviews/{review.id}/review.pdf")


def test_the_pdf_of_a_shared_review_carries_a_cjk_name(client, world):
    world.agent_a1.name = "陳大文"
    db.session.commit()
    ready = to_calibration(world)
    review = ready.review
    close_calibration(ready.cycle, world)
    reviews.take_step(review, world.sup_a, "share", expected_version=review.version)
    reviews.take_step(
        review,
        world.agent_a1,
        "acknowledge",
        expected_version=review.version,
        comment="Đã đọc; 감사합니다; 読みました",
    )
    login(client, world.agent_a1)
    response = client.get(f"/goals/reviews/{review.id}/review.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "陳大文" in text
    assert "감사합니다" in text and "読みました" in text and "Đã đọc" in text


def test_no_pdf_before_the_review_is_shared(client, world):
    ready = to_calibration(world)
    login(client, world.sup_a)
    assert client.get(f"/goals/reviews/{ready.review.id}/review.pdf").status_code == 409


def test_without_a_cjk_font_a_cjk_review_is_refused_not_printed_with_boxes(
    client, world, monkeypatch
):
    from portal.goals import pdf

    monkeypatch.setattr(pdf, "cjk_font_installed", lambda: False)
    response = _shared_review_pdf(client, world)
    assert response.status_code == 503
    assert b"fonts-noto-cjk" in response.data


def test_without_a_cjk_font_a_latin_only_document_still_prints(monkeypatch):
    from portal.goals import pdf

    monkeypatch.setattr(pdf, "cjk_font_installed", lambda: False)
    body = pdf.html_to_pdf("<html><body><p>Nguyễn Văn An, Ana Souza</p></body></html>")
    assert body.startswith(b"%PDF")


def test_this_machine_has_the_cjk_font_the_set_up_installs():
    from portal.goals import pdf

    pdf.cjk_font_installed.cache_clear()
    assert pdf.cjk_font_installed()


def test_the_pdf_font_follows_the_market_then_the_language():
    from portal.goals.pdf import font_stack

    assert font_stack("en", "HK").startswith('"Noto Sans CJK HK"')
    assert font_stack("en", "TW").startswith('"Noto Sans CJK TC"')
    assert font_stack("zh_Hans", "JP").startswith('"Noto Sans CJK JP"')  # the person's market
    assert font_stack("ko", None).startswith('"Noto Sans CJK KR"')
    assert font_stack("vi", "VN").startswith('"Noto Sans CJK TC"')  # no CJK market: the default
    assert font_stack("ja", "JP").count("Noto Sans CJK") == 5  # every variant, for other names


def test_a_review_is_printed_with_the_glyphs_of_the_persons_market(client, world):
    response = _shared_review_pdf(client, world)
    fonts = {
        str(font.get_object().get("/BaseFont"))
        for page in PdfReader(io.BytesIO(response.data)).pages
        for font in (page["/Resources"].get("/Font") or {}).values()
    }
    market = world.agent_a1.market.code
    expected = {"HK": "HK", "TW": "TC", "JP": "JP", "KR": "KR"}.get(market, "TC")
    assert any(f"cjk{expected}".lower() in name.lower().replace(" ", "").replace("-", "")
               for name in fonts), (market, fonts)  # fmt: skip


@pytest.mark.parametrize("lang", ["zh_Hant", "zh_Hans", "ja", "ko", "vi"])
def test_the_review_pdf_in_each_language_carries_the_cjk_name(client, world, lang):
    world.agent_a1.locale = lang
    response = _shared_review_pdf(client, world)
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "陳大文" in text
    assert str(reader.trailer["/Root"].get("/Lang")) == lang.replace("_", "-")
