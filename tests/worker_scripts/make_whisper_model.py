"""Write a tiny Whisper folder with random weights (run with the worker environment's python).

    make_whisper_model.py OUT_DIR [--seed 0]

The folder is the product's own demo builder (localclip_worker.demo_models, ``--kind recogniser``): a real
``WhisperForConditionalGeneration`` of tiny size saved with ``save_pretrained``, and a byte-level BPE
tokenizer and feature extractor that ``WhisperProcessor.from_pretrained(folder)`` loads offline.
"""

import argparse
from pathlib import Path

from localclip_worker.demo_models import build_whisper

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    build_whisper(args.out_dir, args.seed)
