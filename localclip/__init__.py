"""LocalClip: speaker embeddings and voice cloning on the machine's own GPUs, for video editors.

Layers (enforced by import-linter, see pyproject.toml):
  localclip.core      plain Python: GPU probe, worker plans, paths (no Qt, no torch)
  localclip.pool      worker processes through QProcess (Qt Core only)
  localclip.settings  persisted user settings (QSettings)
  localclip.gui       widgets
  localclip.cli       the `localclip` command
The worker program (worker_env/localclip_worker) runs in a separate interpreter and shares only the protocol.
"""

__version__ = "0.1.0"
