"""Core's messages in the window's language: a table of every key of localclip/core/messages.py, each with
its English text marked for pyside6-lupdate (context "Messages"), and `translate_message`, which says a
core Message with the translation installed (plain text passes through unchanged).

The English here must stay the same as core's (tests/test_messages.py checks every key): the command line
and the logs print core's, the window this table's translation of it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from localclip.core.messages import JOINED, Message

CONTEXT = "Messages"

SOURCES: dict[str, str] = {
    "scan.folder_missing": QT_TRANSLATE_NOOP("Messages", "the folder {folder} does not exist"),
    "scan.not_a_folder": QT_TRANSLATE_NOOP(
        "Messages",
        "{folder} is a file, not a folder: drop the folder that holds the speaker folders",
    ),
    "scan.unreadable_root": QT_TRANSLATE_NOOP("Messages", "cannot read the folder {folder}: {error}"),
    "scan.empty_folder": QT_TRANSLATE_NOOP("Messages", "the folder {folder} is empty"),
    "scan.unreadable_folder": QT_TRANSLATE_NOOP(
        "Messages",
        "cannot read the folder {folder}: {error}; its clips were left out",
    ),
    "scan.empty_dataset_folder": QT_TRANSLATE_NOOP(
        "Messages",
        "empty dataset folder {folder}: no speaker folders",
    ),
    "scan.nested_folder": QT_TRANSLATE_NOOP(
        "Messages",
        "folder {folder} is nested deeper than the layout allows; its contents were left out",
    ),
    "scan.empty_speaker_folder": QT_TRANSLATE_NOOP(
        "Messages",
        "empty speaker folder {folder}: no audio files",
    ),
    "scan.link_not_followed": QT_TRANSLATE_NOOP(
        "Messages",
        "skipped the link {folder}: links are not followed",
    ),
    "scan.ignored_files": QT_TRANSLATE_NOOP(
        "Messages",
        "ignored {count} non-audio file(s) {extension}: {examples}",
    ),
    "scan.no_extension": QT_TRANSLATE_NOOP("Messages", "(no extension)"),
    "scan.audio_in_root": QT_TRANSLATE_NOOP(
        "Messages",
        "{count} audio file(s) lie directly in {folder}: {examples}. A dataset folder holds one folder "
        "per speaker; if this is one speaker's folder, drop the folder above it instead.",
    ),
    "scan.mixed_layout": QT_TRANSLATE_NOOP(
        "Messages",
        "{folder} mixes the two layouts: {speaker_count} folder(s) hold audio files directly (speaker "
        "folders): {speakers}; {dataset_count} folder(s) hold folders of audio files (dataset "
        "folders): {datasets}. Use <root>/<speaker>/<clip> or <root>/<dataset>/<speaker>/<clip> "
        "throughout.",
    ),
    "scan.no_audio": QT_TRANSLATE_NOOP(
        "Messages",
        "no audio files ({extensions}) found in {folder} as <root>/<speaker>/<clip> or "
        "<root>/<dataset>/<speaker>/<clip>",
    ),
    "scan.no_audio_problems": QT_TRANSLATE_NOOP("Messages", "{message}; {count} problem(s), first: {first}"),
    "scan.unreadable_audio": QT_TRANSLATE_NOOP("Messages", "unreadable audio: {error}"),
    "scan.refused_root": QT_TRANSLATE_NOOP(
        "Messages",
        "{folder} is the root of a drive or file system, not a dataset or a project: drop the folder "
        "that holds the speaker folders (results are never written at the top of a drive)",
    ),
    "scan.results_in_root": QT_TRANSLATE_NOOP(
        "Messages",
        "{folder} is the root of a drive or file system: results are never written there; choose a "
        "folder inside it",
    ),
    "scan.caution_temp": QT_TRANSLATE_NOOP(
        "Messages",
        "{folder} is the temporary folder, which holds other programs' files: is it really the dataset "
        "or project?",
    ),
    "scan.caution_home": QT_TRANSLATE_NOOP(
        "Messages",
        "{folder} is your home folder, not a dataset or a project: reading it lists every folder in it",
    ),
    "scan.caution_personal": QT_TRANSLATE_NOOP(
        "Messages",
        "{folder} is your {name} folder itself, not a dataset or a project inside it: is it really the "
        "one you meant?",
    ),
    "scan.caution_problems": QT_TRANSLATE_NOOP(
        "Messages",
        "{problems} problem(s) for {items} usable item(s): this folder does not look like a dataset or "
        "a project; see the problems below",
    ),
    "project.folder_missing": QT_TRANSLATE_NOOP(
        "Messages",
        "the project folder {folder} does not exist or is not a folder",
    ),
    "project.no_speakers_folder": QT_TRANSLATE_NOOP(
        "Messages",
        "{folder} has no speakers/ folder: put each speaker's reference audio and its transcript in "
        "speakers/<speaker>/ (for example speakers/anna/hello.wav with hello.lab)",
    ),
    "project.no_speaker_folders": QT_TRANSLATE_NOOP(
        "Messages",
        "{folder} holds no speaker folders: make one folder per speaker holding a reference recording and "
        "its transcript",
    ),
    "project.unreadable_folder": QT_TRANSLATE_NOOP("Messages", "cannot read the folder {folder}: {error}"),
    "project.stray_files": QT_TRANSLATE_NOOP(
        "Messages",
        "{count} file(s) lie directly in speakers/ and were ignored ({names}): put each speaker's files in "
        "speakers/<speaker>/",
    ),
    "project.names_and_more": QT_TRANSLATE_NOOP("Messages", "{names} and {count} more"),
    "project.speaker_left_out": QT_TRANSLATE_NOOP("Messages", "{error}; the speaker was left out"),
    "project.transcript_without_audio": QT_TRANSLATE_NOOP(
        "Messages",
        "a transcript without its audio ({stem} with {extensions})",
    ),
    "project.no_reference_audio": QT_TRANSLATE_NOOP(
        "Messages",
        "no reference audio ({extensions}): the speaker's lines cannot be generated",
    ),
    "project.no_usable_reference": QT_TRANSLATE_NOOP(
        "Messages",
        "no usable reference: the speaker's lines cannot be generated",
    ),
    "project.no_transcript": QT_TRANSLATE_NOOP(
        "Messages",
        "no transcript: add {stem}.lab (or .txt) with the words spoken in it",
    ),
    "project.empty_audio": QT_TRANSLATE_NOOP("Messages", "the audio is empty"),
    "project.unreadable_transcript": QT_TRANSLATE_NOOP("Messages", "unreadable transcript: {error}"),
    "project.empty_transcript": QT_TRANSLATE_NOOP(
        "Messages",
        "the transcript is empty: write the words spoken in the reference",
    ),
    "project.no_script": QT_TRANSLATE_NOOP(
        "Messages",
        "{folder} has no script: add script.csv, script.tsv or script.jsonl (columns id, speaker, text) or "
        "an .srt subtitle file whose cues start with the speaker's name",
    ),
    "project.several_scripts": QT_TRANSLATE_NOOP(
        "Messages",
        "{count} script files found; using {chosen} and ignoring {others}",
    ),
    "project.unreadable_script": QT_TRANSLATE_NOOP("Messages", "cannot read the script {path}: {error}"),
    "project.unreadable_table": QT_TRANSLATE_NOOP("Messages", "{name} is not a readable table: {error}"),
    "project.not_utf8": QT_TRANSLATE_NOOP(
        "Messages",
        "{name} is not UTF-8 text (byte {byte}): save it as UTF-8 (in Excel: 'CSV UTF-8')",
    ),
    "project.missing_columns": QT_TRANSLATE_NOOP(
        "Messages",
        "{name} needs a header row with the columns id, speaker, text (in any order); missing {missing}, "
        "found {found}",
    ),
    "project.nothing": QT_TRANSLATE_NOOP("Messages", "nothing"),
    "project.bad_json": QT_TRANSLATE_NOOP("Messages", "not a JSON object ({error}); the line was skipped"),
    "project.not_json_object": QT_TRANSLATE_NOOP(
        "Messages",
        "not a JSON object with id, speaker, text; the line was skipped",
    ),
    "project.not_a_cue": QT_TRANSLATE_NOOP(
        "Messages",
        "not a subtitle cue (a cue number, then 'start --> end', then text); skipped",
    ),
    "project.bad_cue_timing": QT_TRANSLATE_NOOP(
        "Messages",
        "the cue timing {timing} is not 'HH:MM:SS,mmm --> HH:MM:SS,mmm' with the end after the start; "
        "skipped",
    ),
    "project.script_empty": QT_TRANSLATE_NOOP("Messages", "the script holds no lines"),
    "project.id_skipped": QT_TRANSLATE_NOOP("Messages", "{problem}; the line was skipped"),
    "project.duplicate_id": QT_TRANSLATE_NOOP(
        "Messages",
        "duplicate id {id} (first at {first}); this line was skipped",
    ),
    "project.line_problem": QT_TRANSLATE_NOOP("Messages", "line {line}: {reason}"),
    "project.cue_no_speaker": QT_TRANSLATE_NOOP(
        "Messages",
        "the cue has no speaker: start its text with 'Name:' or '[Name]'",
    ),
    "project.no_speaker": QT_TRANSLATE_NOOP("Messages", "no speaker"),
    "project.unknown_speaker": QT_TRANSLATE_NOOP("Messages", "unknown speaker {speaker} (speakers: {known})"),
    "project.speaker_unusable": QT_TRANSLATE_NOOP(
        "Messages",
        "the speaker {speaker} has no usable reference",
    ),
    "project.empty_text": QT_TRANSLATE_NOOP("Messages", "empty text"),
    "project.no_id": QT_TRANSLATE_NOOP("Messages", "no id"),
    "project.id_not_a_name": QT_TRANSLATE_NOOP("Messages", "the id {id} cannot be a file name ({error})"),
    "project.id_refused_by_windows": QT_TRANSLATE_NOOP(
        "Messages",
        'the id {id} cannot be a file name on Windows (no <>:"|?*, no trailing dot, no CON...)',
    ),
    "project.id_like_a_take": QT_TRANSLATE_NOOP(
        "Messages",
        "the id {id} ends like a take file name (.take2): rename it",
    ),
    "project.reference_gone": QT_TRANSLATE_NOOP(
        "Messages",
        "line {line}: the chosen reference {reference} of {speaker} is gone; all of its references are used",
    ),
    "project.edits_unreadable": QT_TRANSLATE_NOOP("Messages", "{path} cannot be read: {error}"),
    "project.edits_damaged": QT_TRANSLATE_NOOP(
        "Messages",
        "{path} is damaged ({error}): fix or delete it (the line edits made in the review are then lost; "
        "the script is unchanged)",
    ),
    "project.edit_empty_text": QT_TRANSLATE_NOOP("Messages", "line {line}: the new text is empty"),
    "project.edit_not_a_reference": QT_TRANSLATE_NOOP(
        "Messages",
        "line {line}: {name} is not the file name of a reference recording",
    ),
    "project.edit_not_a_line_id": QT_TRANSLATE_NOOP("Messages", "not a line id: {line}"),
    "gpus.no_pynvml": QT_TRANSLATE_NOOP(
        "Messages",
        "The nvidia-ml-py package (pynvml) is not installed, so NVIDIA GPUs cannot be detected.",
    ),
    "gpus.no_driver": QT_TRANSLATE_NOOP(
        "Messages",
        "No usable NVIDIA driver found (NVML could not start: {error}).",
    ),
    "gpus.count_failed": QT_TRANSLATE_NOOP(
        "Messages",
        "NVML started but could not count the GPUs ({error}).",
    ),
    "gpus.gpu_unreadable": QT_TRANSLATE_NOOP(
        "Messages",
        "GPU {index} could not be read and was left out ({error}).",
    ),
    "plan.one_worker": QT_TRANSLATE_NOOP("Messages", "1 worker"),
    "plan.workers": QT_TRANSLATE_NOOP("Messages", "{count} workers"),
    "plan.gpu_line": QT_TRANSLATE_NOOP(
        "Messages",
        "GPU {index} {name} {total}: {usable} usable -> {workers}",
    ),
    "plan.gpu_line_needs": QT_TRANSLATE_NOOP(
        "Messages",
        "GPU {index} {name} {total}: {usable} usable -> {workers} (needs {memory} per worker)",
    ),
    "plan.gpu_line_per_gpu": QT_TRANSLATE_NOOP(
        "Messages",
        "GPU {index} {name} {total}: {usable} usable -> {workers} (at most {count} per GPU for this job)",
    ),
    "plan.no_nvidia_gpu": QT_TRANSLATE_NOOP("Messages", "No NVIDIA GPU found"),
    "plan.no_gpu_room": QT_TRANSLATE_NOOP("Messages", "No GPU has {memory} free for a worker"),
    "plan.cpu_fallback": QT_TRANSLATE_NOOP("Messages", "{reason}: running on CPU"),
    "plan.cpu_line": QT_TRANSLATE_NOOP("Messages", "CPU: {workers}"),
    "plan.cpu_line_chosen": QT_TRANSLATE_NOOP("Messages", "CPU: {workers} (device set to cpu)"),
    "plan.capped_by_setting": QT_TRANSLATE_NOOP("Messages", "capped at {workers} by the maximum setting"),
    "plan.capped_by_memory": QT_TRANSLATE_NOOP(
        "Messages", "capped at {workers}: {memory} of free memory holds no more"
    ),
    "plan.capped_by_work": QT_TRANSLATE_NOOP("Messages", "capped at {workers}: {items}"),
    "plan.no_work": QT_TRANSLATE_NOOP("Messages", "no work to do"),
    "plan.one_item": QT_TRANSLATE_NOOP("Messages", "only 1 item of work"),
    "plan.items": QT_TRANSLATE_NOOP("Messages", "only {count} items of work"),
    "plan.no_usable_gpu": QT_TRANSLATE_NOOP(
        "Messages",
        "The device is set to cuda, but no GPU can take a worker:\n{details}",
    ),
    "models.folder_not_found": QT_TRANSLATE_NOOP("Messages", "Model folder not found: {folder}"),
    "models.not_wespeaker": QT_TRANSLATE_NOOP(
        "Messages",
        "{folder} is not a WeSpeaker model folder: missing {missing} (it needs {needed})",
    ),
    "models.bad_yaml": QT_TRANSLATE_NOOP("Messages", "{path} is not valid YAML: {error}"),
    "models.no_model_name": QT_TRANSLATE_NOOP(
        "Messages",
        "{path} has no 'model' name and 'model_args' section",
    ),
    "models.bad_embed_dim": QT_TRANSLATE_NOOP(
        "Messages",
        "{path}: model_args.embed_dim must be a positive integer",
    ),
    "models.checkpoint_not_found": QT_TRANSLATE_NOOP("Messages", "Checkpoint folder not found: {folder}"),
    "models.not_fish": QT_TRANSLATE_NOOP(
        "Messages",
        "{folder} is not a fish-speech checkpoint folder: missing {missing} (it needs {needed} and the "
        "codec, codec.pth)",
    ),
    "models.not_whisper": QT_TRANSLATE_NOOP(
        "Messages",
        "{folder} is not a Whisper model folder: missing {missing} (it needs {needed})",
    ),
    "models.not_whisper_type": QT_TRANSLATE_NOOP(
        "Messages",
        "{path} describes a {kind} model, not Whisper (model_type 'whisper'): the take check's recogniser "
        "is a Whisper model",
    ),
    "models.bad_json": QT_TRANSLATE_NOOP("Messages", "{path} is not a valid JSON object: {error}"),
    "qa.voice_other": QT_TRANSLATE_NOOP("Messages", "voice {voice}, other speakers up to {other}{who}"),
    "qa.voice_floor": QT_TRANSLATE_NOOP(
        "Messages", "voice {voice}, expected {floor} or more (the nearest voice, {where}is {apart} away)"
    ),
    "qa.units_wrong": QT_TRANSLATE_NOOP("Messages", "{errors} of {units} {noun} wrong"),
    "qa.errors_in": QT_TRANSLATE_NOOP("Messages", "{errors} errors in {units} {noun}"),
    "qa.heard_none": QT_TRANSLATE_NOOP("Messages", "{errors} {noun} heard, the line has none"),
    "qa.silence": QT_TRANSLATE_NOOP("Messages", "{seconds} s of silence at {at} s"),
    "qa.clipped": QT_TRANSLATE_NOOP("Messages", "clipped ({count} {noun})"),
    "qa.duration": QT_TRANSLATE_NOOP("Messages", "{value} s per character, {speaker}'s takes average {mean}"),
    "qa.token_limit": QT_TRANSLATE_NOOP("Messages", "ran to the token limit"),
    "qa.noun.word": QT_TRANSLATE_NOOP("Messages", "word"),
    "qa.noun.words": QT_TRANSLATE_NOOP("Messages", "words"),
    "qa.noun.character": QT_TRANSLATE_NOOP("Messages", "character"),
    "qa.noun.characters": QT_TRANSLATE_NOOP("Messages", "characters"),
    "qa.noun.sample": QT_TRANSLATE_NOOP("Messages", "sample"),
    "qa.noun.samples": QT_TRANSLATE_NOOP("Messages", "samples"),
    "models.quantised_path": QT_TRANSLATE_NOOP(
        "Messages",
        "{folder}: fish-speech cannot load from a path containing 'int8' or 'int4'",
    ),
    "models.quantised_path_choose": QT_TRANSLATE_NOOP(
        "Messages",
        "{folder}: fish-speech cannot load from a path containing 'int8' or 'int4'; choose another",
    ),
    "models.unknown_folder": QT_TRANSLATE_NOOP(
        "Messages",
        "{folder} holds no model LocalClip knows: a WeSpeaker folder has {wespeaker}; a Fish-Speech "
        "folder has {fish}",
    ),
    "models.file_missing": QT_TRANSLATE_NOOP("Messages", "{name} is missing"),
    "models.file_size": QT_TRANSLATE_NOOP(
        "Messages",
        "{name} has {actual} bytes, expected {expected} (truncated or replaced)",
    ),
    "models.file_checksum": QT_TRANSLATE_NOOP(
        "Messages",
        "{name} is damaged: its {algorithm} checksum does not match",
    ),
    "catalog.wespeaker-resnet34.description": QT_TRANSLATE_NOOP(
        "Messages",
        "Speaker embeddings, 256 dimensions. Fast; the usual choice.",
    ),
    "catalog.wespeaker-resnet34.licence": QT_TRANSLATE_NOOP(
        "Messages",
        "CC BY 4.0 (the VoxCeleb licence, which WeSpeaker's pretrained models follow): free to use, "
        "also commercially, with attribution.",
    ),
    "catalog.wespeaker-resnet221.description": QT_TRANSLATE_NOOP(
        "Messages",
        "Speaker embeddings, 256 dimensions. More accurate, about 4.7 times the compute of ResNet34.",
    ),
    "catalog.wespeaker-resnet221.licence": QT_TRANSLATE_NOOP(
        "Messages",
        "CC BY 4.0 (the VoxCeleb licence, which WeSpeaker's pretrained models follow): free to use, "
        "also commercially, with attribution.",
    ),
    "catalog.wespeaker-campplus.description": QT_TRANSLATE_NOOP(
        "Messages",
        "Speaker embeddings, 512 dimensions. About a quarter of ResNet34's compute, but on a GPU it "
        "batches only clips of equal length, so mixed-length datasets run one clip per pass.",
    ),
    "catalog.wespeaker-campplus.licence": QT_TRANSLATE_NOOP(
        "Messages",
        "CC BY 4.0 (the VoxCeleb licence, which WeSpeaker's pretrained models follow): free to use, "
        "also commercially, with attribution.",
    ),
    "catalog.openaudio-s1-mini.description": QT_TRANSLATE_NOOP(
        "Messages",
        "Voice cloning (0.5 B parameters). Needs a Hugging Face access token.",
    ),
    "catalog.openaudio-s1-mini.licence": QT_TRANSLATE_NOOP(
        "Messages",
        "Fish Audio's licence on the model page (CC BY-NC-SA 4.0 when this was written: non-commercial "
        "use only). You accept it on the model page before downloading.",
    ),
}


def translate_message(text: object) -> str:
    """``text`` in the window's language when it is a core Message (its arguments too), else as it is."""
    if not isinstance(text, Message):
        return "" if text is None else str(text)
    args = {name: _argument(value) for name, value in text.args.items()}
    if text.key == JOINED:
        return str(args.get("separator", " ")).join(translate_message(part) for part in text.args["parts"])
    source = SOURCES.get(text.key)
    if source is None:  # a key this table does not know yet: the English, rather than nothing
        return str(text)
    # The texts are marked for lupdate by QT_TRANSLATE_NOOP in SOURCES; this only looks them up (under a
    # name of its own, so that the translations test does not take it for an unmarked string).
    look_up = QCoreApplication.translate
    try:
        return look_up(CONTEXT, source).format(**args)
    except (KeyError, IndexError, ValueError):  # a translation with a broken placeholder
        return source.format(**args)


def translate_error(error: BaseException) -> str:
    """An exception's message, translated when core raised it with a Message."""
    first = error.args[0] if len(error.args) == 1 else None
    return translate_message(first) if isinstance(first, Message) else str(error)


def _argument(value: Any) -> Any:
    if isinstance(value, Message):
        return translate_message(value)
    if isinstance(value, tuple | list):
        return tuple(translate_message(part) for part in value)
    return value
