"""Splitting a long script line into sentence-sized chunks for Fish-Speech.

fish-speech 0.1.0 never splits text itself (its `chunk_length` is unused) and `max_new_tokens` caps the
audio it produces, so a long line must be cut by LocalClip: at sentence ends first, then at clause marks,
then between words, and for Chinese or Japanese written without spaces between characters. Latin words
are never cut. Short pieces are packed together up to the limit, so a paragraph of short sentences gives a
few chunks of natural length rather than one chunk per "Mr." or "OK.".

Lengths are measured in *spoken length*: a CJK character (Han, kana, Hangul) counts `CJK_WEIGHT` Latin
characters, because it takes about that long to say (English is read at about 14 characters a second,
Mandarin at 4 to 5). So one `max_chars` bounds the audio length of a chunk in any language; pass
`cjk_weight=1` to count plain characters.

The chunks are stretches of the whitespace-normalised text cut at chosen positions: joining them with
spaces gives back the text's words in order (for text without spaces, joining them without spaces gives
back the text).

This is the one chunker of both interpreters (standard library only, like protocol.py): the app splits a
line here and sends the chunks, which the clone manifest records and the worker speaks as sent; the worker
splits a whole text here too, with the same default limit, when it is used on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable

CJK_WEIGHT = 3.0
# About 15-20 s of speech: well inside fish-speech's max_new_tokens per chunk (the app and the worker).
DEFAULT_CHUNK_CHARS = 250

# Han (with extensions and compatibility ideographs), Hiragana, Katakana (with the phonetic extensions and
# half-width forms) and Hangul: scripts written without spaces between words, or (Hangul) spoken one
# syllable block at a time.
_CJK_RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3130, 0x318F),  # Hangul compatibility Jamo
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
    (0x20000, 0x3134F),  # CJK extensions B to G
)
_CLOSERS = "\"'”’)]}»」』】》〉）］｝"
# A sentence ends after . ! ? … and their full-width forms (with any closing quotes or brackets). An ASCII
# mark only ends a sentence before a space or the end ("3.14", "e.g.x"); full-width marks end it anywhere,
# because CJK text has no space after them.
_SENTENCE_END = re.compile(rf"(?:[.!?]+|[…。！？!?.]*[…。！？][…。！？!?.]*)[{re.escape(_CLOSERS)}]*")
_CLAUSE_END = re.compile(rf"(?:[,;:]+|[，、；：]+)[{re.escape(_CLOSERS)}]*")
_FULL_WIDTH_MARKS = frozenset("…。！？，、；：")
# No chunk may start with these: they belong to the text before them.
_NO_CUT_BEFORE = frozenset(_CLOSERS) | _FULL_WIDTH_MARKS | frozenset(".,;:!?")

Span = tuple[int, int]


def is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def spoken_length(text: str, cjk_weight: float = CJK_WEIGHT) -> float:
    """Length of `text` in Latin-character equivalents (see the module's notes)."""
    cjk = sum(1 for char in text if is_cjk(char))
    return (len(text) - cjk) + cjk * cjk_weight


def normalize_space(text: str) -> str:
    """Runs of whitespace (newlines, tabs, ideographic spaces) as one space, trimmed."""
    return " ".join(text.split())


def split_text(text: str, max_chars: float, *, cjk_weight: float = CJK_WEIGHT) -> list[str]:
    """`text` as chunks of at most `max_chars` spoken length (see the module's notes). A chunk is longer
    only where one Latin word alone is longer than `max_chars`: words are never cut."""
    if max_chars <= 0:
        raise ValueError(f"max_chars must be positive, not {max_chars!r}")
    text = normalize_space(text)
    if not text:
        return []
    splitter = _Splitter(text, max_chars, cjk_weight)
    if splitter.fits(0, len(text)):
        return [text]
    return [text[start:end].strip() for start, end in splitter.spans(0, len(text), 0)]


class _Splitter:
    """Cuts `text` at the positions of the coarsest level that brings every piece under the limit."""

    def __init__(self, text: str, max_chars: float, cjk_weight: float) -> None:
        self.text = text
        self.max_chars = max_chars
        self.cjk_weight = cjk_weight
        self.levels: tuple[Callable[[int, int], list[int]], ...] = (
            self._sentence_cuts,
            self._clause_cuts,
            self._space_cuts,
            self._character_cuts,
        )

    def fits(self, start: int, end: int) -> bool:
        return spoken_length(self.text[start:end].strip(), self.cjk_weight) <= self.max_chars

    def spans(self, start: int, end: int, level: int) -> list[Span]:
        if self.fits(start, end) or level == len(self.levels):
            return [(start, end)]
        cuts = self.levels[level](start, end)
        pieces = list(zip([start, *cuts], [*cuts, end], strict=True))
        result: list[Span] = []
        for piece in self._pack(pieces):
            result.extend(self.spans(*piece, level + 1))
        return result

    def _pack(self, pieces: list[Span]) -> list[Span]:
        """Join neighbouring pieces while they fit; a piece too long on its own stays alone (and is cut at
        the next level)."""
        packed: list[Span] = []
        for start, end in pieces:
            if packed and self.fits(packed[-1][0], end):
                packed[-1] = (packed[-1][0], end)
            else:
                packed.append((start, end))
        return packed

    def _sentence_cuts(self, start: int, end: int) -> list[int]:
        return self._cuts_after(_SENTENCE_END, start, end)

    def _clause_cuts(self, start: int, end: int) -> list[int]:
        return self._cuts_after(_CLAUSE_END, start, end)

    def _cuts_after(self, pattern: re.Pattern[str], start: int, end: int) -> list[int]:
        cuts = []
        for match in pattern.finditer(self.text, start, end):
            cut = match.end()
            at_space = cut == end or self.text[cut] == " "
            full_width = any(char in _FULL_WIDTH_MARKS for char in match.group())
            if start < cut < end and (at_space or full_width) and self._may_cut(cut):
                cuts.append(cut)
        return cuts

    def _space_cuts(self, start: int, end: int) -> list[int]:
        return [index for index in range(start + 1, end) if self.text[index] == " "]

    def _character_cuts(self, start: int, end: int) -> list[int]:
        """Between two characters where one of them is CJK: never inside a run of Latin letters."""
        text = self.text
        return [
            index
            for index in range(start + 1, end)
            if (is_cjk(text[index - 1]) or is_cjk(text[index])) and self._may_cut(index)
        ]

    def _may_cut(self, index: int) -> bool:
        return self.text[index] not in _NO_CUT_BEFORE
