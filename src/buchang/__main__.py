"""``python -m buchang`` runs the command line."""

from buchang.cli.main import main

raise SystemExit(main())
