"""Believable names for each market, in its own script, with a romanised form.

Pools are (native, romanised) pairs. Hong Kong uses Cantonese (HK government) romanisation,
Taiwan the hyphenated Wade-Giles of Taiwanese passports, Japan and Korea Hepburn and Revised
Romanisation as people write them on business cards; Vietnamese is already Latin, so its
romanised form is the same name without diacritics.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

Pair = tuple[str, str]

SURNAMES: dict[str, list[Pair]] = {
    "HK": [
        ("陳", "Chan"), ("李", "Lee"), ("張", "Cheung"), ("黃", "Wong"), ("何", "Ho"),
        ("林", "Lam"), ("梁", "Leung"), ("劉", "Lau"), ("吳", "Ng"), ("蔡", "Choi"),
        ("鄭", "Cheng"), ("謝", "Tse"), ("麥", "Mak"), ("郭", "Kwok"),
    ],
    "TW": [
        ("陳", "Chen"), ("林", "Lin"), ("黃", "Huang"), ("張", "Chang"), ("李", "Li"),
        ("王", "Wang"), ("吳", "Wu"), ("劉", "Liu"), ("蔡", "Tsai"), ("楊", "Yang"),
        ("許", "Hsu"), ("鄭", "Cheng"), ("謝", "Hsieh"), ("郭", "Kuo"),
    ],
    "JP": [
        ("佐藤", "Sato"), ("鈴木", "Suzuki"), ("高橋", "Takahashi"), ("田中", "Tanaka"),
        ("伊藤", "Ito"), ("渡辺", "Watanabe"), ("山本", "Yamamoto"), ("中村", "Nakamura"),
        ("小林", "Kobayashi"), ("加藤", "Kato"), ("吉田", "Yoshida"), ("山田", "Yamada"),
        ("松本", "Matsumoto"), ("井上", "Inoue"),
    ],
    "KR": [
        ("김", "Kim"), ("이", "Lee"), ("박", "Park"), ("최", "Choi"), ("정", "Jung"),
        ("강", "Kang"), ("조", "Cho"), ("윤", "Yoon"), ("장", "Jang"), ("임", "Lim"),
        ("한", "Han"), ("오", "Oh"), ("서", "Seo"), ("신", "Shin"),
    ],
    "VN": [
        ("Nguyễn", ""), ("Trần", ""), ("Lê", ""), ("Phạm", ""), ("Hoàng", ""),
        ("Huỳnh", ""), ("Phan", ""), ("Vũ", ""), ("Võ", ""), ("Đặng", ""),
        ("Bùi", ""), ("Đỗ", ""), ("Ngô", ""), ("Dương", ""),
    ],
}  # fmt: skip

GIVEN_NAMES: dict[str, list[Pair]] = {
    "HK": [
        ("嘉欣", "Ka Yan"), ("志明", "Chi Ming"), ("詠詩", "Wing Sze"), ("家豪", "Ka Ho"),
        ("偉倫", "Wai Lun"), ("美玲", "Mei Ling"), ("俊傑", "Chun Kit"), ("曉彤", "Hiu Tung"),
        ("子軒", "Tsz Hin"), ("凱琳", "Hoi Lam"), ("浩然", "Ho Yin"), ("慧敏", "Wai Man"),
        ("國強", "Kwok Keung"), ("穎欣", "Wing Yan"), ("卓謙", "Cheuk Him"), ("嘉怡", "Ka Yi"),
    ],
    "TW": [
        ("志偉", "Chih-Wei"), ("怡君", "Yi-Chun"), ("雅婷", "Ya-Ting"), ("冠宇", "Kuan-Yu"),
        ("家豪", "Chia-Hao"), ("淑芬", "Shu-Fen"), ("宗翰", "Tsung-Han"), ("佳穎", "Chia-Ying"),
        ("俊宏", "Chun-Hung"), ("詩涵", "Shih-Han"), ("建宏", "Chien-Hung"), ("欣怡", "Hsin-Yi"),
        ("承恩", "Cheng-En"), ("美慧", "Mei-Hui"), ("柏翰", "Po-Han"), ("郁婷", "Yu-Ting"),
    ],
    "JP": [
        ("美咲", "Misaki"), ("翔太", "Shota"), ("陽菜", "Hina"), ("大輔", "Daisuke"),
        ("結衣", "Yui"), ("健太", "Kenta"), ("彩花", "Ayaka"), ("拓也", "Takuya"),
        ("麻衣", "Mai"), ("直樹", "Naoki"), ("愛", "Ai"), ("亮", "Ryo"),
        ("真由美", "Mayumi"), ("悠斗", "Yuto"), ("香織", "Kaori"), ("誠", "Makoto"),
    ],
    "KR": [
        ("민준", "Minjun"), ("서연", "Seoyeon"), ("지훈", "Jihun"), ("지은", "Jieun"),
        ("현우", "Hyunwoo"), ("수빈", "Subin"), ("동현", "Donghyun"), ("예진", "Yejin"),
        ("성민", "Sungmin"), ("하은", "Haeun"), ("준호", "Junho"), ("유진", "Yujin"),
        ("태윤", "Taeyun"), ("민지", "Minji"), ("재원", "Jaewon"), ("소영", "Soyoung"),
    ],
    "VN": [
        ("Thị Lan", ""), ("Văn Hùng", ""), ("Minh Anh", ""), ("Thị Hương", ""),
        ("Đức Thắng", ""), ("Thu Trang", ""), ("Quốc Bảo", ""), ("Ngọc Ánh", ""),
        ("Hoàng Nam", ""), ("Thị Mai", ""), ("Văn Long", ""), ("Phương Linh", ""),
        ("Tuấn Anh", ""), ("Thanh Hà", ""), ("Gia Huy", ""), ("Bảo Ngọc", ""),
    ],
}  # fmt: skip

# How the family and given names join in each script: Chinese and Korean names are written
# without a space, Japanese with one, Vietnamese as words.
_NATIVE_SEPARATOR = {"HK": "", "TW": "", "JP": " ", "KR": "", "VN": " "}


def strip_diacritics(text: str) -> str:
    """ASCII letters for a Latin-script name: "Nguyễn Đức" -> "Nguyen Duc"."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class DemoName:
    name: str
    name_romanised: str
    given_ascii: str  # for the e-mail address: "kayan", "chihwei", "lan"
    family_ascii: str

    def email_local(self, n: int) -> str:
        return f"{self.given_ascii}.{self.family_ascii}.{n}"


def _roman(pair: Pair) -> str:
    return pair[1] or strip_diacritics(pair[0])


def _ascii_token(text: str) -> str:
    return "".join(c for c in strip_diacritics(text).lower() if c.isalnum())


class NamePicker:
    """Draws names for a market from a seeded generator, never the same name twice."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def pick(self, market: str) -> DemoName:
        for _ in range(1000):
            family = self._rng.choice(SURNAMES[market])
            given = self._rng.choice(GIVEN_NAMES[market])
            native = family[0] + _NATIVE_SEPARATOR[market] + given[0]
            if native not in self._used:
                self._used.add(native)
                break
        else:  # pragma: no cover - the pools hold ~200 names per market
            raise RuntimeError(f"ran out of demo names for {market}")
        given_roman = _roman(given)
        # Vietnamese given names carry a middle name ("Thị Lan"): people go by the last word.
        given_for_email = given_roman.split()[-1] if market == "VN" else given_roman
        return DemoName(
            name=native,
            name_romanised=f"{_roman(family)} {given_roman}",
            given_ascii=_ascii_token(given_for_email),
            family_ascii=_ascii_token(_roman(family)),
        )
