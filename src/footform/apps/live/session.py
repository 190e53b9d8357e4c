"""The live session: camera → pose → the shared Analyzer → sinks (window, audio, incremental store).

:func:`run_live` runs on the main thread (OpenCV's window must)::

    capture thread ─(newest frame only)─► pose ─► track ─► Analyzer(live=True) ─► FrameResult (+ its flags)
    LatestFrameSource                                                │
    (drops stale frames, counts them)        Coach (sets, rests, holds, marks)    CueBoard (form cues)
                                                                     │
                     store (one transaction per rep/hold/flag/mark)  window ◄── screen_for   audio thread ◄── cues

The analysis is the one ``footform analyze`` runs (same filters, exercise, rules and overrides):
live only differs in its source, its sinks and its causal filters, so what the person sees and
what is stored is what analyze gives from the same frames.

* **Never behind the person**: the capture thread keeps only the newest frame; the loop takes it,
  so a slow frame makes the next frames be skipped (counted in ``dropped``), never queued.
  Timestamps are the capture clock (``Frame.t_s``); latency is measured per frame from the
  capture instant (``Frame.t_mono``) to the overlay being handed to the window.
* **Nothing lost**: the landmark track (:class:`~footform.io.track.TrackWriter`, flushed every
  second) and the store's live session (each rep, hold, flag and mark its own committed
  transaction) are written while the session runs.  ``q``, closing the window, Ctrl-C, SIGTERM,
  an unplugged camera and the end of a video file all end the session the same way (summary,
  store, report).  After a crash or SIGKILL the session stays ``incomplete``; the next
  ``footform live`` completes it (:mod:`.recovery`).
* **Every form cue seen**: all flags the analysis raises on a frame go to the store and to the
  :class:`~footform.apps.live.cues.CueBoard`, which keeps each on screen for its time.
* **One clear sentence** for a missing camera, a camera without pictures, no display.
"""

from __future__ import annotations

import datetime as _dt
import json
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from footform.apps.live.audio import one_phrase
from footform.apps.live.coach import Coach
from footform.apps.live.cues import CueBoard
from footform.apps.live.plan import REP_EXERCISES, Event, Metronome, Plan
from footform.apps.live.record import latency_stats, print_end, session_summary, set_of, write_report
from footform.apps.live.recovery import recover_sessions
from footform.apps.live.screen import done_screen, guidance, screen_for
from footform.apps.live.window import Window, check_display, hold_screen
from footform.errors import FootformError, InputError, OutputError
from footform.exercises import registry

#: A camera silent for this long (seconds) is treated as unplugged.
STALL_S = 5.0
#: How long the done screen (the session's summary) stays up after the session ended, unless a
#: key is pressed or the window closed first, seconds.
DONE_SCREEN_S = 8.0
#: A program item (``end_when_done``) ends this long after its last set, so "All sets done" is seen.
DONE_LINGER_S = 2.0


@dataclass
class LiveOptions:
    """Everything ``footform live`` was asked to do (see :func:`~footform.apps.live.command.register_live`)."""

    exercise: str                       # calf_raise | single_leg_stance | calf_stretch | ankle_pumps
    camera: str = "0"
    sets: int = 3
    reps: int | None = None             # None: the exercise's default_reps (registry)
    hold_s: float = 30.0
    rest_s: float = 60.0
    metronome_bpm: float | None = None
    audio: bool = True
    model: str | None = None
    db: str | None = None
    person: str | None = None
    height_cm: float | None = None
    out: str | None = None
    mirror: bool | None = None          # None: mirror a camera, not a file
    fullscreen: bool = False
    rules: str | None = None
    cue_log: str | None = None          # tests: write cues to this file instead of speaking
    stats_path: str | None = None       # tests/bench: write per-frame latency stats (JSON) here
    debug: bool = False
    max_seconds: float | None = None    # stop after this long (bench, tests)
    done_s: float = DONE_SCREEN_S       # the done screen's time limit (0: none)
    end_when_done: bool = False         # end DONE_LINGER_S after the last set (a home-program item, #21)

    def plan(self) -> Plan:
        reps = self.reps if self.reps is not None else (registry.get(self.exercise).default_reps or 12)
        return Plan(self.exercise, self.sets, reps, self.hold_s, self.rest_s, self.metronome_bpm)


