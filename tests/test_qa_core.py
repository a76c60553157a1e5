"""Take QA without models (localclip/core/qa, docs/qa.md): text normalisation and error rates in several
languages, audio facts of generated WAVs, scores from a worker's result and back from the manifest, flags
with their reasons, the risk order and the best take. Every expected number is worked out by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from localclip.core.cloning.manifest import CloneParams, LineInputs, LineRecord, Manifest, Take
from localclip.core.options import (
    QA_DURATION_Z,
    QA_MAX_CLIPPED_SAMPLES,
    QA_MAX_ERROR_RATE,
    QA_MAX_SILENCE_S,
    QA_RETAKES,
    QA_VOICE_FRACTION,
    QA_VOICE_MARGIN,
    Defaults,
    Option,
)
from localclip.core.qa import audio as qa_audio
from localclip.core.qa.audio import AudioFacts, QaAudioError, audio_facts
from localclip.core.qa.flags import (
    CLEAN_RISK_MAX,
    UNSCORED_RISK,
    Flag,
    QaThresholds,
    SpeakerStats,
    best_take,
    risk,
    take_flags,
)
from localclip.core.qa.scores import TakeQa, score_take
from localclip.core.qa.text import WordErrors, error_rate, normalise, uses_characters

RATE = 16_000

# --- text ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("3 cats", "en", "three cats"),
        ("21", "en", "twenty one"),
        ("I have 1,234 cats.", "en", "i have one thousand two hundred thirty four cats"),
        ("the 1,000th", "en", "the one thousandth"),
        ("the 21st, 2nd and 100th", "en", "the twenty first second and one hundredth"),
        ("3.5 and 50%", "en", "three point five and fifty percent"),
        ("Agent 007", "", "agent zero zero seven"),  # "" and Latin script: English
        ('Twenty-one — "quoted"', "en", "twenty one quoted"),
        ("Don't STOP!", "en", "dont stop"),
        ("ＨＥＬＬＯ　ｗｏｒｌｄ！１２", "en", "hello world twelve"),  # full-width forms
        ("3", "zh", "三"),
        ("21", "zh", "二十一"),
        ("105 1010 10 15", "zh", "一百零五 一千零一十 十 十五"),
        ("100000 110000 10001 100000001", "zh", "十万 十一万 一万零一 一亿零一"),
        ("我有3只猫。", "zh", "我有三只猫"),
        ("我有3只猫", "", "我有三只猫"),  # "" and Han: Chinese
        ("3.5%", "zh-CN", "百分之三点五"),
        ("2024年", "zh", "二零二四年"),
        ("二〇二四年，两个人", "zh", "二零二四年 二个人"),
        ("「你好」，世界。！？、", "zh", "你好 世界"),
        ("１２３，", "zh", "一百二十三"),  # full-width digits and comma
        ("105 1000 10000000", "ja", "百五 千 一千万"),
        ("ﾃｽﾄ、です。", "", "テスト です"),  # half-width katakana made full; Japanese by its kana
        ("Où est l'école ? À côté !", "fr", "où est lécole à côté"),
        ("Die Straße: 3 Katzen.", "de", "die strasse 3 katzen"),  # other languages keep their digits
    ],
)
def test_normalise(text: str, language: str, expected: str) -> None:
    assert normalise(text, language) == expected


def test_digits_and_words_normalise_alike() -> None:
    assert normalise("3 cats", "en") == normalise("Three cats", "en")
    assert normalise("21", "en") == normalise("twenty-one", "en")
    assert normalise("3", "zh") == normalise("三", "zh")
    assert normalise("我有21只猫", "zh") == normalise("我有二十一只猫", "zh")
    assert normalise("两个人", "zh") == normalise("2个人", "zh")
    assert normalise("Straße", "de") == normalise("STRASSE", "de")
    assert normalise("café", "fr") != normalise("cafe", "fr")  # accents are letters


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我用iPhone拍照", True),  # 4 Han characters against 1 word
        ("I said 你好 to him", False),  # 2 against 4
        ("今日はいい天気です", True),
        ("テスト", True),
        ("2024年", True),  # digits count for neither
        ("Hello world", False),
        ("안녕하세요", False),  # Hangul is written in words
        ("", False),
    ],
)
def test_uses_characters(text: str, expected: bool) -> None:
    assert uses_characters(text) is expected


@pytest.mark.parametrize(
    ("reference", "transcript", "language", "expected"),
    [
        # "the mat" -> "a hat": two substitutions of six words.
        ("The cat sat on the mat.", "the cat sat on a hat", "en", WordErrors("word", 2, 6, 2 / 6)),
        ("I have 3 cats", "i have three cats", "en", WordErrors("word", 0, 4, 0.0)),
        # "two" deleted, "five" inserted.
        ("one two three four", "one three four five", "en", WordErrors("word", 2, 4, 0.5)),
        ("今天天气很好。", "今天天气不好", "zh", WordErrors("char", 1, 6, 1 / 6)),
        ("我有3只猫。", "我有三只猫", "zh", WordErrors("char", 0, 5, 0.0)),
        ("你好 世界", "你好世界", "", WordErrors("char", 0, 4, 0.0)),  # spaces do not count
        ("21", "二十一", "zh", WordErrors("char", 0, 3, 0.0)),  # "21" in Chinese is characters
        # です -> でした: す substituted, た inserted; 9 characters.
        ("今日はいい天気です。", "今日はいい天気でした", "ja", WordErrors("char", 2, 9, 2 / 9)),
        ("Die Straße ist schön", "die strasse ist schon", "de", WordErrors("word", 1, 4, 0.25)),
        ("Où est l'école ?", "ou est l'école", "fr", WordErrors("word", 1, 3, 1 / 3)),
        ("ＯＫ，Ｌｅｔ'ｓ ｇｏ！", "ok let's go", "en", WordErrors("word", 0, 3, 0.0)),
        # An empty transcript: every word missing.
        ("one two three", "", "en", WordErrors("word", 3, 3, 1.0)),
        ("今天天气很好", "", "zh", WordErrors("char", 6, 6, 1.0)),
        # An empty reference: nothing to divide by; 0.0 when nothing was heard, else 1.0.
        ("", "", "en", WordErrors("word", 0, 0, 0.0)),
        ("。", "", "", WordErrors("word", 0, 0, 0.0)),
        ("", "hello there", "en", WordErrors("word", 2, 0, 1.0)),
        ("", "你好", "", WordErrors("char", 2, 0, 1.0)),
        # More heard than written: wrong more than 100 %.
        ("hi", "hi there you all", "en", WordErrors("word", 3, 1, 3.0)),
    ],
)
def test_error_rate(reference: str, transcript: str, language: str, expected: WordErrors) -> None:
    assert error_rate(reference, transcript, language) == expected


def test_the_reference_decides_the_unit_and_numbers_whatever_the_recogniser_guessed() -> None:
    # The recogniser called a Chinese take English: the line is still scored by characters, as Chinese.
    assert error_rate("我有3只猫", "我有三只猫", "en") == WordErrors("char", 0, 5, 0.0)


# --- audio -----------------------------------------------------------------------------------------------


def tone(seconds: float, amplitude: float = 0.5, frequency: float = 220.0) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def silence(seconds: float, level: float = 0.0) -> np.ndarray:
    noise = np.random.default_rng(0).uniform(-level, level, round(seconds * RATE))
    return noise.astype(np.float32)


def write(path: Path, *parts: np.ndarray, subtype: str = "FLOAT") -> Path:
    sf.write(str(path), np.concatenate(parts), RATE, subtype=subtype)
    return path


def test_a_gap_inside_the_take_is_found_where_it_is(tmp_path: Path) -> None:
    # 0.5 s lead, 1.5 s tone, a 2 s gap from 2.0 s, 1.5 s tone, 0.5 s tail; 20 ms frames fall on 2.0 s.
    path = write(tmp_path / "gap.wav", silence(0.5), tone(1.5), silence(2.0), tone(1.5), silence(0.5))
    facts = audio_facts(path)
    assert facts.duration == pytest.approx(6.0)
    assert facts.longest_silence == pytest.approx(2.0)
    assert facts.silence_at == pytest.approx(2.0)
    assert facts.clipped_samples == 0
    assert facts.peak_db == pytest.approx(20 * math.log10(0.5), abs=0.01)


def test_a_quiet_pause_is_silence_and_a_long_lead_or_tail_is_not(tmp_path: Path) -> None:
    # Noise at 1e-3 (-60 dBFS peak, about -65 dB RMS) is 55 dB under the tone: silence. The 3 s lead and
    # 4 s tail are longer than the gap but outside the speech: the trim's business.
    parts = (silence(3.0), tone(1.0), silence(1.2, 1e-3), tone(1.0), silence(4.0))
    facts = audio_facts(write(tmp_path / "pause.wav", *parts))
    assert facts.longest_silence == pytest.approx(1.2)
    assert facts.silence_at == pytest.approx(4.0)


def test_a_pause_relative_to_the_takes_loudness(tmp_path: Path) -> None:
    # A tone at 0.5 (RMS -9 dB) and a "pause" at 0.005 (RMS -49 dB): 40 dB down, above the -60 dB
    # floor, but more than 35 dB under the take's loudness: silence.
    parts = (tone(1.0), tone(0.5, amplitude=0.005), tone(1.0))
    facts = audio_facts(write(tmp_path / "relative.wav", *parts))
    assert facts.longest_silence == pytest.approx(0.5)
    assert facts.silence_at == pytest.approx(1.0)
    # 20 dB down (0.05) is quiet speech, not a pause.
    parts = (tone(1.0), tone(0.5, amplitude=0.05), tone(1.0))
    facts = audio_facts(write(tmp_path / "quiet.wav", *parts))
    assert (facts.longest_silence, facts.silence_at) == (0.0, None)


def test_a_take_without_a_gap(tmp_path: Path) -> None:
    facts = audio_facts(write(tmp_path / "tone.wav", tone(1.0), subtype="PCM_16"))
    assert (facts.longest_silence, facts.silence_at, facts.clipped_samples) == (0.0, None, 0)


def test_clipping_counts_samples_in_runs(tmp_path: Path) -> None:
    samples = np.zeros(1000, dtype=np.float32)
    samples[10:13] = 1.0  # a run of 3: clipped
    samples[100] = 1.0  # a lone peak at full scale: not clipping
    samples[200:202] = -1.0  # a run of 2, negative: clipped
    samples[300:302] = 0.9995  # at or above 0.999: clipped
    samples[400:405] = 0.998  # under 0.999: not
    samples[500:504] = 1.3  # past full scale in a float file: clipped
    facts = audio_facts(write(tmp_path / "runs.wav", samples))
    assert facts.clipped_samples == 3 + 2 + 2 + 4
    assert facts.peak_db == pytest.approx(20 * math.log10(1.3), abs=1e-4)


def test_clipping_runs_carry_over_blocks_and_count_every_channel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(qa_audio, "_BLOCK_FRAMES", 320)  # blocks of one 20 ms frame at 16 kHz
    left = np.zeros(1280, dtype=np.float32)
    left[318:322] = 1.0  # 2 samples at the end of the first block, 2 at the start of the next: 4
    left[639:641] = 1.0  # 1 and 1 across the next boundary: a run of 2
    left[959] = 1.0  # a lone sample at a block's end: none
    left[1279] = 1.0  # and at the file's end: none
    right = np.zeros(1280, dtype=np.float32)
    right[0:640] = -1.0  # two whole blocks: 640
    path = tmp_path / "stereo.wav"
    sf.write(str(path), np.stack([left, right], axis=1), RATE, subtype="FLOAT")
    assert audio_facts(path).clipped_samples == 4 + 2 + 640


def test_a_clipped_sine(tmp_path: Path) -> None:
    # A 100 Hz sine driven to 1.5 and clipped at full scale: flat tops of about 85 samples; every sample
    # at 0.999 or past it is in one of them.
    clipped = np.clip(tone(1.0, amplitude=1.5, frequency=100.0), -1.0, 1.0)
    facts = audio_facts(write(tmp_path / "clipped.wav", clipped, subtype="PCM_16"))
    pcm = np.round(clipped * 32767).clip(-32768, 32767) / 32768  # as soundfile reads the PCM back
    assert facts.clipped_samples == int(np.sum(np.abs(pcm) >= 0.999))
    assert facts.clipped_samples > 8000  # more than half of the second: 1 - 2 asin(0.666) / pi = 0.536


def test_a_silent_take_is_one_silence(tmp_path: Path) -> None:
    facts = audio_facts(write(tmp_path / "silent.wav", silence(1.0)))
    assert facts == AudioFacts(1.0, 1.0, 0.0, 0, -math.inf)


def test_an_empty_take(tmp_path: Path) -> None:
    facts = audio_facts(write(tmp_path / "empty.wav", np.zeros(0, dtype=np.float32)))
    assert facts == AudioFacts(0.0, 0.0, None, 0, -math.inf)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(QaAudioError, match=r"gone\.wav: the file is missing"):
        audio_facts(tmp_path / "gone.wav")


def test_a_file_that_is_not_audio(tmp_path: Path) -> None:
    path = tmp_path / "take.wav"
    path.write_text("not a WAV at all", encoding="utf-8")
    with pytest.raises(QaAudioError, match=r"Cannot check the audio of take\.wav: "):
        audio_facts(path)


# --- scores ----------------------------------------------------------------------------------------------

SPOKEN = AudioFacts(duration=3.0, longest_silence=0.4, silence_at=1.2, clipped_samples=0, peak_db=-3.0)


def result(**changes: Any) -> dict[str, Any]:
    data = {
        "voice": {"Alice": 0.71, "Bob": 0.42, "Carol": 0.30},
        "speaker_similarity": {"Bob": 0.65, "Carol": 0.20},
        "transcript": "the three cats sat",
        "language": "en",
        "recogniser": "whisper-large-v3-turbo",
    }
    return {**data, **changes}


def test_score_take() -> None:
    qa = score_take(result(), SPOKEN, "The 3 cats sat.", "Alice", scored="2026-01-02T03:04:05+00:00")
    assert qa == TakeQa(
        voice=0.71,
        best_other=0.42,
        best_other_speaker="Bob",
        speakers_apart=1.0 - 0.65,  # Bob the nearest voice
        nearest_speaker="Bob",
        transcript="the three cats sat",
        unit="word",
        errors=0,
        units=4,
        error_rate=0.0,
        language="en",
        longest_silence=0.4,
        silence_at=1.2,
        clipped=0,
        seconds_per_char=3.0 / 15,  # "thethreecatssat": 15 characters
        scored="2026-01-02T03:04:05+00:00",
        recogniser="whisper-large-v3-turbo",
    )


def test_score_take_without_a_recogniser_or_other_speakers() -> None:
    data = result(voice={"Alice": 0.7}, speaker_similarity={"Alice": 1.0}, transcript=None)
    del data["language"], data["recogniser"]
    qa = score_take(data, SPOKEN, "你好。", "Alice")
    assert (qa.best_other, qa.best_other_speaker, qa.speakers_apart, qa.nearest_speaker) == (
        None,
        "",
        None,
        "",
    )
    assert (qa.transcript, qa.unit, qa.errors, qa.units, qa.error_rate) == (None, "", None, None, None)
    assert qa.seconds_per_char == 1.5  # two characters
    assert qa.scored.endswith("+00:00")  # now, UTC


def test_score_take_with_chinese_and_a_tie() -> None:
    data = result(voice={"甲": 0.8, "乙": 0.5, "丙": 0.5}, speaker_similarity={}, transcript="今天天气不好")
    qa = score_take({**data, "language": "zh"}, SPOKEN, "今天天气很好。", "甲")
    assert (qa.best_other_speaker, qa.best_other) == ("丙", 0.5)  # a tie: the first by name
    assert (qa.unit, qa.errors, qa.units) == ("char", 1, 6)
    assert qa.seconds_per_char == 0.5  # 6 characters in 3 s


def test_score_take_without_a_line() -> None:
    assert score_take(result(), SPOKEN, "。", "Alice").seconds_per_char is None


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([], "is an object"),
        ({"voice": {"Alice": 0.5}, "speaker_similarity": {}}, "no 'transcript'"),
        (result(voice=[0.5]), "voice is an object"),
        (result(voice={"Bob": 0.5}), "no voice score for the take's speaker 'Alice'"),
        (result(voice={"Alice": 1.2}), "cosine from -1 to 1"),
        (result(voice={"Alice": math.nan}), "cosine from -1 to 1"),
        (result(voice={"Alice": "0.5"}), "cosine from -1 to 1"),
        (result(voice={"Alice": True}), "cosine from -1 to 1"),
        (result(voice={"Alice": 0.5, 3: 0.2}), "named by text"),
        (result(speaker_similarity={"Bob": -math.inf}), "cosine from -1 to 1"),
        (result(speaker_similarity=None), "speaker_similarity is an object"),
        (result(transcript=["a"]), "text or null"),
        (result(language=5), "language must be text"),
        (result(recogniser=None), "recogniser must be text"),
    ],
)
def test_a_bad_result_says_what_is_wrong(bad: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        score_take(bad, SPOKEN, "The 3 cats sat.", "Alice")


def test_scores_round_trip_and_leave_out_what_is_not_set() -> None:
    qa = score_take(result(), SPOKEN, "The 3 cats sat.", "Alice", scored="2026-01-02T03:04:05+00:00")
    stored = json.loads(json.dumps(qa.to_dict()))
    assert TakeQa.from_dict(stored) == qa
    bare = TakeQa(voice=0.5)
    assert bare.to_dict() == {"voice": 0.5, "longest_silence": 0.0, "clipped": 0}
    read = TakeQa.from_dict({"voice": 0.5, "longest_silence": 0, "clipped": 0, "future": "ignored"})
    assert read == bare and isinstance(read.longest_silence, float)  # JSON's 0 read as 0.0


@pytest.mark.parametrize(
    "bad",
    [
        None,
        [],
        {},  # no voice
        {"voice": 1.5},
        {"voice": "0.5"},
        {"voice": 0.5, "best_other": -2.0},
        {"voice": 0.5, "best_other_speaker": 3},
        {"voice": 0.5, "speakers_apart": 2.5},
        {"voice": 0.5, "longest_silence": -1.0},
        {"voice": 0.5, "silence_at": "1.0"},
        {"voice": 0.5, "clipped": 1.5},
        {"voice": 0.5, "clipped": True},
        {"voice": 0.5, "seconds_per_char": math.inf},
        {"voice": 0.5, "errors": 2},  # word errors without a transcript
        {"voice": 0.5, "unit": None},
        {"voice": 0.5, "transcript": "hi", "unit": "letter", "errors": 0, "units": 1, "error_rate": 0.0},
        {"voice": 0.5, "transcript": "hi", "unit": "word", "errors": -1, "units": 1, "error_rate": 0.0},
        {"voice": 0.5, "transcript": "hi", "unit": "word", "errors": 0, "units": 1},  # no rate
        {"voice": 0.5, "transcript": 7},
    ],
)
def test_bad_stored_scores_are_refused(bad: Any) -> None:
    with pytest.raises(ValueError):
        TakeQa.from_dict(bad)
    assert TakeQa.from_stored(bad) is None


# --- flags -----------------------------------------------------------------------------------------------

DEFAULTS = QaThresholds()


def scores(**fields: Any) -> TakeQa:
    """A clean take's scores, with `fields` changed."""
    base: dict[str, Any] = {
        "voice": 0.70,
        "best_other": 0.40,
        "best_other_speaker": "Bob",
        "speakers_apart": 0.60,
        "nearest_speaker": "Bob",
        "transcript": "hello",
        "unit": "word",
        "errors": 0,
        "units": 23,
        "error_rate": 0.0,
        "seconds_per_char": 0.08,
    }
    return TakeQa(**{**base, **fields})


