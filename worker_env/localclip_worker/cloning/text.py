"""Long lines split into sentence-sized chunks.

fish-speech 0.1.0 generates a whole text in one pass (its ``chunk_length`` is unused), and both the
model's sequence length and ``max_new_tokens`` cap the audio of a pass, so a long line is spoken in chunks.
Length is counted in UTF-8 bytes: a CJK character (3 bytes) carries about as much speech as three Latin
letters, so one limit suits English, Chinese and Japanese alike.

Splitting, coarsest first, only where a piece is still too long:
1. sentences: after . ! ? ; … (followed by a space, a closing quote or bracket), 。！？ and line breaks;
2. clauses: after , ; : and their CJK forms ，、；：;
3. words: at spaces (a Latin word is never cut);
4. characters, only in a run without spaces longer than the limit (CJK text has no spaces).
Consecutive pieces are then packed greedily into chunks of at most the limit. A line within the limit is
one chunk, unchanged but for surrounding whitespace.
"""

from __future__ import annotations

import re

DEFAULT_CHUNK_BYTES = 200  # about 13 s of English or 15 s of Chinese: well under max_new_tokens 1024 (47 s)

_CLOSERS = re.escape("\"'”’»)）]】」』")  # inside a character class: escaped
_SENTENCE = re.compile(rf"(?:[.!?…]+[{_CLOSERS}]*(?=\s|$)|[。！？]+[{_CLOSERS}]*|\n+)\s*")
_CLAUSE = re.compile(rf"(?:[,;:]+[{_CLOSERS}]*(?=\s|$)|[，、；：]+[{_CLOSERS}]*)\s*")
_WORD = re.compile(r"\S+\s*")
# Scripts written without spaces between words: kana, CJK ideographs, half-width katakana, Thai, Lao,
# Myanmar, Khmer. Text in them may be cut between any two characters.
_CONTINUOUS = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]"
)


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def split_text(text: str, limit: int = DEFAULT_CHUNK_BYTES) -> list[str]:
    """``text`` as chunks of at most ``limit`` UTF-8 bytes where it can be (a single longer word stays
    whole). Empty or blank text gives no chunks."""
    text = text.strip()
    if not text:
        return []
    if size(text) <= limit:
        return [text]
    pieces = _pieces(text, limit, (_SENTENCE, _CLAUSE, _WORD))
    return [chunk for chunk in (c.strip() for c in _pack(pieces, limit)) if chunk]


def _pieces(text: str, limit: int, levels: tuple[re.Pattern[str], ...]) -> list[str]:
    """``text`` cut at the first level's boundaries, each piece over the limit cut at the next level."""
    if size(text) <= limit:
        return [text]
    if not levels:
        return _characters(text, limit)
    pieces = []
    for piece in _cut(text, levels[0]):
        pieces.extend(_pieces(piece, limit, levels[1:]))
    return pieces


def _cut(text: str, boundary: re.Pattern[str]) -> list[str]:
    """``text`` in pieces that each end just after a boundary (its trailing spaces included)."""
    if boundary is _WORD:
        return boundary.findall(text) or [text]
    pieces, start = [], 0
    for match in boundary.finditer(text):
        if match.end() > start:
            pieces.append(text[start : match.end()])
            start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def _characters(run: str, limit: int) -> list[str]:
    """A run without spaces over the limit (CJK or Thai text, a long URL...): cut between characters,
    but never between two letters or digits of a spaced script, so a Latin word stays whole."""
    pieces, start = [], 0
    while size(run[start:]) > limit and (end := _break_at(run, start, limit)) is not None:
        pieces.append(run[start:end])
        start = end
    return [*pieces, run[start:]]


def _break_at(run: str, start: int, limit: int) -> int | None:
    """The last place to cut within ``limit`` bytes of ``start``; past a longer word, the first after it."""
    used, best = 0, None
    for index in range(start + 1, len(run)):
        used += size(run[index - 1])
        allowed = not (_spaced_word_character(run[index - 1]) and _spaced_word_character(run[index]))
        if used <= limit:
            best = index if allowed else best
        elif best is not None or allowed:
            return best if best is not None else index
    return best


def _spaced_word_character(character: str) -> bool:
    return (character.isalnum() or character in "'’-") and not _CONTINUOUS.match(character)


def _pack(pieces: list[str], limit: int) -> list[str]:
    chunks, current = [], ""
    for piece in pieces:
        if current and size((current + piece).strip()) > limit:
            chunks.append(current)
            current = ""
        current += piece
    return [*chunks, current] if current else chunks
