"""Take QA in the worker: how much a take sounds like its speaker (:mod:`.voice`, LocalClip's own WeSpeaker
path) and what it says (:mod:`.recogniser`, Whisper through transformers). The ``qa`` job
(:mod:`localclip_worker.jobs.qa`) runs both; the scores are turned into flags by the app (docs/qa.md)."""