def test_the_thresholds_come_from_the_options() -> None:
    assert QaThresholds.from_options(Defaults()) == DEFAULTS == QaThresholds(0.05, 0.75, 0.15, 1.5, 10, 3.0)
    assert QA_RETAKES.default == 0

    class Stored:
        def __init__(self, raw: dict[str, object]) -> None:
            self.raw = raw

        def get(self, option: Option[Any]) -> Any:
            return option.coerce(self.raw[option.key]) if option.key in self.raw else option.default

    raw = {"qa/voice_margin": "0.1", "qa/max_clipped_samples": "-5", "qa/duration_z": "nan"}
    thresholds = QaThresholds.from_options(Stored(raw))
    assert (thresholds.voice_margin, thresholds.max_clipped_samples, thresholds.duration_z) == (0.1, 10, 3.0)
    for option in (QA_VOICE_MARGIN, QA_VOICE_FRACTION, QA_MAX_ERROR_RATE, QA_MAX_SILENCE_S, QA_DURATION_Z):
        assert option.minimum is not None and option.maximum is not None
        assert option.minimum <= option.default <= option.maximum
    assert QA_MAX_CLIPPED_SAMPLES.coerce("37") == 37


def test_a_clean_take_has_no_flags() -> None:
    # voice 0.70: 0.30 ahead of Bob; its floor is 1 - 0.75 * 0.60 = 0.55.
    assert take_flags(scores(), False, None, DEFAULTS) == []


