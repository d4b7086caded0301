"""The one composition root: `python -m desktop` / `mustafid` starts the GUI (the only Qt import in desktop/)."""

from __future__ import annotations

import gc
import sys


def main(argv: list[str] | None = None) -> int:
    """Start the Arabic desktop application and return its exit code.

    The cyclic garbage collector is paused while the start-up imports build their tens of thousands of
    long-lived objects (each collection would walk them all, for nothing); `ui.app` freezes them and turns it
    back on once the desk is usable.
    """
    gc.disable()
    from ui.app import run

    return run(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    raise SystemExit(main())
