"""A review as a PDF (WeasyPrint). CJK and Vietnamese names need a font that has them: the
set-up installs Debian's fonts-noto-cjk, and the template asks for Noto Sans CJK first.

Without such a font WeasyPrint prints boxes instead of every Chinese, Japanese and Korean
character; rather than hand out that broken PDF, a document holding such characters is refused
with a message naming the package to install (503: the server lacks something, not the user)."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import lru_cache

from flask_babel import lazy_gettext as _l

from portal.errors import DomainError

# Han, Hiragana, Katakana, Hangul (syllables and jamo), CJK punctuation and full-width forms.
CJK = re.compile(
    "[\u1100-\u11ff\u3000-\u303f\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)


# Noto Sans CJK's regional variants: the glyph shapes a reader expects differ between
# Traditional Chinese (Hong Kong, Taiwan), Simplified Chinese, Japanese and Korean.
MARKET_VARIANT = {
    "HK": "HK", "MO": "HK", "TW": "TC", "CN": "SC", "SG": "SC", "JP": "JP", "KR": "KR"
}  # fmt: skip
LOCALE_VARIANT = {"zh_Hant": "TC", "zh_Hans": "SC", "ja": "JP", "ko": "KR"}
VARIANTS = ("TC", "SC", "JP", "KR", "HK")


def font_stack(locale: object, market_code: str | None) -> str:
    """The CSS font-family of a PDF: the CJK variant of the person's market first (else of the
    document's language), then the others for any name of another script."""
    first = MARKET_VARIANT.get(market_code or "") or LOCALE_VARIANT.get(str(locale or ""))
    order = ([first] if first else []) + [v for v in VARIANTS if v != first]
    return ", ".join(f'"Noto Sans CJK {v}"' for v in order) + ', "Noto Sans", sans-serif'


class PdfFontMissing(DomainError):
    status = 503
    default_message = _l(
        "This PDF holds Chinese, Japanese or Korean text, and the server has no font for it. "
        "Ask your administrator to install the fonts-noto-cjk package."
    )


@lru_cache(maxsize=1)
def cjk_font_installed() -> bool:
    """Whether fontconfig (which WeasyPrint uses) knows a font covering Japanese, Chinese and
    Korean. Asked once per process."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = []
    for lang in ("ja", "zh-cn", "ko"):
        result = subprocess.run(
            [fc_list, f":lang={lang}", "family"], capture_output=True, text=True, check=False
        )
        found.append(bool(result.stdout.strip()))
    return all(found)


def _no_fetch(url: str, *args: object, **kwargs: object) -> dict:
    # The document is self-contained; nothing is fetched from the network or the disk.
    raise ValueError(f"refusing to fetch {url}")


def html_to_pdf(html: str) -> bytes:
    """The PDF bytes of a self-contained HTML document; PdfFontMissing when it holds CJK
    text and no font can print it."""
    if CJK.search(html) and not cjk_font_installed():
        raise PdfFontMissing()
    import weasyprint  # imported here: slow to import, and only PDF downloads need it

    return weasyprint.HTML(string=html, url_fetcher=_no_fetch).write_pdf()
