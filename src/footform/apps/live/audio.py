"""Spoken cues for live coaching: one short phrase at a time, on a background thread, never blocking.

:class:`AudioCues` takes cues from the frame loop (:meth:`AudioCues.say`, which returns at once)
and speaks them on its own thread with the first speech engine it finds, offline:

* macOS — the ``say`` command (NSSpeechSynthesizer voices, always installed);
* Linux — ``espeak-ng`` (or ``espeak``, or speech-dispatcher's ``spd-say``);
* Windows — SAPI5 through ``pyttsx3``;
* anywhere else ``pyttsx3`` imports — its own driver.

No engine → one notice and silence; a failing engine → one notice and silence; never an exception
into the frame loop.  Nothing goes over the network.

Chatter control — the person must never hear a queue of stale messages:

* at most **one** cue is pending: a new cue replaces a pending one of lower or equal priority
  and is dropped if the pending one is more important;
* a cue arriving while another is being spoken waits for it (it is not cut off), unless it is
  older than ``max_age_s`` by then, in which case it is dropped;
* each *kind* of cue (``"flag"``, ``"rep"`` …) has a cooldown, and an identical text is not
  repeated within ``repeat_s``;
* priorities: ``PRIORITY["beat"]`` (metronome) > set/hold events and pain/cramp confirmations > flags and
  guidance > rep numbers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

#: Higher speaks first; a pending cue is only replaced by one of at least its priority.
PRIORITY = {"rep": 1, "flag": 2, "info": 2, "hold": 3, "set": 3, "mark": 3, "beat": 4}
#: Minimum seconds between two cues of one kind (0: no limit beyond one-at-a-time).
COOLDOWN_S = {"rep": 0.0, "flag": 6.0, "info": 2.0, "hold": 0.0, "set": 0.0, "mark": 0.0, "beat": 0.0}
#: A cue still waiting after this long is stale and dropped (seconds); beats go stale fastest.
MAX_AGE_S = {"beat": 0.3, "rep": 1.5}
DEFAULT_MAX_AGE_S = 3.0
#: The same text is not spoken twice within this many seconds (flags, guidance).
REPEAT_S = 10.0


@dataclass
class Cue:
    text: str
    kind: str
    priority: int
    t_mono: float


class Engine:
    """A speech engine: :meth:`speak` blocks until the phrase is spoken (called on the cue thread)."""

    name = "none"

    def speak(self, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass


class CommandEngine(Engine):
    """Speak by running a command per phrase (``say``, ``espeak-ng`` …); output discarded."""

    def __init__(self, name: str, argv: list[str]) -> None:
        self.name = name
        self._argv = argv
        self._proc: subprocess.Popen | None = None

    def speak(self, text: str) -> None:
        kwargs: dict = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        if sys.platform == "win32":  # pragma: no cover - no console window per phrase
            kwargs["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0)
        self._proc = subprocess.Popen([*self._argv, text], **kwargs)
        try:
            self._proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._proc.kill()
        finally:
            self._proc = None

    def close(self) -> None:
        p = self._proc
        if p is not None and p.poll() is None:
            p.kill()


class Pyttsx3Engine(Engine):
    """pyttsx3 (SAPI5 on Windows, NSSpeechSynthesizer on macOS, espeak on Linux).

    Created on the cue thread and used only there (SAPI's COM objects belong to their thread).
    """

    def __init__(self, rate_wpm: int = 170) -> None:
        import pyttsx3  # optional dependency (declared for Windows)

        self.name = "pyttsx3"
        self._engine = pyttsx3.init()
        self._engine.setProperty("rate", rate_wpm)

    def speak(self, text: str) -> None:
        self._engine.say(text)
        self._engine.runAndWait()

    def close(self) -> None:
        try:
            self._engine.stop()
        except Exception:  # pragma: no cover - best effort
            pass


class LogEngine(Engine):
    """Writes ``<seconds since start>\\t<kind>\\t<text>`` lines to a file instead of speaking (tests)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.name = f"log:{path}"
        self._f = open(path, "a", encoding="utf-8", buffering=1)
        self._t0 = time.monotonic()
        self.current_kind = ""

    def speak(self, text: str) -> None:
        self._f.write(f"{time.monotonic() - self._t0:.3f}\t{self.current_kind}\t{text}\n")

    def close(self) -> None:
        self._f.close()


def find_engine(platform: str | None = None, which: Callable[[str], str | None] = shutil.which) -> Callable[[], Engine] | None:
    """A factory for the best offline speech engine of this system, or ``None``.

    The factory is called on the cue thread (pyttsx3/SAPI must live on the thread that uses it).
    """
    platform = platform or sys.platform
    if platform == "darwin" and which("say"):
        path = which("say")
        return lambda: CommandEngine("say", [str(path), "-r", "190"])
    if platform.startswith("linux") or platform.startswith("freebsd"):
        for exe, argv in (("espeak-ng", ["-s", "165"]), ("espeak", ["-s", "165"]), ("spd-say", ["--wait"])):
            path = which(exe)
            if path:
                return lambda path=path, exe=exe, argv=argv: CommandEngine(exe, [str(path), *argv])
    try:
        import importlib.util

        if importlib.util.find_spec("pyttsx3") is not None:
            return Pyttsx3Engine
    except (ImportError, ValueError):  # pragma: no cover
        pass
    return None


def one_phrase(texts: list[str]) -> str:
    """Cues that fired together, as one phrase to speak: each once, in order, each ending in a stop.

    Flags of one frame (both heels on one rep, say) go to :meth:`AudioCues.say` as one cue: said one
    by one, every cue after the first would fall within the ``"flag"`` cooldown and be dropped.
    """
    parts = [t.strip().rstrip(".!") for t in texts if t and t.strip()]
    return " ".join(f"{p}." for p in dict.fromkeys(parts))


class AudioCues:
    """Non-blocking spoken cues with one-at-a-time, priority, cooldown and staleness rules.

    ``enabled=False`` makes every call a no-op.  ``log_path`` writes cues to a file instead of
    speaking (used by the tests).  ``notice`` receives the one sentence said when no engine
    works (default: print to stderr).
    """

    def __init__(
        self,
        enabled: bool = True,
        log_path: str | os.PathLike | None = None,
        notice: Callable[[str], None] | None = None,
        engine_factory: Callable[[], Engine] | None = None,
    ) -> None:
        self.enabled = enabled
        self._notice = notice or (lambda s: print(f"footform: {s}", file=sys.stderr))
        self._pending: Cue | None = None
        self._cond = threading.Condition()
        self._stop = False
        self._last_kind: dict[str, float] = {}
        self._last_text: dict[str, float] = {}
        self._busy = False
        self.spoken: list[tuple[str, str]] = []   # (kind, text) actually handed to the engine
        self.dropped = 0
        self.engine_name = "off"
        self._engine: Engine | None = None
        self._thread: threading.Thread | None = None
        if not enabled:
            return
        if log_path is not None:
            factory: Callable[[], Engine] | None = lambda: LogEngine(log_path)  # noqa: E731
        else:
            factory = engine_factory or find_engine()
        if factory is None:
            self.enabled = False
            self._notice("no offline speech engine found (install espeak-ng on Linux); audio cues are off.")
            return
        self._factory = factory
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="footform-audio", daemon=True)
        self._thread.start()

    # -- frame-loop side --------------------------------------------------------------------------
    def say(self, text: str, kind: str = "info", now: float | None = None) -> bool:
        """Queue ``text`` if the rules allow; returns at once (``True`` if it was queued)."""
        if not self.enabled or not text:
            return False
        now = time.monotonic() if now is None else now
        prio = PRIORITY.get(kind, 2)
        with self._cond:
            if now - self._last_kind.get(kind, -1e9) < COOLDOWN_S.get(kind, 0.0):
                return False
            if kind in ("flag", "info") and now - self._last_text.get(text, -1e9) < REPEAT_S:
                return False
            if self._pending is not None and self._pending.priority > prio:
                self.dropped += 1
                return False
            if kind == "beat" and self._busy:
                return False  # never delay a beat: skip it while something else is being said
            if self._pending is not None:
                self.dropped += 1
            self._pending = Cue(text, kind, prio, now)
            self._last_kind[kind] = now
            self._last_text[text] = now
            self._cond.notify()
        return True

    @property
    def busy(self) -> bool:
        with self._cond:
            return self._busy or self._pending is not None

    # -- cue thread ----------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._engine = self._factory()
            self.engine_name = self._engine.name
        except Exception as e:  # engine present but unusable (no voices, broken driver …)
            self.enabled = False
            self._notice(f"the speech engine could not start ({type(e).__name__}: {e}); audio cues are off.")
            return
        while True:
            with self._cond:
                while self._pending is None and not self._stop:
                    self._cond.wait()
                if self._stop:
                    break
                cue, self._pending = self._pending, None
                if time.monotonic() - cue.t_mono > MAX_AGE_S.get(cue.kind, DEFAULT_MAX_AGE_S):
                    self.dropped += 1
                    continue
                self._busy = True
            try:
                if isinstance(self._engine, LogEngine):
                    self._engine.current_kind = cue.kind
                self._engine.speak(cue.text)
                self.spoken.append((cue.kind, cue.text))
            except Exception as e:
                self.enabled = False
                self._notice(f"the speech engine failed ({type(e).__name__}: {e}); audio cues are off.")
                break
            finally:
                with self._cond:
                    self._busy = False
        try:
            self._engine.close()
        except Exception:  # pragma: no cover
            pass

    def close(self, timeout_s: float = 3.0) -> None:
        """Let the phrase in progress finish (up to ``timeout_s``), drop the rest, stop the thread."""
        with self._cond:
            self._stop = True
            self._pending = None
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout_s)
            if self._thread.is_alive() and self._engine is not None:
                self._engine.close()


NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty")


def number_word(n: int) -> str:
    """Words for small numbers (engines say "1" oddly in some voices); digits above twenty."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


__all__ = ["AudioCues", "Cue", "Engine", "CommandEngine", "Pyttsx3Engine", "LogEngine", "find_engine", "number_word",
           "PRIORITY", "COOLDOWN_S"]
