"""Voice cloning with fish-speech 0.1.0 (OpenAudio S1: a dual-AR language model and a modded DAC codec).

- :mod:`.models`: the language model, its tokenizer and the codec, loaded strictly (``load_models``);
- :mod:`.references`: reference audio to codec codes, cached in memory and on disk by content hash;
- :mod:`.text`: long lines split into sentence-sized chunks (fish-speech 0.1.0 never splits text);
- :mod:`.generate`: one line, chunk by chunk, decoded in batches and written as a WAV file atomically.

Only fish-speech's model classes and its generation functions are imported (:mod:`.fish`); its
``dac.inference`` module (which fails when the package is installed), its server, WebUI and training code
are not. The ``clone`` job (:mod:`localclip_worker.jobs.clone`) puts these together.
"""
