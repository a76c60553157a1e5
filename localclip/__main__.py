"""``python -m localclip``: the same as the ``localclip`` command."""

from localclip.cli import main

raise SystemExit(main())
