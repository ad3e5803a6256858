"""A review as a PDF (WeasyPrint). CJK and Vietnamese names need a font that has them: the
set-up installs Debian's fonts-noto-cjk, and the template asks for Noto Sans CJK first."""

from __future__ import annotations


def _no_fetch(url: str, *args: object, **kwargs: object) -> dict:
    # The document is self-contained; nothing is fetched from the network or the disk.
    raise ValueError(f"refusing to fetch {url}")


def html_to_pdf(html: str) -> bytes:
    """The PDF bytes of a self-contained HTML document."""
    import weasyprint  # imported here: slow to import, and only PDF downloads need it

    return weasyprint.HTML(string=html, url_fetcher=_no_fetch).write_pdf()
