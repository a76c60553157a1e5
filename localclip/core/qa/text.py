"""Words heard against words written: the line and the take's transcript normalised the same way, then
their edit distance as a character error rate (Chinese and Japanese) or a word error rate (the rest).

Normalisation (`normalise`), in order:

1. Unicode NFKC: full-width letters, digits and punctuation become their usual forms ("ＡＢＣ１２３！" is
   "ABC123!"), half-width katakana become full-width, ligatures are split.
2. Case folded (`str.casefold`: "Straße" and "STRASSE" are the same).
3. Digits as spoken (0-9 only; other scripts' digits are kept as they are), by the text's language:
   - English: numbers in words ("21" is "twenty one", "3.5" is "three point five", "1,000" is "one
     thousand", "21st" is "twenty first", "50%" is "fifty percent"); longer than 15 digits, or with a
     leading zero ("007"), digit by digit.
   - Chinese: Chinese numerals ("21" is "二十一", "105" is "一百零五", "3.5" is "三点五", "50%" is
     "百分之五十"), a four-digit year before 年 digit by digit ("2024年" is "二零二四年"); 两 reads as 二
     and 〇 as 零, on both sides, so "两个" and "2个" agree.
   - Japanese: kanji numerals without 零 and without 一 before 十, 百 and 千 ("21" is "二十一", "105"
     is "百五", "1000" is "千", but "10000000" is "一千万"; "3.5" is "三点五", "50%" is "五十パーセント").
   - Any other language: digits are kept ("3 Katzen" and "drei Katzen" differ by one word).
4. Apostrophes dropped ("don't" is "dont"); every other punctuation mark and symbol of any script
   (Unicode categories P and S: 。，、！？「」・, dashes, quotes, $, %, emoji) becomes a space.
5. Whitespace collapsed.

Not handled: dates and times ("3/4", "10:30", "May 5th" beyond the ordinal), currencies ("$5" is "five",
not "five dollars"), negative numbers ("-3" is "three"), English years read in pairs ("1999" is "one
thousand nine hundred ninety nine", never "nineteen ninety nine"), "and" inside English numbers ("one
hundred and five" has one more word than "105"), decimal commas and dot thousands separators ("3,5" and
"1.000"), Roman numerals, traditional against simplified Chinese characters (國 and 国 differ; 億 and 亿
differ), and Japanese readings (kana against kanji: "きょう" and "今日" differ). A recogniser mostly
writes numbers the way the script does, so these cost a few units on a few lines, not a false flag.

Which language's numbers: a Chinese or Japanese language code ("zh", "yue", "ja", "zh-CN": Whisper's
codes and their regional forms) says so; otherwise text that is mostly Han and kana is Japanese when it
has kana and Chinese when not, whatever the code (a recogniser's guess of the language can be wrong);
other text is English for "en" or "" and keeps its digits for any other code. Which unit
(`uses_characters` of the normalised reference): characters for text that is mostly Han and kana (spaces
dropped), words otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

UNIT_CHAR = "char"
UNIT_WORD = "word"
_EN, _ZH, _JA, _OTHER = "en", "zh", "ja", ""
_LONGEST_NUMBER = 15  # digits read as one number; longer runs (phone numbers, ids) digit by digit

# Han ideographs (unified, extensions A to H, compatibility), their marks 〇 々 〻, and kana.
_HAN = (
    (0x3005, 0x3005),
    (0x3007, 0x3007),
    (0x303B, 0x303B),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x323AF),
)
_KANA = ((0x3040, 0x309F), (0x30A0, 0x30FF), (0x31F0, 0x31FF))
_APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc")


@dataclass(frozen=True)
class WordErrors:
    unit: str  # UNIT_CHAR or UNIT_WORD
    errors: int  # substitutions, deletions and insertions
    units: int  # characters or words in the (normalised) reference
    rate: float  # errors / units; with an empty reference 0.0 when nothing was heard, else 1.0


def normalise(text: str, language: str = "") -> str:
    """`text` as compared (see the module's notes): NFKC, case folded, digits as spoken, without
    punctuation, single spaces. `language`: a language code, or "" to guess it from the text."""
    return _normalise(text, _family(language, text))


def uses_characters(text: str) -> bool:
    """Whether `text` is mostly Chinese or Japanese (Han and kana): its Han and kana characters outnumber
    its words in other scripts ("我用iPhone拍照" is 4 characters against 1 word: characters); digits
    count for neither."""
    cjk = other_words = 0
    in_word = False
    for char in unicodedata.normalize("NFKC", text):
        if _is_cjk(char):
            cjk += 1
            in_word = False
        elif char.isalpha():
            other_words += not in_word
            in_word = True
        else:
            in_word = False
    return cjk > other_words


def line_language(text: str) -> str:
    """The language code to give a recogniser for a line: "zh" or "ja" for mostly Chinese or Japanese
    text, "" (let it detect) otherwise: the script alone cannot tell English from German."""
    if not uses_characters(text):
        return ""
    return "ja" if _has_kana(text) else "zh"


def error_rate(reference_text: str, transcript: str, language: str = "") -> WordErrors:
    """How many characters (mostly Chinese or Japanese text) or words (otherwise) of the reference the
    transcript gets wrong, after both are normalised alike: Levenshtein distance over characters or
    words. The reference decides the unit and the language (the transcript when the reference is
    empty). A transcript with more words than the line can be wrong more than 100 %."""
    basis = reference_text if reference_text.strip() else transcript
    family = _family(language, basis)
    reference = _normalise(reference_text, family)
    heard = _normalise(transcript, family)
    if uses_characters(reference or heard):  # "21" in Chinese is "二十一": characters
        unit = UNIT_CHAR
        expected, got = list(reference.replace(" ", "")), list(heard.replace(" ", ""))
    else:
        unit = UNIT_WORD
        expected, got = reference.split(), heard.split()
    # Imported here: the manifest reads scores through this package, on machines (the GPU check's) that
    # have no rapidfuzz; only comparing a transcript needs it.
    from rapidfuzz.distance import Levenshtein

    errors = int(Levenshtein.distance(expected, got))
    rate = errors / len(expected) if expected else float(errors > 0)
    return WordErrors(unit, errors, len(expected), rate)


# --- normalisation -----------------------------------------------------------------------------------


def _normalise(text: str, family: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    if family == _EN:
        text = _english_numbers(text)
    elif family == _ZH:
        text = _chinese_numbers(text).replace("两", "二").replace("〇", "零")
    elif family == _JA:
        text = _japanese_numbers(text)
    text = text.translate(_APOSTROPHES)
    text = "".join(" " if unicodedata.category(char)[0] in "PS" else char for char in text)
    return " ".join(text.split())


def _family(language: str, text: str) -> str:
    code = language.strip().lower().replace("_", "-").split("-")[0]
    if code in ("zh", "yue", "cmn"):
        return _ZH
    if code == "ja":
        return _JA
    if uses_characters(text):  # whatever the code says (a recogniser's guess can be wrong)
        return _JA if _has_kana(text) else _ZH
    return _EN if code in ("en", "") else _OTHER


def _is_cjk(char: str) -> bool:
    point = ord(char)
    return any(low <= point <= high for low, high in (*_HAN, *_KANA))


def _has_kana(text: str) -> bool:
    return any(low <= ord(char) <= high for char in text for low, high in _KANA)


_THOUSANDS = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))")  # "1,000,000" -> "1000000"
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_PERCENT = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*%")


def _spoken(
    text: str, number_words: Callable[[str], str], percent: Callable[[str], str], space: str = ""
) -> str:
    """Every number in `text` (thousands separators dropped) through `number_words`; "N%" through
    `percent`; `space` either side of what replaced it ("mp3" is "mp three", "3只" is "三只")."""
    text = _THOUSANDS.sub("", text)
    text = _PERCENT.sub(lambda match: f"{space}{percent(match.group(1))}{space}", text)
    return _NUMBER.sub(lambda match: f"{space}{number_words(match.group(0))}{space}", text)


# English.

_ONES = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven"),
    *("twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"),
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES = ("", "thousand", "million", "billion", "trillion")
_ORDINAL = re.compile(r"([0-9]+)(st|nd|rd|th)\b")
_ORDINALS = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth"}
_ORDINALS |= {"nine": "ninth", "twelve": "twelfth"}


def _english_numbers(text: str) -> str:
    text = _THOUSANDS.sub("", text)  # before the ordinals: "1,000th"
    text = _ORDINAL.sub(lambda match: f" {_english_ordinal(match.group(1))} ", text)
    return _spoken(text, _english_number, lambda number: f"{_english_number(number)} percent", " ")


def _english_number(written: str) -> str:
    whole, _, fraction = written.partition(".")
    words = _english_whole(whole)
    if fraction:
        words += " point " + " ".join(_ONES[int(digit)] for digit in fraction)
    return words


def _english_whole(digits: str) -> str:
    if (digits.startswith("0") and len(digits) > 1) or len(digits) > _LONGEST_NUMBER:
        return " ".join(_ONES[int(digit)] for digit in digits)
    return " ".join(_english_words(int(digits)))


def _english_words(number: int) -> list[str]:
    if number < 20:
        return [_ONES[number]]
    if number < 100:
        return [_TENS[number // 10], *([_ONES[number % 10]] if number % 10 else [])]
    if number < 1000:
        rest = _english_words(number % 100) if number % 100 else []
        return [_ONES[number // 100], "hundred", *rest]
    words: list[str] = []
    scale = 0
    while number:
        number, group = divmod(number, 1000)
        if group:
            words = [*_english_words(group), *([_SCALES[scale]] if scale else []), *words]
        scale += 1
    return words


def _english_ordinal(digits: str) -> str:
    words = _english_whole(digits).split()
    last = words[-1]
    if last in _ORDINALS:
        words[-1] = _ORDINALS[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return " ".join(words)


# Chinese and Japanese.

_HAN_DIGITS = "零一二三四五六七八九"
_GROUP_UNITS = ("千", "百", "十", "")
_ZH_BIG = ("", "万", "亿", "万亿")
_JA_BIG = ("", "万", "億", "兆")
_YEAR = re.compile(r"(?<![0-9])([0-9]{4})(?=年)")


def _chinese_numbers(text: str) -> str:
    text = _YEAR.sub(lambda match: "".join(_HAN_DIGITS[int(digit)] for digit in match.group(1)), text)
    return _spoken(text, _chinese_number, lambda number: f"百分之{_chinese_number(number)}")


def _japanese_numbers(text: str) -> str:
    return _spoken(text, _japanese_number, lambda number: f"{_japanese_number(number)}パーセント")


def _chinese_number(written: str) -> str:
    return _han_number(written, japanese=False)


def _japanese_number(written: str) -> str:
    return _han_number(written, japanese=True)


def _han_number(written: str, japanese: bool) -> str:
    whole, _, fraction = written.partition(".")
    big = _JA_BIG if japanese else _ZH_BIG
    if (whole.startswith("0") and len(whole) > 1) or len(whole) > 4 * len(big):
        spoken = "".join(_HAN_DIGITS[int(digit)] for digit in whole)
    else:
        spoken = _han_whole(int(whole), big, japanese)
    if fraction:
        spoken += "点" + "".join(_HAN_DIGITS[int(digit)] for digit in fraction)
    return spoken


def _han_whole(number: int, big: tuple[str, ...], japanese: bool) -> str:
    """Groups of four digits (万, 亿/億...); Chinese says 零 for the zeros inside ("一百零五"), and "十"
    rather than "一十" at the start; Japanese says no 零 and mostly no 一 before a unit ("百五")."""
    if number == 0:
        return _HAN_DIGITS[0]
    groups = []
    while number:
        number, group = divmod(number, 10_000)
        groups.append(group)
    spoken = ""
    gap = False  # zeros since the last digit said
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            gap = gap or bool(spoken)
            continue
        if spoken and (gap or group < 1000) and not japanese:
            spoken += _HAN_DIGITS[0]
        spoken += _han_group(group, japanese, below_big=index > 0) + big[index]
        gap = False
    if not japanese and spoken.startswith("一十"):
        spoken = spoken[1:]
    return spoken


def _han_group(group: int, japanese: bool, below_big: bool) -> str:
    """One group of four digits. Japanese drops 一 before 十 and 百, and before 千 but for 一千 ahead of
    万, 億 or 兆 ("千" is 1000, "一千万" ten million)."""
    silent_one = ("百", "十") if below_big else ("千", "百", "十")
    spoken = ""
    gap = False
    digits = (group // 1000, group // 100 % 10, group // 10 % 10, group % 10)
    for digit, unit in zip(digits, _GROUP_UNITS, strict=True):
        if digit == 0:
            gap = gap or bool(spoken)
            continue
        if gap and not japanese:
            spoken += _HAN_DIGITS[0]
        gap = False
        if japanese and digit == 1 and unit in silent_one:
            spoken += unit
        else:
            spoken += _HAN_DIGITS[digit] + unit
    return spoken
