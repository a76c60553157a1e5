"""Which language the window speaks: the one chosen in the settings, else the first of the system's preferred
languages that LocalClip has, else English.

Languages are named as the translation files are (``localclip_<name>.qm``); the system's preferences come
as BCP 47 tags, most preferred first (``QLocale.system().uiLanguages()``: "zh-Hans-CN", "zh-CN", "zh").
"""

from __future__ import annotations

from collections.abc import Sequence

ENGLISH = "en"
SIMPLIFIED_CHINESE = "zh_CN"
SUPPORTED = (ENGLISH, SIMPLIFIED_CHINESE)
SYSTEM = ""  # the setting's value for "follow the system"
# Each language's name in itself: a person looks for their own language by the name they know it by.
ENDONYMS = {ENGLISH: "English", SIMPLIFIED_CHINESE: "简体中文"}

_TRADITIONAL_REGIONS = {"TW", "HK", "MO"}


def choose_language(setting: str, system_languages: Sequence[str]) -> str:
    """The language to load: ``setting`` when it names a supported one, else the system's first match."""
    if setting in SUPPORTED:
        return setting
    traditional_chinese = False
    for tag in system_languages:
        language, script, region = _parse(tag)
        if language == "en":
            return ENGLISH
        if language != "zh":
            continue
        # Traditional Chinese has no translation of its own; its generic "zh" fallback, listed after it,
        # must not turn into Simplified Chinese (the person can still choose it in the settings).
        if script == "hant" or (not script and region in _TRADITIONAL_REGIONS):
            traditional_chinese = True
        elif not traditional_chinese:
            return SIMPLIFIED_CHINESE
    return ENGLISH


def _parse(tag: str) -> tuple[str, str, str]:
    """("zh", "hans", "CN") from "zh-Hans-CN" or "zh_Hans_CN"; missing parts are ""."""
    parts = tag.replace("_", "-").split("-")
    language, script, region = parts[0].lower(), "", ""
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            script = part.lower()
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            region = part.upper()
    return language, script, region
