"""Frozen entry point of `mustafid-admin` (the administrator's console command): `desktop.cli.main`."""

from desktop.cli import main

raise SystemExit(main())
