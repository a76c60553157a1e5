"""Speaker embeddings with WeSpeaker ResNet models: strict model loading (:mod:`.models`), WeSpeaker's fbank
front end (:mod:`.features`) and batched extraction equal to one-at-a-time extraction (:mod:`.batching`).

Submodules import torch; this package itself imports nothing heavy, so importing it is cheap.
"""
