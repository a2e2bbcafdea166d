"""聘书 of a 民情信息员: the text is real text, the Chinese font is embedded (subset), the file is small."""

import io
import re

import pytest
from pypdf import PdfReader

from members.letters import appointment_letter_pdf
from tests import factories as f


@pytest.fixture
def letter(cast):
    return appointment_letter_pdf(cast.officer_row)


def _fonts(reader: PdfReader) -> list:
    return [font.get_object() for font in reader.pages[0]["/Resources"]["/Font"].values()]


def test_letter_text_extracts_with_the_officers_name_and_term(cast, letter):
    # when the letter of 北街's officer is read back
    text = PdfReader(io.BytesIO(letter)).pages[0].extract_text()

    # then it is a 聘书 naming the officer, the community, the term and the branch that signs it
    assert letter.startswith(b"%PDF-")
    assert "聘书" in text
    assert "欧兰" in text
    assert cast.officer_row.appointment_no in text
    flat = re.sub(r"\s+", "", text)
    assert "兹聘请欧兰同志为北街社区民情信息员，聘期自2026年1月5日至2028年12月31日。" in flat
    assert "民情信息员职责" in flat
    assert "记好民情日志" in flat
    assert "中共北街社区总支委员会" in flat


def test_letter_embeds_a_subset_of_the_chinese_font(letter):
    fonts = _fonts(PdfReader(io.BytesIO(letter)))

    assert fonts, "the letter uses no font"
    for font in fonts:
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
        # a subset font's name carries a six-letter tag: ABCDEF+NotoSansSC
        assert re.match(r"^/[A-Z]{6}\+", str(font["/BaseFont"]))
    assert len(letter) < 200 * 1024


def test_letter_of_an_officer_with_a_long_name_and_community_fits_on_one_page(cast):
    community = f.CommunityFactory(town=cast.town_obj, name="城关镇文化街东段第二社区")
    person = f.PersonFactory(community=community, name="买买提·艾力江")
    officer = f.OfficerFactory(community=community, person=person, appointment_no="WHJ-2026-012")

    reader = PdfReader(io.BytesIO(appointment_letter_pdf(officer)))

    assert len(reader.pages) == 1
    flat = re.sub(r"\s+", "", reader.pages[0].extract_text())
    assert "买买提·艾力江" in flat
    assert "中共城关镇文化街东段第二社区总支委员会" in flat
