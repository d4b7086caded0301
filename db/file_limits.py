"""The file-size signal, apart from `db.engine` so a program can ignore it before loading any database code.

The desk calls it before its first window, which is drawn before the database drivers are imported.
"""

from __future__ import annotations

import signal
import threading


def ignore_file_size_signal() -> None:
    """Let a write past the file-size limit (``ulimit -f``) fail as an error instead of killing the process.

    On POSIX the kernel sends SIGXFSZ, whose default action ends the process mid-transaction; ignored, the
    write returns EFBIG, SQLite reports "database or disk is full" and the unit of work rolls back.
    Called from the main thread of a program (the desk, `mustafid-admin`); elsewhere it does nothing.
    """
    sigxfsz = getattr(signal, "SIGXFSZ", None)
    if sigxfsz is None or threading.current_thread() is not threading.main_thread():
        return
    signal.signal(sigxfsz, signal.SIG_IGN)
