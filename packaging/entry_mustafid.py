"""Frozen entry point of `mustafid` (the desk's window): the same `desktop.__main__.main` as the venv's script."""

from desktop.__main__ import main

raise SystemExit(main())