def test_voice_too_close_to_another_speaker() -> None:
    # 0.41 - 0.63 = -0.22 < 0.05: 0.27 short of the margin, over a span of 0.25: fully severe.
    flags = take_flags(scores(voice=0.41, best_other=0.63, speakers_apart=0.2), False, None, DEFAULTS)
    assert flags == [Flag("voice", "voice 0.41, other speakers up to 0.63 (Bob)", 1.0)]


def test_voice_margin_alone() -> None:
    # 0.70 - 0.67 = 0.03 < 0.05; the floor (0.55) is met. Severity (0.05 - 0.03) / 0.25 = 0.08.
    (flag,) = take_flags(scores(best_other=0.67), False, None, DEFAULTS)
    assert (flag.kind, flag.reason) == ("voice", "voice 0.70, other speakers up to 0.67 (Bob)")
    assert flag.severity == pytest.approx(0.08)
    # Exactly the margin ahead is enough (0.75 - 0.5 = 0.25 exactly in binary).
    assert take_flags(scores(voice=0.75, best_other=0.5), False, None, QaThresholds(voice_margin=0.25)) == []


def test_voice_under_the_relative_floor() -> None:
    # Close to nobody: 0.41 is 0.31 ahead of Bob, but under 1 - 0.75 * 0.60 = 0.55. Severity 0.14 / 0.25.
    (flag,) = take_flags(scores(voice=0.41, best_other=0.10), False, None, DEFAULTS)
    assert flag.reason == "voice 0.41, expected 0.55 or more (the nearest voice, Bob, is 0.60 away)"
    assert flag.severity == pytest.approx(0.56)


