"""``python -I -m localclip_worker``: the entry point the pool launches."""

from localclip_worker.main import main

raise SystemExit(main())
