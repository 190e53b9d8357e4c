"""Range-checked command-line values, and the parser that reports a bad one in one sentence.

Every numeric option of every ``footform`` subcommand is parsed by one of the ``type=`` functions
below, so a value out of range stops the command before any work starts (before the pose model
loads, before the session store is opened or a session created) with one line on stderr naming the
option and the allowed range, and exit status 2::

    footform analyze: --height-cm must be a height in cm from 50 to 250, not -5.

:class:`Parser` replaces argparse's usage dump + ``error:`` line with that one sentence (followed by
where to find help) for every argument error, so all of them read the same.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from typing import NoReturn

from footform.core.kinematics import HEIGHT_CM_RANGE

#: Target reps per set (calf raises: 10–15 in the protocol, ankle pumps 20).
REPS_RANGE = (1, 200)
#: Target hold / rest in seconds (single-leg stance 30–60 s in the protocol).
HOLD_S_RANGE = (1.0, 3600.0)
REST_S_RANGE = (0.0, 3600.0)
#: Metronome tempo in beats per minute (one beat up, one down; 60 is the heel-rise test's tempo).
METRONOME_BPM_RANGE = (10.0, 240.0)
#: Sets of a live session.
SETS_RANGE = (1, 20)
#: People the pose model looks for (each one more makes the model slower).
PEOPLE_RANGE = (1, 10)
#: Frame rate of an image folder (frames per second).
FPS_RANGE = (1.0, 1000.0)
#: Processes: pose workers for one video, files analysed at once.
PROCESSES_RANGE = (1, 64)


def _g(v: float) -> str:
    return f"{v:g}"


def _shown(text: str) -> str:
    """The value as typed, quoted only when it would not be visible otherwise."""
    return text if text.strip() and " " not in text else repr(text)


def integer(what: str, lo: int, hi: int) -> Callable[[str], int]:
    """An argparse ``type=``: a whole number from ``lo`` to ``hi`` (``what`` says what it counts)."""

    def parse(text: str) -> int:
        try:
            v = int(text.strip())
        except ValueError:
            v = None
        if v is None or not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"must be a whole number of {what} from {lo} to {hi}, not {_shown(text)}")
        return v

    parse.__name__ = f"{what} ({lo}–{hi})"
    return parse


def number(what: str, lo: float, hi: float, unit: str = "") -> Callable[[str], float]:
    """An argparse ``type=``: a finite number from ``lo`` to ``hi`` (inclusive) in ``unit``."""
    span = f"from {_g(lo)} to {_g(hi)}" + (f" {unit}" if unit else "")

    def parse(text: str) -> float:
        try:
            v = float(text.strip())
        except ValueError:
            v = math.nan
        if not (math.isfinite(v) and lo <= v <= hi):
            raise argparse.ArgumentTypeError(f"must be {what} {span}, not {_shown(text)}")
        return v

    parse.__name__ = f"{what} ({span})"
    return parse


height_cm = number("a height in cm", *HEIGHT_CM_RANGE)
reps = integer("reps", *REPS_RANGE)
hold_s = number("a time in seconds", *HOLD_S_RANGE)
rest_s = number("a time in seconds", *REST_S_RANGE)
metronome_bpm = number("a tempo in beats per minute", *METRONOME_BPM_RANGE)
sets = integer("sets", *SETS_RANGE)
people = integer("people", *PEOPLE_RANGE)
fps = number("a frame rate in frames per second", *FPS_RANGE)
processes = integer("processes", *PROCESSES_RANGE)
seconds = number("a time in seconds", 0.1, 24 * 3600.0)

_AGE_BAND = re.compile(r"^\s*(\d{1,3})\s*(?:-|–|to)\s*(\d{1,3})\s*$|^\s*(\d{1,3})\s*\+?\s*$")


def age_band(text: str) -> str:
    """An argparse ``type=``: an age band such as ``40-49`` (or one age, ``72``), ages 0 to 120."""
    m = _AGE_BAND.match(text)
    nums = [int(n) for n in (m.groups() if m else ()) if n is not None]
    if not nums or any(n > 120 for n in nums) or (len(nums) == 2 and nums[0] > nums[1]):
        raise argparse.ArgumentTypeError(f"must be an age band such as 40-49 (ages 0 to 120), not {_shown(text)}")
    return text.strip()


#: Camera indices OpenCV is asked for (``--camera``); a name that is not a number is a video file.
CAMERA_RANGE = (0, 63)


def camera(text: str) -> str:
    """An argparse ``type=``: a camera index from 0 to 63, or a video file played as a stand-in camera."""
    if re.fullmatch(r"\s*[+-]?\d+\s*", text) and not CAMERA_RANGE[0] <= int(text) <= CAMERA_RANGE[1]:
        raise argparse.ArgumentTypeError(
            f"must be a camera index from {CAMERA_RANGE[0]} to {CAMERA_RANGE[1]} or a video file, not {_shown(text)}")
    return str(int(text)) if re.fullmatch(r"\s*\+?\d+\s*", text) else text


_SESSION = re.compile(r"^(?:[1-9]\d*|last|latest|[0-9a-fA-F]{4,}(?:-[0-9a-fA-F-]*)?)$")


def session_ref(text: str) -> str:
    """An argparse ``type=``: a session id (1 or more), ``last``, or the start of a session uuid (4+ hex digits)."""
    if not _SESSION.match(text.strip()):
        raise argparse.ArgumentTypeError(
            f"must be a session id (1 or more), 'last', or the first 4 or more characters of a session uuid "
            f"as listed by 'footform sessions', not {_shown(text)}")
    return text.strip()


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one sentence on stderr (no usage dump), exit status 2."""

    def error(self, message: str) -> NoReturn:
        m = re.match(r"argument ([^:]+): (.*)$", message, re.S)
        if m:  # "argument --height-cm: must be …" → "--height-cm must be …"
            name = m.group(1).split("/")[0]
            message = f"{name} {m.group(2)}" if m.group(2).startswith("must ") else f"{name}: {m.group(2)}"
        message = message.rstrip(".")
        self.exit(2, f"{self.prog}: {message} (see '{self.prog} --help').\n")