def test_the_floor_follows_how_far_apart_the_voices_are() -> None:
    # The same take (0.80, 0.20 ahead of the next speaker) passes where the voices are 0.60 apart (floor
    # 0.55) and is flagged where they are 0.20 apart (floor 1 - 0.15 = 0.85): too close to tell.
    assert take_flags(scores(voice=0.80, best_other=0.60), False, None, DEFAULTS) == []
    (flag,) = take_flags(scores(voice=0.80, best_other=0.60, speakers_apart=0.2), False, None, DEFAULTS)
    assert flag.reason == "voice 0.80, expected 0.85 or more (the nearest voice, Bob, is 0.20 away)"
    # A larger fraction lets the take wander further: 1 - 1.5 * 0.2 = 0.70.
    loose = QaThresholds(voice_fraction=1.5)
    assert take_flags(scores(voice=0.80, best_other=0.60, speakers_apart=0.2), False, None, loose) == []


def test_one_speaker_has_no_voice_scale() -> None:
    lonely = scores(
        voice=0.10, best_other=None, best_other_speaker="", speakers_apart=None, nearest_speaker=""
    )
    assert take_flags(lonely, False, None, DEFAULTS) == []


@pytest.mark.parametrize(
    ("fields", "thresholds", "reason"),
    [
        ({"errors": 8, "units": 23, "error_rate": 8 / 23}, DEFAULTS, "8 of 23 words wrong"),
        (
            {"unit": "char", "errors": 3, "units": 40, "error_rate": 3 / 40},
            QaThresholds(max_error_rate=0.05),
            "3 of 40 characters wrong",
        ),
        ({"transcript": "", "errors": 3, "units": 3, "error_rate": 1.0}, DEFAULTS, "3 of 3 words wrong"),
        ({"errors": 60, "units": 21, "error_rate": 60 / 21}, DEFAULTS, "60 errors in 21 words"),
        ({"errors": 1, "units": 1, "error_rate": 1.0}, DEFAULTS, "1 of 1 word wrong"),
        ({"errors": 2, "units": 0, "error_rate": 1.0}, DEFAULTS, "2 words heard, the line has none"),
    ],
)
def test_words_flag(fields: dict[str, Any], thresholds: QaThresholds, reason: str) -> None:
    assert [(flag.kind, flag.reason) for flag in take_flags(scores(**fields), False, None, thresholds)] == [
        ("words", reason)
    ]


