"""Errors that reach the user as one clear sentence.

Anything raised as a :class:`FootformError` is printed by the CLI as its message alone (no
traceback) with a non-zero exit status.  Code below the CLI raises these for every failure a user
can cause or fix (bad input file, missing camera, unwritable output); programming errors stay
ordinary exceptions.
"""

from __future__ import annotations

import os


class FootformError(Exception):
    """A failure to report to the user as one sentence; ``exit_code`` is the process status."""

    exit_code: int = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class InputError(FootformError):
    """The input (video, camera, track, image folder) is missing, unreadable or unusable."""

    exit_code = 2


class OutputError(FootformError):
    """An output (folder, track file, database) cannot be written."""

    exit_code = 3


class ModelError(FootformError):
    """The pose model file is missing or cannot be loaded."""

    exit_code = 4


class AnalysisError(FootformError):
    """The footage was read but cannot be analysed (no person, feet never visible …)."""

    exit_code = 5


def os_reason(e: OSError, path: str | os.PathLike[str] | None = None) -> str:
    """Why an operating-system call on ``path`` failed, in words a user can act on.

    ``mkdir(parents=True)`` through a path whose parent is a file fails with "File exists" or "Not a
    directory"; this names the file in the way instead (``/etc/passwd is a file, not a folder``).
    """
    import errno
    from pathlib import Path

    if path is not None and e.errno in (errno.EEXIST, errno.ENOTDIR):
        p = Path(path)
        for q in (p, *p.parents):
            if q.exists() and not q.is_dir():
                return f"{q} is a file, not a folder"
    return e.strerror or str(e)


class EngineError(FootformError):
    """The batch engine cannot run: Ray is not installed, cannot start or cannot be reached, or none
    of its workers could start (``analyze --engine ray``)."""

    exit_code = 6
