"""Splitting long lines into sentence-sized chunks: sentence ends, clauses, words, CJK characters."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import pytest

from localclip_worker.text_chunks import CJK_WEIGHT, is_cjk, split_text, spoken_length


def words(chunks: list[str]) -> list[str]:
    return " ".join(chunks).split()


def test_a_short_line_is_one_chunk() -> None:
    assert split_text("Hello there.", 50) == ["Hello there."]
    assert split_text("  Hello\n there.  ", 50) == ["Hello there."]  # whitespace normalised


def test_empty_text_gives_no_chunks() -> None:
    assert split_text("", 10) == []
    assert split_text(" \n\t\u3000", 10) == []


def test_max_chars_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        split_text("text", 0)


def test_splits_at_sentence_ends_keeping_the_punctuation() -> None:
    text = "The first sentence is here. The second one asks why? The third one shouts! And a fourth…"
    chunks = split_text(text, 30)
    assert chunks == [
        "The first sentence is here.",
        "The second one asks why?",
        "The third one shouts!",
        "And a fourth…",
    ]


def test_short_sentences_are_packed_together_up_to_the_limit() -> None:
    text = "One. Two. Three. Four. Five. Six."
    assert split_text(text, 15) == ["One. Two.", "Three. Four.", "Five. Six."]


def test_no_split_inside_numbers_or_abbreviations_without_a_space() -> None:
    chunks = split_text("It costs 3.14 dollars today. Version 2.0.1 is out now.", 30)
    assert chunks == ["It costs 3.14 dollars today.", "Version 2.0.1 is out now."]


def test_closing_quotes_stay_with_their_sentence() -> None:
    chunks = split_text('He said "stop." Then he left the room quietly.', 20)
    assert chunks[0] == 'He said "stop."'


def test_a_long_sentence_is_split_at_clause_marks() -> None:
    text = "When the rain stopped, the children ran outside; the dog followed them, barking loudly."
    chunks = split_text(text, 40)
    assert chunks == [
        "When the rain stopped,",
        "the children ran outside;",
        "the dog followed them, barking loudly.",
    ]
    assert all(len(chunk) <= 40 for chunk in chunks)


def test_commas_inside_numbers_are_not_clause_marks() -> None:
    chunks = split_text("We counted 1,000,000 stars in the sky that night", 25)
    assert "1,000,000" in words(chunks)


def test_a_clause_still_too_long_is_split_between_words_never_inside_one() -> None:
    text = "the quick brown fox jumps over the lazy dog again and again and again"
    chunks = split_text(text, 20)
    assert all(len(chunk) <= 20 for chunk in chunks)
    assert words(chunks) == text.split()


def test_a_latin_word_longer_than_the_limit_stays_whole() -> None:
    chunks = split_text("a Supercalifragilisticexpialidocious word", 10)
    assert chunks == ["a", "Supercalifragilisticexpialidocious", "word"]


def test_chinese_is_split_at_full_width_marks_without_spaces() -> None:
    text = "今天天气很好。我们去公园散步吧！你觉得怎么样？"
    chunks = split_text(text, 9 * CJK_WEIGHT)
    assert chunks == ["今天天气很好。", "我们去公园散步吧！", "你觉得怎么样？"]
    assert "".join(chunks) == text


def test_chinese_clauses_and_then_characters() -> None:
    text = "虽然今天下雨，但是我们还是决定出去走走、看看风景；然后回家吃饭。"
    chunks = split_text(text, 7 * CJK_WEIGHT)
    assert "".join(chunks) == text
    assert chunks[0] == "虽然今天下雨，"
    assert all(spoken_length(chunk) <= 7 * CJK_WEIGHT for chunk in chunks)
    assert not any(chunk[0] in "，、；。" for chunk in chunks)  # punctuation never starts a chunk


def test_japanese_without_punctuation_is_split_by_characters() -> None:
    text = "これは句読点のないとても長い日本語の文章ですがちゃんと分割できるはずです"
    chunks = split_text(text, 10 * CJK_WEIGHT)
    assert "".join(chunks) == text
    assert all(spoken_length(chunk) <= 10 * CJK_WEIGHT for chunk in chunks)
    assert len(chunks) == 4


def test_mixed_cjk_and_latin_never_cuts_a_latin_word() -> None:
    text = "我喜欢用Python写程序因为它很简单而且LocalClip也是用它写的"
    chunks = split_text(text, 12)
    assert "".join(chunks) == text
    assert any("Python" in chunk for chunk in chunks)
    assert any("LocalClip" in chunk for chunk in chunks)


def test_cjk_characters_weigh_more_than_latin_ones() -> None:
    assert spoken_length("abc") == 3
    assert spoken_length("你好") == 2 * CJK_WEIGHT
    assert spoken_length("ひらがなカタカナ한국어") == 11 * CJK_WEIGHT
    assert spoken_length("你好", cjk_weight=1) == 2
    assert is_cjk("漢") and is_cjk("か") and is_cjk("カ") and is_cjk("한") and not is_cjk("a")
    # With plain character counts, ten Chinese characters fit in ten.
    assert split_text("一二三四五六七八九十", 10, cjk_weight=1) == ["一二三四五六七八九十"]
    assert len(split_text("一二三四五六七八九十", 10)) > 1


@pytest.mark.parametrize("seed", range(30))
def test_random_text_keeps_its_words_in_order_and_never_gives_empty_chunks(seed: int) -> None:
    rng = random.Random(seed)
    latin = ["word", "a", "sentence.", "clause,", "why?", "yes!"]
    vocabulary = [*latin, "今天", "天气。", "很好，", "テスト", "です。"]
    text = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 80)))
    limit = rng.randint(6, 60)
    chunks = split_text(text, limit)
    assert chunks and all(chunk and chunk == chunk.strip() for chunk in chunks)
    assert words(chunks) == [piece for chunk in chunks for piece in chunk.split()]
    assert "".join(words(chunks)) == "".join(text.split())
    # Only a single word longer than the limit may exceed it.
    assert all(spoken_length(chunk) <= limit or " " not in chunk for chunk in chunks)


# -- one chunker for the app and the worker -----------------------------------------------------------------

PARITY_TEXTS = [
    " ".join(
        f"This is sentence number {n} of a long paragraph, which goes on for a while." for n in range(12)
    ),
    "今天天气很好。我们一起去公园散步吧！明天见，后天也见。" * 12,
    "これは日本語の文です。" * 30,
    "我们用 LocalClip 来 clone 声音。これは test です! Done. " * 10,
]
WORKER_CHUNKS = """
import json, sys
from localclip_worker.jobs.clone import line_chunks
texts = json.loads(sys.stdin.read())
print(json.dumps([line_chunks(text, (), {}) for text in texts]))
"""


def test_the_app_splits_with_the_shared_chunker_and_its_default_limit() -> None:
    from localclip.runs import clone
    from localclip_worker import text_chunks

    assert clone.split_text is text_chunks.split_text
    assert clone.CHUNK_CHARS == text_chunks.DEFAULT_CHUNK_CHARS


def test_the_worker_given_a_whole_text_speaks_the_chunks_the_app_would_send(worker_python: Path) -> None:
    from localclip.runs.clone import CHUNK_CHARS

    done = subprocess.run(
        [str(worker_python), "-I", "-c", WORKER_CHUNKS],
        input=json.dumps(PARITY_TEXTS),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    worker = json.loads(done.stdout.splitlines()[-1])
    app = [split_text(text, CHUNK_CHARS) for text in PARITY_TEXTS]
    assert all(len(chunks) > 1 for chunks in app)  # long enough to be split
    assert worker == app