def test_words_at_the_threshold_or_unheard_are_not_flagged() -> None:
    at = scores(errors=3, units=20, error_rate=0.15)
    assert take_flags(at, False, None, DEFAULTS) == []
    unheard = scores(transcript=None, unit="", errors=None, units=None, error_rate=None)
    assert take_flags(unheard, False, None, DEFAULTS) == []


def test_silence_and_clipping_flags() -> None:
    flags = take_flags(scores(longest_silence=4.2, silence_at=3.1, clipped=37), False, None, DEFAULTS)
    assert flags == [
        Flag("silence", "4.2 s of silence at 3.1 s", pytest.approx((4.2 - 1.5) / 5)),
        Flag("clipping", "clipped (37 samples)", pytest.approx(27 / 1000)),
    ]
    assert take_flags(scores(longest_silence=1.5, silence_at=1.0, clipped=10), False, None, DEFAULTS) == []


def test_speaker_stats() -> None:
    values = [0.08, 0.07, 0.09, None, 0.08, 0.08, 0.21]
    stats = SpeakerStats.of("Alice", values)
    known = [value for value in values if value is not None]
    assert stats.count == 6
    assert stats.mean == pytest.approx(np.mean(known))
    assert stats.std == pytest.approx(np.std(known, ddof=1))
    others = stats.without(0.21)
    assert (others.count, others.mean) == (5, pytest.approx(0.08))
    assert others.std == pytest.approx(math.sqrt(0.0002 / 4))  # deviations 0, -0.01, 0.01, 0, 0
    assert SpeakerStats.of("Alice", [0.1]).std == 0.0
    assert not SpeakerStats.of("Alice", [0.1] * 4).usable


