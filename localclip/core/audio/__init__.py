"""Audio for people: waveform peaks to draw (peaks.py), loudness to show and normalise to (loudness.py),
and the sample rates and formats of a delivery (convert.py)."""
