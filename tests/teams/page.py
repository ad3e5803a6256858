"""Reading the team view as a browser does: the page, then each panel it loads (htmx)."""

from __future__ import annotations

import re
from dataclasses import dataclass

SLOT = re.compile(r'hx-get="(/teams/\d+/panels/[^"]+)"')


@dataclass
class TeamPage:
    status_code: int
    text: str

    def get_data(self, as_text: bool = True) -> str:
        return self.text


def team_page(client, url: str) -> TeamPage:
    """The page's status and its HTML with every panel's fragment in place of its slot."""
    page = client.get(url)
    text = page.get_data(as_text=True)
    if page.status_code != 200:
        return TeamPage(page.status_code, text)
    for src in SLOT.findall(text):
        panel = client.get(src.replace("&amp;", "&"), headers={"HX-Request": "true"})
        assert panel.status_code == 200, (src, panel.status_code)
        text += panel.get_data(as_text=True)
    return TeamPage(200, text)