def test_duration_against_the_speakers_other_takes() -> None:
    # The other five average 0.08 with a standard deviation of 0.00707: 0.21 is 18 of them away.
    stats = SpeakerStats.of("Alice", [0.08, 0.07, 0.09, 0.08, 0.08, 0.21])
    flags = take_flags(scores(seconds_per_char=0.21), False, stats, DEFAULTS)
    assert flags == [Flag("duration", "0.21 s per character, Alice's takes average 0.08", 1.0)]
    # A take within 3 deviations: 0.085 is 0.71 away from the others' 0.08.
    near = SpeakerStats.of("Alice", [0.08, 0.07, 0.09, 0.08, 0.08, 0.085])
    assert take_flags(scores(seconds_per_char=0.085), False, near, DEFAULTS) == []
    # Only four other takes: nothing to say.
    few = SpeakerStats.of("Alice", [0.08, 0.07, 0.09, 0.08, 0.21])
    assert take_flags(scores(seconds_per_char=0.21), False, few, DEFAULTS) == []


def test_duration_when_the_others_never_vary() -> None:
    same = SpeakerStats.of("Alice", [0.08] * 6)
    assert take_flags(scores(seconds_per_char=0.08), False, same, DEFAULTS) == []
    odd = SpeakerStats.of("Alice", [0.08] * 5 + [0.09])
    assert [flag.kind for flag in take_flags(scores(seconds_per_char=0.09), False, odd, DEFAULTS)] == [
        "duration"
    ]


