"""Which form cues are on the live screen, and for how long: every flag that fired is seen.

The analysis may raise several flags on one frame — both heels sickling on the same rep fire at
the rep's end, together; a fault and a slow lowering likewise.  The live banner used to keep only
the last of them, so the person never saw the others although the session stored them.  The
:class:`CueBoard` keeps them all:

* cues that fire together are shown **together**, one line each in the one banner (up to
  :data:`MAX_SHOWN` at a time): they judge the same rep, so they belong on screen while the person
  still remembers it — queued one after the other, the second would appear during the next rep
  and read as feedback on that one;
* each cue stays at least :data:`FLAG_SHOW_S` seconds from when it was put on screen; firing again
  while shown restarts its time;
* more than :data:`MAX_SHOWN` at once (rare: the rules of one exercise rarely fire three at once)
  wait in order of firing and take the next free line, each for its full time — so none is lost;
* a cue already waiting or shown is not added twice (the board holds at most one entry per
  message, so it cannot grow without bound however often a rule fires).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: How long a fired flag stays on screen at least (seconds, source clock): long enough to read a
#: ~70-character cue twice at 2-3 m, short enough to be gone before the rep after next.
FLAG_SHOW_S = 4.0
#: Cues on screen at once: two ~70-character cues fit the banner in four lines at ≥ 24 px letters
#: (readable at 3 m, apps/live/overlay.py); tests/test_live_screen.py checks the longest rule messages.
MAX_SHOWN = 2


@dataclass
class Cue:
    """One form cue: its text, ``"warn"`` or ``"stop"``, when it fired and when it went on screen (s)."""

    text: str
    kind: str
    t_fired: float
    t_shown: float | None = None


def cue_of(flag: Any) -> tuple[str, str]:
    """(text, kind) of a fired :class:`~footform.feedback.engine.Flag`: its message (else its label),
    ``"stop"`` for a stop flag and ``"warn"`` otherwise."""
    kind = "stop" if getattr(flag, "severity", "warn") == "stop" else "warn"
    return str(getattr(flag, "message", "") or getattr(flag, "label", "")), kind


class CueBoard:
    """The form cues on screen now and the ones waiting for a free line (see the module's docstring)."""

    def __init__(self, show_s: float = FLAG_SHOW_S, max_shown: int = MAX_SHOWN) -> None:
        self.show_s = show_s
        self.max_shown = max(1, max_shown)
        self.shown: list[Cue] = []
        self.waiting: list[Cue] = []

    def add(self, text: str, kind: str, t: float) -> None:
        """A cue fired at ``t`` (seconds)."""
        if not text:
            return
        for c in self.shown:
            if c.text == text:          # fired again while on screen: its time starts anew
                c.t_shown, c.t_fired = t, t
                c.kind = "stop" if "stop" in (c.kind, kind) else c.kind
                return
        for c in self.waiting:
            if c.text == text:
                c.kind = "stop" if "stop" in (c.kind, kind) else c.kind
                return
        self.waiting.append(Cue(text, kind, t))

    def add_flags(self, flags: list[Any], t: float) -> None:
        """Every flag the analysis raised on the frame at ``t``."""
        for fl in flags:
            self.add(*cue_of(fl), t)

    def now(self, t: float) -> list[Cue]:
        """The cues on screen at ``t``, in the order they fired (expired ones leave, waiting ones move up)."""
        self.shown = [c for c in self.shown if c.t_shown is not None and t - c.t_shown <= self.show_s]
        while self.waiting and len(self.shown) < self.max_shown:
            c = self.waiting.pop(0)
            c.t_shown = t
            self.shown.append(c)
        return list(self.shown)
