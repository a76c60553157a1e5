"""The LocalClip worker program: model work in a separate interpreter, driven over stdin/stdout.

It imports nothing from the app (only the standard library, numpy, soundfile, torch and the model packages),
so it also runs inside an environment the user already has once this package is installed there.
"""

__version__ = "0.1.0"