@dataclass
class LiveResult:
    """How a live session went: where it was stored and written, frames and latency, how it ended."""

    session_id: int | None
    db_path: Path | None
    out_dir: Path | None
    summary: dict[str, Any] | None
    frames_captured: int = 0
    frames_processed: int = 0
    frames_dropped: int = 0
    latency_ms: dict[str, float] = field(default_factory=dict)
    report_path: Path | None = None
    recovered: list[dict[str, Any]] = field(default_factory=list)
    ended_by: str = ""
    error: FootformError | None = None


class _Terminate(Exception):
    """SIGTERM arrived: end the session as if ``q`` was pressed."""


def advance(analyzer: Any, coach: Coach, pose: Any) -> tuple[Any, list[Event], list[dict[str, Any]]]:
    """One analysed frame of a live session: the analysis, then the coach.

    Returns the frame state (:class:`~footform.analysis.analyzer.FrameResult`), the coach's events and the
    rows the analysis completed on this frame (summary schema plus ``set``), to be stored.  Holds
    and pumps are handed to the coach (a hold's exact duration ends its timer; pumps are counted
    per foot); calf raises are counted from the frame state.
    """
    res = analyzer.step(pose)
    exercise = coach.plan.exercise
    counts_reps = exercise in REP_EXERCISES
    new_reps, new_holds = analyzer.completed()
    rows = [{**r, "set": coach.set_now} for r in (new_reps if counts_reps else new_holds)]
    events = coach.update(res, pose.t_s, closed=rows if exercise != "calf_raise" else [])
    if counts_reps:        # a rep that completed the set belongs to it, one that started the next to that
        for r in rows:
            r["set"] = coach.set_now
    return res, events, rows


