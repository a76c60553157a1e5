"""Take QA (docs/qa.md): how well each cloned take matches its speaker and its line, and its audio faults.

text.py (the line and the transcript normalised, error rates), audio.py (silence inside a take, clipping,
read from its WAV), scores.py (a take's stored scores, from the worker's `qa` result), flags.py (reasons
to listen, from the stored scores and the thresholds in the settings). Plain Python: no Qt, no torch; the
models run in the worker.
"""