def test_token_limit_is_always_flagged_even_unscored() -> None:
    assert take_flags(None, True, None, DEFAULTS) == [Flag("token_limit", "ran to the token limit", 1.0)]
    assert take_flags(None, False, None, DEFAULTS) == []
    every = scores(voice=0.41, best_other=0.63, errors=8, error_rate=8 / 23, longest_silence=4.2, clipped=37)
    stats = SpeakerStats.of("Alice", [0.08, 0.07, 0.09, 0.08, 0.08, 0.21])
    kinds = [flag.kind for flag in take_flags(replace_spc(every, 0.21), True, stats, DEFAULTS)]
    assert kinds == ["voice", "words", "silence", "clipping", "duration", "token_limit"]


def replace_spc(qa: TakeQa, seconds_per_char: float) -> TakeQa:
    return TakeQa.from_dict({**qa.to_dict(), "seconds_per_char": seconds_per_char})


def test_unknown_flag_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        Flag("mood", "sounds sad")


def test_risk_orders_flagged_then_unscored_then_clean() -> None:
    mild = [Flag("silence", "1.6 s of silence at 2.0 s", 0.02)]
    severe = [Flag("voice", "voice 0.41, other speakers up to 0.63 (Bob)", 1.0)]
    two = [Flag("silence", "", 0.0), Flag("clipping", "", 0.0)]
    assert risk(mild, scores()) == pytest.approx(3.02)
    assert risk(severe, scores()) == 4.0
    assert risk(two, scores()) == 4.0
    assert risk(two + mild, None) > risk(two, scores()) > risk(mild, scores())
    assert risk([], None) == UNSCORED_RISK
    assert risk(mild, scores()) > UNSCORED_RISK > risk([], scores(voice=-1.0)) == CLEAN_RISK_MAX
    assert risk([], scores(voice=0.5)) > risk([], scores(voice=0.9)) >= 0.0
    assert risk([], scores(voice=0.5)) == pytest.approx(0.125)