class _Live:
    """One running session: what it opened (source, model, store, window, audio) and what it keeps."""

    def __init__(self, opts: LiveOptions, say: Callable[[str], None]) -> None:
        from footform.analysis.analyzer import AnalysisConfig, Analyzer
        from footform.apps.live.audio import AudioCues
        from footform.io.capture import LatestFrameSource
        from footform.io.pose import PoseEstimator, resolve_model
        from footform.io.track import TrackWriter, make_header
        from footform.outputs.store import Store

        check_display()
        self.opts, self.say = opts, say
        self.plan = plan = opts.plan()
        if plan.exercise not in registry.IDS:
            raise InputError(f"live coaching knows {', '.join(e.cli for e in registry.EXERCISES)}, not {plan.exercise!r}.")
        self.metronome = Metronome(plan.metronome_bpm) if plan.metronome_bpm else None
        # Open everything that can fail before anything is written or shown.
        self.source = source = LatestFrameSource.open(opts.camera)
        model = resolve_model(opts.model, live=True)
        self.store = store = Store.open(opts.db)
        self.result = LiveResult(session_id=None, db_path=store.path, out_dir=None, summary=None)
        try:
            self.result.recovered = recover_sessions(store, say)
            # The same analysis as `footform analyze` (filters, exercise, rules and their overrides):
            # what the person sees and what is stored is what analyze gives from the same frames.
            self.analyzer = Analyzer(AnalysisConfig(exercise=plan.exercise, height_cm=opts.height_cm, live=True,
                                                    rules=opts.rules, targets=plan.analysis_targets()))
            self.window = Window(fullscreen=opts.fullscreen)
            self.mirror = opts.mirror if opts.mirror is not None else source.info.kind == "camera"
            # No automatic margin / body rise live (yet): a live session usually starts before the
            # person steps into view, which switches the margin on for the whole session (it costs
            # usable-feet frames on the rendered rear sample, docs/metrics.md), the body rise costs
            # ~0.75x the pose time while measured, and neither has been measured on live frame rates;
            # the live framing guidance asks for the whole body instead.
            self.estimator = PoseEstimator(model, pad_top=0.0, motion=False)
            self.session = store.begin_session(exercise=plan.exercise, person=opts.person, source=source.info.to_dict(),
                                               model=model.to_dict(), targets=plan.to_dict())
            self.result.session_id = self.session.id
            self.track = TrackWriter(self.session.track_path, make_header(
                source=source.info.to_dict(), model=model.to_dict(),
                extra={"mode": "live", "session_uuid": self.session.uuid, "num_poses": 1}))
            self.audio = AudioCues(enabled=opts.audio, log_path=opts.cue_log, notice=lambda s: say(f"footform: {s}"))
            self.coach = Coach(plan, audio_numbers=self.metronome is None)
            if self.result.recovered:
                self.coach.toast("LAST SESSION RECOVERED", 0.0)
        except BaseException:
            source.stop()
            store.close()
            raise
        self.cues = CueBoard()
        self.latencies: list[float] = []
        self.proc_ms: list[float] = []
        self.recent_t: deque[float] = deque(maxlen=30)
        self.banners: list[dict[str, Any]] = []     # every cue / guidance the banner showed: when, what, which kind
        self.last_banner = ""
        self.last_image: np.ndarray | None = None
        self.frames = 0
        self.t_frame = 0.0
        self.t_now = 0.0
        self.last_update = 0.0
        self.t_done: float | None = None
        self.landmarks: np.ndarray | None = None

    # -- what happens --------------------------------------------------------------------------------
    def handle(self, events: list[Event], t: float) -> None:
        """The coach's events → audio, the store, the console."""
        for ev in events:
            if ev.kind == "mark":
                self.session.add_mark(ev.data["t_s"], ev.data["kind"], ev.data.get("rating"),
                                      note=json.dumps({"set": ev.data.get("set"), "rep": ev.data.get("rep")}))
                self.audio.say(ev.text, "mark")
            elif ev.kind in ("set_done", "all_done", "set_start", "go"):
                self.audio.say(ev.text, "set")
                if ev.text and ev.kind != "set_start":
                    self.say(f"  {ev.text}")
            elif ev.kind == "rep":
                if ev.text:
                    self.audio.say(ev.text, "rep")
            elif ev.kind in ("hold_start", "hold_target", "hold_end"):
                self.audio.say(ev.text, "hold")
            elif ev.kind in ("pause", "resume"):
                self.audio.say(ev.text, "set")
                self.session.add_event({"type": ev.kind, "t_s": t})

    def key(self, key: str | None, t: float) -> bool:
        """A key from the window (``None``: none); True when it ends the session (``q``)."""
        if key == "q":
            return True
        if key is not None:
            self.handle(self.coach.key(key, t), t)
        return False

    def analyse(self, frame: Any) -> None:
        """Pose and analysis of one frame, and everything it produced → store, audio, cues."""
        pose = self.estimator.process(frame)
        self.track.write(pose)
        res, events, rows = advance(self.analyzer, self.coach, pose)
        self.frames += 1
        self.handle(events, frame.t_s)
        cur_set = self.coach.set_now
        # → store, each in its own transaction; the track first holds every frame they were counted on
        if rows:
            self.track.flush()
        for row in rows:
            (self.session.add_rep if self.plan.exercise in REP_EXERCISES else self.session.add_hold)(row)
        # the analysis' own feedback engine judged this frame and the rows completed on it: every
        # flag is stored and goes on screen (CueBoard), however many fired together
        for fl in res.flags:
            self.session.add_flag({**fl.to_dict(), "set": cur_set})
        if res.flags:     # said as one phrase: one by one, the flag cooldown would drop all but the first
            self.audio.say(one_phrase([fl.message for fl in res.flags]), "flag")
        self.cues.add_flags(res.flags, frame.t_s)
        if self.coach.state == "setup":
            g, _ = guidance(self.coach, res)
            if g:
                self.audio.say(g, "info")
        self.landmarks = pose.image
        if frame.t_s - self.last_update >= 1.0:
            self.session.update(quality=self.analyzer.quality.to_dict(), view=res.view)
            self.last_update = frame.t_s

    def show(self, frame: Any) -> None:
        """The screen for this frame → the window (and the banner log)."""
        from footform.apps.live.overlay import render

        screen = screen_for(self.coach, frame.t_s, cues=self.cues)
        screen.mirror = self.mirror
        if self.metronome is not None and self.coach.state == "active" and not self.coach.paused:
            screen.beat, screen.beat_phase, new_beat = self.metronome.at(frame.t_s)
            if new_beat:
                self.audio.say(screen.beat, "beat")
        self.recent_t.append(time.monotonic())
        if self.opts.debug:
            rt = self.recent_t
            fps = (len(rt) - 1) / (rt[-1] - rt[0]) if len(rt) > 1 and rt[-1] > rt[0] else 0
            lat = f"{self.latencies[-1]:.0f} ms" if self.latencies else "-"
            screen.debug = (f"{fps:.0f} fps  latency {lat}  dropped {100 * self.source.dropped_share:.0f}%  "
                            f"audio {self.audio.engine_name}")
        self.last_image = frame.image
        if screen.banner and screen.banner != self.last_banner:
            before = set(self.last_banner.split("\n"))
            self.banners += [{"t_s": round(frame.t_s, 3), "text": part, "kind": screen.banner_kind}
                             for part in screen.banner.split("\n") if part not in before]
            self.last_banner = screen.banner
        self.window.show(render(frame.image, self.landmarks, screen))
        self.latencies.append((time.monotonic() - frame.t_mono) * 1000.0)

    # -- the loop ------------------------------------------------------------------------------------
    def loop(self) -> tuple[str, FootformError | None]:
        """Frames until the session ends; returns how it ended and the error that ended it, if any."""
        opts, source, coach, window = self.opts, self.source, self.coach, self.window
        t_start_mono = time.monotonic()
        while True:
            if opts.max_seconds is not None and time.monotonic() - t_start_mono > opts.max_seconds:
                return "time limit", None
            frame = source.get(timeout=0.05)
            self.t_now = source.clock_s()
            if frame is None:
                if source.ended:
                    return "end of video", None
                if source.info.kind == "camera" and self.frames and source.seconds_since_frame > STALL_S:
                    raise InputError(f"{source.info.name} stopped delivering pictures (unplugged?).")
                if self.key(window.poll_key(1), self.t_now):
                    return "q", None
                self.handle(coach.tick(self.t_now), self.t_now)
                if window.closed:
                    return "window closed", None
                continue
            t0 = time.perf_counter()
            self.t_frame = frame.t_s
            if coach.paused:
                self.landmarks = None
            else:
                self.analyse(frame)
            self.show(frame)
            self.proc_ms.append((time.perf_counter() - t0) * 1000.0)
            if self.key(window.poll_key(1), frame.t_s):
                return "q", None
            self.handle(coach.tick(frame.t_s), frame.t_s)
            if opts.end_when_done and coach.state == "done":
                self.t_done = frame.t_s if self.t_done is None else self.t_done
                if frame.t_s - self.t_done >= DONE_LINGER_S:
                    return "all sets done", None
            if window.closed:
                return "window closed", None

    def run(self) -> tuple[str, FootformError | None]:
        """The loop, with SIGTERM, Ctrl-C, a lost camera and an unwritable store ending it cleanly."""
        def on_term(signum: int, frame: Any) -> None:
            raise _Terminate()

        try:
            prev_term = signal.signal(signal.SIGTERM, on_term)
        except ValueError:  # not the main thread (tests calling run_live from a thread)
            prev_term = None
        self.source.start()
        try:
            return self.loop()
        except KeyboardInterrupt:
            return "Ctrl-C", None
        except _Terminate:
            return "terminated", None
        except InputError as e:          # camera unplugged: finish what we have, then report it
            return "camera lost", e
        except OutputError as e:         # store or track cannot be written: keep what is there
            return "output error", e
        finally:
            if prev_term is not None:
                try:
                    signal.signal(signal.SIGTERM, prev_term)
                except ValueError:
                    pass
            self.source.stop()

    # -- the end -------------------------------------------------------------------------------------
    def finish(self, ended_by: str, error: FootformError | None) -> LiveResult:
        """Summary, store, files, report, console lines and the done screen; nothing before this may
        lose data, everything here is best effort in order."""
        from footform.analysis.summary import format_table, write_summary

        opts, source, coach, say, result = self.opts, self.source, self.coach, self.say, self.result
        coach.finish(self.t_frame if self.frames else self.t_now)
        try:
            self.track.close()
        except OutputError as e:
            say(f"footform: {e}")
            self.track.abandon()
        summary = self.analyzer.finish()
        # the analysis' final judgement, exactly as `footform analyze` gives it from these frames
        flags = [dict(f) for f in summary.flags]
        for f in flags:
            f["set"] = set_of(f.get("t_start"), coach.sets_summary()) if f.get("set") is None else f["set"]
        live_stats = {
            "frames_captured": source.captured, "frames_processed": self.frames, "frames_dropped": source.dropped,
            "dropped_share": round(source.dropped_share, 4), "latency_ms": latency_stats(self.latencies),
            "processing_ms": latency_stats(self.proc_ms), "ended_by": ended_by, "audio": self.audio.engine_name,
            "metronome_bpm": self.plan.metronome_bpm,
        }
        doc = session_summary(summary, coach.sets_summary(), coach.marks, flags, self.plan, live_stats)
        try:
            self.session.finish(doc)
        except FootformError as e:   # stays 'incomplete': the next start recovers it from the track
            say(f"footform: the session could not be completed in the store ({e}); it will be recovered next time.")
        out_dir = Path(opts.out) if opts.out else Path("footform-out") / f"live-{_dt.datetime.now():%Y%m%d-%H%M%S}"
        result.out_dir = out_dir
        try:
            write_summary(summary, out_dir)
            (out_dir / "session.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n",
                                                  encoding="utf-8")
        except (OutputError, OSError) as e:
            say(f"footform: {e}")
            result.out_dir = None
        result.report_path = write_report(self.store, self.session.id, out_dir, say) if result.out_dir else None
        result.summary = doc
        result.frames_captured, result.frames_processed, result.frames_dropped = source.captured, self.frames, source.dropped
        result.latency_ms = latency_stats(self.latencies)
        result.ended_by = ended_by
        result.error = error
        if opts.stats_path:
            Path(opts.stats_path).write_text(json.dumps({**live_stats, "latency_ms_per_frame": self.latencies,
                                                         "processing_ms_per_frame": self.proc_ms,
                                                         "banners": self.banners}) + "\n")
        print_end(say, summary, doc, coach, result, format_table)
        if ended_by not in ("window closed", "Ctrl-C", "terminated", "time limit", "output error"):
            self.show_done(opts.done_s)
        return result

    def show_done(self, seconds: float) -> None:
        """The done screen over the last camera picture (dimmed) until a key, the window closed, or ``seconds``."""
        from footform.apps.live.canvas import CANVAS_H, CANVAS_W
        from footform.apps.live.overlay import compose

        if seconds <= 0:
            return
        image = self.last_image
        dim = (image * 0.35).astype(np.uint8) if image is not None else np.zeros((CANVAS_H, CANVAS_W, 3), np.uint8)

        def canvas_at(left: float) -> np.ndarray:
            screen = done_screen(self.coach, left)
            screen.mirror = self.mirror
            return compose(dim, None, screen).canvas

        hold_screen(self.window, canvas_at, seconds)

    def close(self) -> None:
        import cv2

        self.audio.close()
        self.estimator.close()
        self.window.close()
        self.store.close()
        cv2.destroyAllWindows()


def run_live(opts: LiveOptions, say: Callable[[str], None] = print) -> LiveResult:
    """Run one live session until ``q`` / window closed / Ctrl-C / end of file / camera lost."""
    live = _Live(opts, say)
    ended_by, error = live.run()
    try:
        return live.finish(ended_by, error)
    finally:
        live.close()
