"""Messages that core makes for people: an English sentence that also carries a key and its arguments, so
the window can say it in the user's language (localclip/gui/messages.py translates every key) while the
command line and the logs print the English as before.

A `Message` *is* a ``str`` (the English text): every reader that joins, compares, prints or writes it to
JSON keeps working, and the window looks for ``key`` and ``args`` to translate it. Arguments that are
themselves Messages are translated too; numbers and sizes arrive already written ("12.3 GB").

Every key and its English text are declared once, in `TEXTS`; placeholders are ``str.format`` fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

JOINED = "joined"  # several messages shown as one (args: parts, separator)

TEXTS: dict[str, str] = {
    JOINED: "{parts}",
    # the folder scan (core/intake.py, core/embedding/datasets.py)
    "scan.folder_missing": "the folder {folder} does not exist",
    "scan.not_a_folder": "{folder} is a file, not a folder: drop the folder that holds the speaker folders",
    "scan.unreadable_root": "cannot read the folder {folder}: {error}",
    "scan.empty_folder": "the folder {folder} is empty",
    "scan.unreadable_folder": "cannot read the folder {folder}: {error}; its clips were left out",
    "scan.empty_dataset_folder": "empty dataset folder {folder}: no speaker folders",
    "scan.nested_folder": (
        "folder {folder} is nested deeper than the layout allows; its contents were left out"
    ),
    "scan.empty_speaker_folder": "empty speaker folder {folder}: no audio files",
    "scan.link_not_followed": "skipped the link {folder}: links are not followed",
    "scan.ignored_files": "ignored {count} non-audio file(s) {extension}: {examples}",
    "scan.no_extension": "(no extension)",
    "scan.audio_in_root": (
        "{count} audio file(s) lie directly in {folder}: {examples}. A dataset folder holds one folder per "
        "speaker; if this is one speaker's folder, drop the folder above it instead."
    ),
    "scan.mixed_layout": (
        "{folder} mixes the two layouts: {speaker_count} folder(s) hold audio files directly (speaker "
        "folders): {speakers}; {dataset_count} folder(s) hold folders of audio files (dataset folders): "
        "{datasets}. Use <root>/<speaker>/<clip> or <root>/<dataset>/<speaker>/<clip> throughout."
    ),
    "scan.no_audio": (
        "no audio files ({extensions}) found in {folder} as <root>/<speaker>/<clip> or "
        "<root>/<dataset>/<speaker>/<clip>"
    ),
    "scan.no_audio_problems": "{message}; {count} problem(s), first: {first}",
    "scan.unreadable_audio": "unreadable audio: {error}",
    # folders that are not what they claim (core/intake.py)
    "scan.refused_root": (
        "{folder} is the root of a drive or file system, not a dataset or a project: drop the folder that "
        "holds the speaker folders (results are never written at the top of a drive)"
    ),
    "scan.results_in_root": (
        "{folder} is the root of a drive or file system: results are never written there; choose a folder "
        "inside it"
    ),
    "scan.caution_temp": (
        "{folder} is the temporary folder, which holds other programs' files: is it really the dataset or "
        "project?"
    ),
    "scan.caution_home": (
        "{folder} is your home folder, not a dataset or a project: reading it lists every folder in it"
    ),
    "scan.caution_personal": (
        "{folder} is your {name} folder itself, not a dataset or a project inside it: is it really the "
        "one you meant?"
    ),
    "scan.caution_problems": (
        "{problems} problem(s) for {items} usable item(s): this folder does not look like a dataset or a "
        "project; see the problems below"
    ),
    # cloning projects (core/cloning/project.py, core/cloning/edits.py)
    "project.folder_missing": "the project folder {folder} does not exist or is not a folder",
    "project.no_speakers_folder": (
        "{folder} has no speakers/ folder: put each speaker's reference audio and its transcript in "
        "speakers/<speaker>/ (for example speakers/anna/hello.wav with hello.lab)"
    ),
    "project.no_speaker_folders": (
        "{folder} holds no speaker folders: make one folder per speaker holding a reference recording and "
        "its transcript"
    ),
    "project.unreadable_folder": "cannot read the folder {folder}: {error}",
    "project.stray_files": (
        "{count} file(s) lie directly in speakers/ and were ignored ({names}): put each speaker's files in "
        "speakers/<speaker>/"
    ),
    "project.names_and_more": "{names} and {count} more",
    "project.speaker_left_out": "{error}; the speaker was left out",
    "project.transcript_without_audio": "a transcript without its audio ({stem} with {extensions})",
    "project.no_reference_audio": (
        "no reference audio ({extensions}): the speaker's lines cannot be generated"
    ),
    "project.no_usable_reference": "no usable reference: the speaker's lines cannot be generated",
    "project.no_transcript": "no transcript: add {stem}.lab (or .txt) with the words spoken in it",
    "project.empty_audio": "the audio is empty",
    "project.unreadable_transcript": "unreadable transcript: {error}",
    "project.empty_transcript": "the transcript is empty: write the words spoken in the reference",
    "project.no_script": (
        "{folder} has no script: add script.csv, script.tsv or script.jsonl (columns id, speaker, text) or "
        "an .srt subtitle file whose cues start with the speaker's name"
    ),
    "project.several_scripts": "{count} script files found; using {chosen} and ignoring {others}",
    "project.unreadable_script": "cannot read the script {path}: {error}",
    "project.unreadable_table": "{name} is not a readable table: {error}",
    "project.not_utf8": "{name} is not UTF-8 text (byte {byte}): save it as UTF-8 (in Excel: 'CSV UTF-8')",
    "project.missing_columns": (
        "{name} needs a header row with the columns id, speaker, text (in any order); missing {missing}, "
        "found {found}"
    ),
    "project.nothing": "nothing",
    "project.bad_json": "not a JSON object ({error}); the line was skipped",
    "project.not_json_object": "not a JSON object with id, speaker, text; the line was skipped",
    "project.not_a_cue": "not a subtitle cue (a cue number, then 'start --> end', then text); skipped",
    "project.bad_cue_timing": (
        "the cue timing {timing} is not 'HH:MM:SS,mmm --> HH:MM:SS,mmm' with the end after the start; skipped"
    ),
    "project.script_empty": "the script holds no lines",
    "project.id_skipped": "{problem}; the line was skipped",
    "project.duplicate_id": "duplicate id {id} (first at {first}); this line was skipped",
    "project.line_problem": "line {line}: {reason}",
    "project.cue_no_speaker": "the cue has no speaker: start its text with 'Name:' or '[Name]'",
    "project.no_speaker": "no speaker",
    "project.unknown_speaker": "unknown speaker {speaker} (speakers: {known})",
    "project.speaker_unusable": "the speaker {speaker} has no usable reference",
    "project.empty_text": "empty text",
    "project.no_id": "no id",
    "project.id_not_a_name": "the id {id} cannot be a file name ({error})",
    "project.id_refused_by_windows": (
        'the id {id} cannot be a file name on Windows (no <>:"|?*, no trailing dot, no CON...)'
    ),
    "project.id_like_a_take": "the id {id} ends like a take file name (.take2): rename it",
    "project.reference_gone": (
        "line {line}: the chosen reference {reference} of {speaker} is gone; all of its references are used"
    ),
    "project.edits_unreadable": "{path} cannot be read: {error}",
    "project.edits_damaged": (
        "{path} is damaged ({error}): fix or delete it (the line edits made in the review are then lost; "
        "the script is unchanged)"
    ),
    "project.edit_empty_text": "line {line}: the new text is empty",
    "project.edit_not_a_reference": "line {line}: {name} is not the file name of a reference recording",
    "project.edit_not_a_line_id": "not a line id: {line}",
    # NVML (core/machine/gpus.py)
    "gpus.no_pynvml": (
        "The nvidia-ml-py package (pynvml) is not installed, so NVIDIA GPUs cannot be detected."
    ),
    "gpus.no_driver": "No usable NVIDIA driver found (NVML could not start: {error}).",
    "gpus.count_failed": "NVML started but could not count the GPUs ({error}).",
    "gpus.gpu_unreadable": "GPU {index} could not be read and was left out ({error}).",
    # the worker plan (core/machine/plan.py)
    "plan.one_worker": "1 worker",
    "plan.workers": "{count} workers",
    "plan.gpu_line": "GPU {index} {name} {total}: {usable} usable -> {workers}",
    "plan.gpu_line_needs": (
        "GPU {index} {name} {total}: {usable} usable -> {workers} (needs {memory} per worker)"
    ),
    "plan.gpu_line_per_gpu": (
        "GPU {index} {name} {total}: {usable} usable -> {workers} (at most {count} per GPU for this job)"
    ),
    "plan.no_nvidia_gpu": "No NVIDIA GPU found",
    "plan.no_gpu_room": "No GPU has {memory} free for a worker",
    "plan.cpu_fallback": "{reason}: running on CPU",
    "plan.cpu_line": "CPU: {workers}",
    "plan.cpu_line_chosen": "CPU: {workers} (device set to cpu)",
    "plan.capped_by_setting": "capped at {workers} by the maximum setting",
    "plan.capped_by_memory": "capped at {workers}: {memory} of free memory holds no more",
    "plan.capped_by_work": "capped at {workers}: {items}",
    "plan.no_work": "no work to do",
    "plan.one_item": "only 1 item of work",
    "plan.items": "only {count} items of work",
    "plan.no_usable_gpu": "The device is set to cuda, but no GPU can take a worker:\n{details}",
    # model checks (core/models/folders.py, core/models/catalog.py)
    "models.folder_not_found": "Model folder not found: {folder}",
    "models.not_wespeaker": "{folder} is not a WeSpeaker model folder: missing {missing} (it needs {needed})",
    "models.bad_yaml": "{path} is not valid YAML: {error}",
    "models.no_model_name": "{path} has no 'model' name and 'model_args' section",
    "models.bad_embed_dim": "{path}: model_args.embed_dim must be a positive integer",
    "models.checkpoint_not_found": "Checkpoint folder not found: {folder}",
    "models.not_fish": (
        "{folder} is not a fish-speech checkpoint folder: missing {missing} (it needs {needed} and the "
        "codec, codec.pth)"
    ),
    "models.quantised_path": "{folder}: fish-speech cannot load from a path containing 'int8' or 'int4'",
    "models.quantised_path_choose": (
        "{folder}: fish-speech cannot load from a path containing 'int8' or 'int4'; choose another"
    ),
    "models.unknown_folder": (
        "{folder} holds no model LocalClip knows: a WeSpeaker folder has {wespeaker}; a Fish-Speech folder "
        "has {fish}"
    ),
    "models.not_whisper": "{folder} is not a Whisper model folder: missing {missing} (it needs {needed})",
    "models.not_whisper_type": (
        "{path} describes a {kind} model, not Whisper (model_type 'whisper'): the take check's recogniser "
        "is a Whisper model"
    ),
    "models.bad_json": "{path} is not a valid JSON object: {error}",
    "models.file_missing": "{name} is missing",
    # why a take is flagged (core/qa/flags.py); numbers arrive written
    "qa.voice_other": "voice {voice}, other speakers up to {other}{who}",
    "qa.voice_floor": "voice {voice}, expected {floor} or more (the nearest voice, {where}is {apart} away)",
    "qa.units_wrong": "{errors} of {units} {noun} wrong",
    "qa.errors_in": "{errors} errors in {units} {noun}",
    "qa.heard_none": "{errors} {noun} heard, the line has none",
    "qa.silence": "{seconds} s of silence at {at} s",
    "qa.clipped": "clipped ({count} {noun})",
    "qa.duration": "{value} s per character, {speaker}'s takes average {mean}",
    "qa.token_limit": "ran to the token limit",
    "qa.noun.word": "word",
    "qa.noun.words": "words",
    "qa.noun.character": "character",
    "qa.noun.characters": "characters",
    "qa.noun.sample": "sample",
    "qa.noun.samples": "samples",
    "models.file_size": "{name} has {actual} bytes, expected {expected} (truncated or replaced)",
    "models.file_checksum": "{name} is damaged: its {algorithm} checksum does not match",
    # the catalog's models (core/models/catalog.py): what each is for and its licence
    "catalog.wespeaker-resnet34.description": "Speaker embeddings, 256 dimensions. Fast; the usual choice.",
    "catalog.wespeaker-resnet34.licence": (
        "CC BY 4.0 (the VoxCeleb licence, which WeSpeaker's pretrained models follow): free to use, also "
        "commercially, with attribution."
    ),
    "catalog.wespeaker-resnet221.description": (
        "Speaker embeddings, 256 dimensions. More accurate, about 4.7 times the compute of ResNet34."
    ),
    "catalog.wespeaker-resnet221.licence": (
        "CC BY 4.0 (the VoxCeleb licence, which WeSpeaker's pretrained models follow): free to use, also "
        "commercially, with attribution."
    ),
    "catalog.wespeaker-campplus.description": (
        "Speaker embeddings, 512 dimensions. About a quarter of ResNet34's compute, but on a GPU it batches "
        "only clips of equal length, so mixed-length datasets run one clip per pass."
    ),
    "catalog.wespeaker-campplus.licence": (
        "CC BY 4.0 (the VoxCeleb licence, which WeSpeaker's pretrained models follow): free to use, also "
        "commercially, with attribution."
    ),
    "catalog.openaudio-s1-mini.description": (
        "Voice cloning (0.5 B parameters). Needs a Hugging Face access token."
    ),
    "catalog.openaudio-s1-mini.licence": (
        "Fish Audio's licence on the model page (CC BY-NC-SA 4.0 when this was written: non-commercial "
        "use only). You accept it on the model page before downloading."
    ),
}


class Message(str):
    """An English sentence (the ``str`` itself) with the ``key`` and ``args`` it was made from."""

    key: str
    args: Mapping[str, Any]

    def __new__(cls, key: str, /, **args: Any) -> Message:
        self = super().__new__(cls, english(key, args))
        self.key = key
        self.args = MappingProxyType(dict(args))
        return self

    def __reduce__(self) -> tuple[Any, tuple[str, dict[str, Any]]]:
        # copy.copy / deepcopy make a Message again from its key and args (str's own would pass the text).
        return _remake, (self.key, dict(self.args))

    def __repr__(self) -> str:
        return f"Message({self.key!r}, {str(self)!r})"


def _remake(key: str, args: dict[str, Any]) -> Message:
    return Message(key, **args)


def english(key: str, args: Mapping[str, Any]) -> str:
    """The English text of ``key`` with ``args`` (KeyError for a key not in `TEXTS`)."""
    if key == JOINED:
        return str(args.get("separator", " ")).join(str(part) for part in args["parts"])
    return TEXTS[key].format(**args)


def joined(parts: Iterable[str], separator: str = " ") -> str:
    """Several messages as one: the only one when there is one, else a `JOINED` message ("" for none)."""
    parts = tuple(parts)
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return ""
    return Message(JOINED, parts=parts, separator=separator)
