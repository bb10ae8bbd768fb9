"""The zh_CN catalogue is complete and in sync with the code (generic: new strings are covered too).

* every msgid the sources hold (``pybabel extract`` with babel.cfg, run in-process) is in the .po,
  and the .po holds nothing the sources lost;
* every entry is translated and not fuzzy, keeps its placeholders and uses full-width punctuation;
* the runtime loader serves the translations, the d2l-zh class names among them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from explorer.data import CLASS_NAMES
from ui import i18n

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locales" / "zh_CN" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%(?:\(\w+\))?[sdfr]")
CJK = "\u3400-\u4dbf\u4e00-\u9fff"
# An ASCII , ; : ! ? touching a Chinese character should be its full-width form (，；：！？).
HALF_WIDTH = re.compile(rf"[{CJK}][,;:!?]|[,;:!?][{CJK}]")
D2L_ZH_CLASSES = ("T恤", "裤子", "套衫", "连衣裙", "外套", "凉鞋", "衬衫", "运动鞋", "包", "短靴")


@pytest.fixture(scope="module")
def catalogue():
    with PO.open("rb") as f:
        return read_po(f)


def messages(catalogue):
    return [m for m in catalogue if m.id]


def extracted_ids() -> set[str]:
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    skip = {".venv", "data", ".git", "tests", "bench", "artifacts"}
    found = extract_from_dir(ROOT, method_map, options_map,
                             directory_filter=lambda path: Path(path).relative_to(ROOT).parts[0] not in skip)
    return {message for _file, _line, message, _comments, _context in found if isinstance(message, str)}


def test_the_catalogue_holds_exactly_what_the_sources_extract(catalogue):
    in_po, in_code = {m.id for m in messages(catalogue)}, extracted_ids()
    assert len(in_code) > 100  # the extraction really ran over the app
    missing, stale = sorted(in_code - in_po), sorted(in_po - in_code)
    assert not missing, f"not in the .po (run `make i18n-update` and translate): {missing}"
    assert not stale, f"in the .po but no longer in the code (run `make i18n-update`): {stale}"


def test_every_message_is_translated_and_not_fuzzy(catalogue):
    untranslated = [m.id for m in messages(catalogue) if not m.string or m.fuzzy]
    assert not untranslated, f"untranslated or fuzzy: {untranslated}"


def test_placeholders_are_preserved(catalogue):
    broken = [(m.id, m.string) for m in messages(catalogue)
              if Counter(PLACEHOLDER.findall(m.id)) != Counter(PLACEHOLDER.findall(m.string))]
    assert not broken, broken
    # and each template (named fields only: other braces are literal code) formats with its msgid's names
    for m in messages(catalogue):
        fields = re.findall(r"\{[^{}]*\}", m.id)
        if fields and all(re.fullmatch(r"\{\w+\}", f) for f in fields):
            assert m.string.format(**{f[1:-1]: "1" for f in fields})


def test_chinese_uses_full_width_punctuation(catalogue):
    bad = [m.string for m in messages(catalogue) if HALF_WIDTH.search(m.string)]
    assert not bad, bad


def unclosed_bold(text: str) -> list[str]:
    """Bold spans CommonMark does not close: a closing ** after punctuation and before a letter or digit is
    not right-flanking, so **注意：**文字 shows its asterisks (write **注意**：文字)."""
    parts = text.split("**")
    return [f"**{inner}**{after[:8]}" for inner, after in zip(parts[1::2], parts[2::2])
            if inner and unicodedata.category(inner[-1]).startswith("P") and after
            and not after[0].isspace() and (after[0] == "{" or not unicodedata.category(after[0]).startswith("P"))]


def test_bold_text_closes_in_chinese(catalogue):
    bad = [span for m in messages(catalogue) for span in unclosed_bold(m.string)]
    assert not bad, bad
    assert unclosed_bold("**注意：**文字") and not unclosed_bold("**注意**：文字")  # the check is not blind


def test_runtime_loader_serves_d2l_zh_terms():
    zh = i18n.translations("zh")
    assert tuple(zh.gettext(name) for name in CLASS_NAMES) == D2L_ZH_CLASSES
    assert zh.gettext("Weight decay") == "权重衰减" and zh.gettext("Under- and overfitting") == "欠拟合和过拟合"
    assert i18n.translations("en").gettext("Weight decay") == "Weight decay"
    assert i18n.translations("zh") is zh  # loaded once per process


def test_accept_language_picks_our_languages():
    assert i18n.browser_language(None, "zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert i18n.browser_language(None, "fr-FR,fr;q=0.9,en;q=0.5,zh;q=0.4") == "en"
    assert i18n.browser_language(None, "fr,de;q=0.5") is None
    assert i18n.browser_language("zh-TW", "en-US") == "zh"  # navigator.language first
    assert i18n.browser_language(None, "en;q=0.1,zh;q=0.9") == "zh"  # by weight, not order
    assert i18n.browser_language(None, "") is None and i18n.browser_language(None, "zh;q=abc") is None


def test_errors_from_explorer_read_in_chinese_and_stay_english_for_the_cli():
    from explorer.classroom import service as classroom
    from explorer.data import images

    zh = i18n.translations("zh").gettext
    with pytest.raises(classroom.BadNickname) as caught:
        classroom.clean_nickname("x" * (classroom.MAX_NICKNAME + 1))
    assert str(caught.value) == f"Nicknames have at most {classroom.MAX_NICKNAME} characters."
    assert caught.value.message(zh) == f"昵称最多 {classroom.MAX_NICKNAME} 个字符。"
    with pytest.raises(images.ImageError) as caught:
        images.open_image(b"not an image")
    assert str(caught.value).endswith("Upload a PNG or JPEG.")
    assert caught.value.message(zh).endswith("请上传 PNG 或 JPEG。")
    assert classroom.BadClassCode("'{x}' is not a class code").message(zh) == "'{x}' is not a class code"  # no fields