def test_best_take() -> None:
    voice = [Flag("voice", "", 0.5)]
    takes = [(1, voice, scores()), (2, [], scores(voice=0.7)), (3, [], scores(voice=0.8)), (4, [], None)]
    assert best_take(takes) == 3  # no flags, highest voice
    assert best_take([(1, [], None), (2, [], scores(voice=0.2))]) == 2  # scored before unscored
    assert best_take([(1, voice * 2, scores(voice=0.9)), (2, voice, scores(voice=0.3))]) == 2  # fewer flags
    mild = [Flag("voice", "", 0.1)]
    assert best_take([(1, voice, scores(voice=0.9)), (2, mild, scores(voice=0.3))]) == 2  # less severe
    assert best_take([(2, [], scores()), (1, [], scores())]) == 1  # all equal: the earliest
    with pytest.raises(ValueError):
        best_take([])


# --- the manifest ----------------------------------------------------------------------------------------

INPUTS = LineInputs("The 3 cats sat.", "Alice", ("ab" * 32,), ("hello",), "s1-mini@abc", CloneParams())


def a_take(**changes: Any) -> Take:
    return Take(1, "Alice/1.wav", 7, 3.0, "2026-01-02T03:04:05+00:00", INPUTS, **changes)


def test_a_take_without_qa_is_written_as_before() -> None:
    data = a_take().to_dict()
    assert "qa" not in data and "token_limit" not in data
    assert Take.from_dict(data) == a_take()


def test_a_takes_qa_and_token_limit_round_trip(tmp_path: Path) -> None:
    qa = score_take(result(), SPOKEN, INPUTS.text, "Alice", scored="2026-01-02T03:04:05+00:00")
    take = a_take(qa=qa, token_limit=True)
    assert Take.from_dict(json.loads(json.dumps(take.to_dict()))) == take
    record = LineRecord("1", INPUTS, 7, 3.0, "done", None, [take], 1)
    Manifest(tmp_path, {"1": record}).save()
    loaded = Manifest.load(tmp_path)
    assert loaded.notice is None
    assert loaded.lines["1"].takes == [take]


@pytest.mark.parametrize(
    ("qa", "token_limit"),
    [({"voice": 5.0}, "yes"), ("scores", 1), ({"clipped": 3}, None), ({"voice": 0.5, "errors": 2}, False)],
)
def test_a_damaged_qa_block_is_dropped_and_the_take_kept(tmp_path: Path, qa: Any, token_limit: Any) -> None:
    record = LineRecord("1", INPUTS, 7, 3.0, "done", None, [a_take()], 1)
    manifest = Manifest(tmp_path, {"1": record})
    manifest.save()
    document = json.loads(manifest.path.read_text(encoding="utf-8"))
    document["lines"]["1"]["takes"][0] |= {"qa": qa, "token_limit": token_limit}
    manifest.path.write_text(json.dumps(document), encoding="utf-8")
    loaded = Manifest.load(tmp_path)
    assert loaded.notice is None  # not renamed aside
    assert loaded.lines["1"].takes == [a_take()]


def test_reasons_are_messages_the_window_translates() -> None:
    from localclip.core.messages import Message

    qa = TakeQa(voice=0.4, best_other=0.6, best_other_speaker="Bob", transcript="x", unit="word",
                errors=8, units=23, error_rate=8 / 23, longest_silence=4.2, silence_at=3.1)  # fmt: skip
    flags = take_flags(qa, True, None, QaThresholds())
    assert [str(flag.reason) for flag in flags] == [
        "voice 0.40, other speakers up to 0.60 (Bob)",
        "8 of 23 words wrong",
        "4.2 s of silence at 3.1 s",
        "ran to the token limit",
    ]
    assert all(isinstance(flag.reason, Message) for flag in flags)
    assert flags[1].reason.args["noun"].key == "qa.noun.words"  # translated as a message of its own
