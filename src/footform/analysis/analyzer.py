"""The analysis entry point: pose frames in, per-frame state and a :class:`~footform.analysis.summary.Summary` out.

Flow inside :class:`Analyzer` (one code path live and offline)::

    PoseFrame ─► view.assess_framing + ViewTracker ─► KinematicsEstimator ─► filters
              ─► FootContact (when an exercise needs it) ─► every running Exercise.step(FrameState)
              ─► FormTracker + FeedbackEngine ─► FrameResult … Exercise.results ─► Summary

The exercises are driven only through the protocol of :mod:`footform.exercises.base` and looked up
in :mod:`footform.exercises.registry`: nothing here names an exercise.  Which exercises run: the
chosen one and those that run with it (``ExerciseInfo.runs_with``), or every registered one in
``auto`` (exercises/choose.py picks one at the end).

Live and offline run exactly this code with the same filters: the signals are smoothed with
zero-phase centred Gaussians, so :meth:`Analyzer.step` returns the state of the frame
``LAG_FRAMES`` frames back (``FrameResult.t_s`` says which; at 30 fps the live screen shows the
count 0.2 s after the frame).  That small delay buys the guarantee that a live session and
``footform analyze`` of the same frames (its landmark track) give the same reps, holds and flags;
causal (One-Euro) filters moved rep peaks near the threshold across it, so live once counted 3 reps
where analyze counted 4 on the same frames (docs/architecture.md).  Memory is flat in video length:
the filters hold a few frames, baselines a few seconds, a rep in progress its own samples, and the
summary only per-rep / per-hold figures.  Time is always ``frame.t_s``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from footform.analysis.summary import Quality, Summary, build_summary
from footform.core.filters import CentredSmoother
from footform.core.kinematics import HEIGHT_CM_RANGE, SIG, Kinematics, KinematicsEstimator, cm_per_fl
from footform.core.landmarks import PoseFrame
from footform.core.view import ViewTracker, assess_framing
from footform.exercises import registry
from footform.exercises import rows as schema
from footform.exercises.base import Exercise, FrameState, FrameUpdate, Setup, StreamEnd
from footform.exercises.choose import ExerciseChooser
from footform.exercises.contact import FootContact
from footform.feedback.engine import FeedbackEngine, Flag, load_rules
from footform.feedback.form import FormTracker

#: Every value of ``AnalysisConfig.exercise`` when footform starts (the registry's ids and ``auto``;
#: an exercise registered later is accepted too).
EXERCISES = (registry.AUTO, *registry.IDS)

#: Offline smoothing (see filters.py for the choice): detection σ and light (sway) σ in seconds,
#: and the fixed look-ahead in frames.
DETECT_SIGMA_S = 0.06
LIGHT_SIGMA_S = 0.025
LAG_FRAMES = 6
#: A live cue stays on screen this long after its flag fired (s).
CUE_SHOW_S = 3.0


@dataclass
class AnalysisConfig:
    """What to analyse and how.

    Attributes:
        exercise: a registry id (``"calf_raise"``, ``"single_leg_stance"``, ``"calf_stretch"``,
            ``"ankle_pumps"``) or ``"auto"`` (decided from the movement at the end: exercises/choose.py).
        height_cm: the person's standing height; enables centimetre figures (estimates).
        live: ``True`` for a live session (the summary's ``mode``); the analysis itself is the same.
    """

    exercise: str = "auto"
    height_cm: float | None = None
    live: bool = False
    #: Rule override file (TOML) merged over the bundled rules; ``feedback=False`` runs no rules.
    rules: str | None = None
    feedback: bool = True
    #: The person's programme: ``reps`` per set, ``hold_s``, ``metronome_bpm`` (rules compare to these).
    targets: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.exercise != registry.AUTO and registry.find(self.exercise) is None:
            raise ValueError(f"exercise must be one of {(registry.AUTO, *registry.IDS)}, not {self.exercise!r}")
        lo, hi = HEIGHT_CM_RANGE
        if self.height_cm is not None and not (lo <= float(self.height_cm) <= hi):
            raise ValueError(f"height_cm must be between {lo:.0f} and {hi:.0f}")


@dataclass
class FrameResult:
    """Per-frame state for a live overlay.

    ``index``/``t_s`` are those of the frame the state refers to (offline: ``LAG_FRAMES`` behind
    the frame just given; ``index = -1`` while the smoother fills).  ``lift`` is the current heel
    lift (FL above baseline, NaN when not measurable); ``hold_s`` the running hold time (s) or
    None; ``signals`` a few main per-frame values (FL / degrees, NaN when not valid).
    """

    index: int
    t_s: float
    has_person: bool = False
    feet_visible: bool = False
    view: str = "unknown"
    guidance: str = ""
    reps: int = 0
    rep_phase: str = "calibrating"
    lift: float = float("nan")
    stance: str = "unknown"
    hold_s: float | None = None
    holds: int = 0
    brief_lifts: int = 0
    signals: dict[str, float] = field(default_factory=dict)
    #: Flags that fired on this frame (for a live cue) and the message of the newest open one.
    flags: list[Flag] = field(default_factory=list)
    cue: str = ""


_MAIN_SIGNALS = ("heel_toe_left", "heel_toe_right", "elev_right_minus_left", "shank_angle_left",
                 "shank_angle_right", "pelvic_drop", "trunk_lean")


class Analyzer:
    """Streaming analyser: :meth:`step` per frame, :meth:`finish` once at the end.

    ``on_frame``, when given, is called with the :class:`FrameResult` of every analysed frame in
    time order (a step may analyse none — the smoother is filling — or several, at a cut); the
    per-frame signals of an export or a report's plots come from there.
    """

    def __init__(self, config: AnalysisConfig, on_frame: Callable[[FrameResult], None] | None = None) -> None:
        self.config = config
        self._on_frame = on_frame
        self._cm = cm_per_fl(config.height_cm)
        self._views = ViewTracker()
        self._kin = KinematicsEstimator(config.height_cm)
        self._contact = FootContact()
        auto = config.exercise == registry.AUTO
        setup = Setup(cm_per_fl=self._cm, targets=config.targets)
        running = registry.EXERCISES if auto else registry.group(config.exercise)
        #: every running exercise, by id (the registry's order)
        self._machines: dict[str, Exercise] = {e.id: registry.machine(e.id)(setup) for e in running}
        #: the exercises the live screen shows (FrameResult) and whose rows completed() hands out
        first = registry.EXERCISES[0].id
        self._shown = [e.id for e in (registry.group(first) if auto else running)]
        self._kept = self._shown if auto else [config.exercise]
        self._uses_contact = auto or any(m.uses_contact for m in self._machines.values())
        self._chooser = ExerciseChooser() if auto else None
        self.quality = Quality()
        self._guidance: dict[int, str] = {}
        self._det = CentredSmoother(DETECT_SIGMA_S, LAG_FRAMES)
        self._light = CentredSmoother(LIGHT_SIGMA_S, LAG_FRAMES)
        self._form = FormTracker(config.targets)
        self.feedback: FeedbackEngine | None = None
        if config.feedback:
            self.feedback = FeedbackEngine(load_rules(config.exercise, config.rules))
        self._people: dict[int, int] = {}
        self._frame_h = 0
        self._reps_seen = 0
        self._cue: tuple[float, str] | None = None
        self._last: FrameResult = FrameResult(index=-1, t_s=float("nan"))
        self._t_last: float | None = None
        self._dts: list[float] = []
        self._finished = False
        self._rows_out = dict.fromkeys(self._kept, 0)   # how many rows completed() has handed out

    # -- stages ----------------------------------------------------------------------------
    def _process(self, k: Kinematics, det: np.ndarray, light: np.ndarray, guidance: str) -> FrameResult:
        stance = "unknown"
        if self._uses_contact:
            stance = self._contact.step_signals(k.t_s, det, k.foot_ok, k.has_person)
            if k.cut:
                self._contact.reset()
        state = FrameState(kin=k, det=det, light=light, stance=stance, lifts_finished=self._contact.finished,
                           lift_current=self._contact.current,
                           coming_down=self._contact.pending_touchdown_t is not None)
        updates: dict[str, FrameUpdate] = {ex: m.step(state) for ex, m in self._machines.items()}
        if self._chooser is not None:
            self._chooser.step(k, det, self._contact)
        res = FrameResult(index=k.index, t_s=k.t_s, has_person=k.has_person, feet_visible=k.feet_ok, view=k.view,
                          guidance=guidance, stance=stance, signals={n: float(det[SIG[n]]) for n in _MAIN_SIGNALS})
        judge: list[tuple[str, dict[str, Any]]] = []
        for ex in self._shown:
            u = updates[ex]
            for name, value in u.shown.items():
                setattr(res, name, value)
            res.signals.update(u.signals)
            judge += u.judge
        # frame metrics of every running exercise (in auto the stretch's feed the frame rules too)
        extra: dict[str, float] = {}
        for u in updates.values():
            extra.update(u.metrics)
        self._feedback(k, det, res, stance, extra, judge)
        self._emit(res)
        return res

    def _emit(self, res: FrameResult) -> None:
        self._last = res
        if self._on_frame is not None:
            self._on_frame(res)

    def _feedback(self, k: Kinematics, det: np.ndarray, res: FrameResult, stance: str, extra: dict[str, float],
                  judge: list[tuple[str, dict[str, Any]]]) -> None:
        """Form metrics of this frame and of the rows that just completed, judged by the rules."""
        people = self._people.pop(k.index, 1 if k.has_person else 0)
        metrics = self._form.step(k, det, self._frame_h, people, stance, res.rep_phase, res.lift)
        metrics.update(extra)
        if self.feedback is None:
            return
        in_hold = res.hold_s is not None
        fired = self.feedback.step(k.t_s, metrics, view=k.view, phase="hold" if in_hold else res.rep_phase,
                                   rep=res.reps + 1 if res.rep_phase == "up" else None,
                                   hold=res.holds if in_hold else None)
        # a rep or hold just completed: judge it now (live cue), with the view the summary would judge
        # it with if the session ended here (the session's dominant view so far, not this moment's);
        # its measurements are kept (FormTracker), so the summary repeats this judgement unless the
        # session's view changes later — the only thing the live cue cannot know
        view = self._views.dominant().view if judge else k.view
        for scope, row in judge:
            form = row["form"] if "form" in row else self._row_metrics(scope, row, view)
            fired += self.feedback.on_row(scope, {**row, **form}, view=view)
        self._show(res, fired)

    def _row_metrics(self, scope: str, row: dict[str, Any], view: str) -> dict[str, float]:
        return self._form.rep_metrics(row, view) if scope == "rep" else self._form.hold_metrics(row, view)

    def _show(self, res: FrameResult, fired: list[Flag]) -> None:
        """Attach the flags fired on this frame, and the cue to show (the newest, most severe)."""
        res.flags = fired
        if fired:
            newest = max(fired, key=lambda f: ("info", "warn", "stop").index(f.severity))
            self._cue = (res.t_s, newest.message)
        if self._cue is not None and res.t_s - self._cue[0] <= CUE_SHOW_S:
            res.cue = self._cue[1]

    def step(self, frame: PoseFrame) -> FrameResult:
        """Analyse one frame (frames must come in time order)."""
        if self._finished:
            raise RuntimeError("Analyzer.finish() was already called")
        framing = assess_framing(frame)
        self._people[frame.index] = frame.n_people
        self._frame_h = frame.height
        view = self._views.update(frame)
        k = self._kin.step(frame, framing, view)
        self.quality.update(frame, k)
        if self._t_last is not None and frame.t_s > self._t_last and len(self._dts) < 300:
            self._dts.append(frame.t_s - self._t_last)
        self._t_last = frame.t_s
        self._guidance[k.index] = framing.guidance
        if k.cut:
            self._drain(list(zip(self._det.reset(), self._light.reset())))
        out_d = self._det.push(k.t_s, k.signals, k)
        out_l = self._light.push(k.t_s, k.signals)
        if out_d is not None and out_l is not None:
            self._drain([(out_d, out_l)])
        return self._last

    def completed(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Rep rows and hold rows (the summary's schema) completed since the last call.

        Only the chosen exercise's rows (in ``auto``: those of the exercises on the live screen).
        They are provisional: :meth:`finish` decides the final rows (a rep near the end of a set may
        still be re-checked), and the live session's store replaces them with the summary's.
        """
        reps: list[dict[str, Any]] = []
        holds: list[dict[str, Any]] = []
        for ex in self._kept:
            rows = self._machines[ex].completed(self._rows_out[ex])
            self._rows_out[ex] += len(rows)
            (reps if registry.get(ex).counts_reps else holds).extend(rows)
        return reps, holds

    def _drain(self, items: list[tuple[tuple[float, Any, Any], tuple[float, Any, Any]]]) -> None:
        for (_t, det, kk), (_, light, _) in items:
            self._process(kk, np.asarray(det), np.asarray(light), self._guidance.pop(kk.index, ""))

    def finish(self) -> Summary:
        """Flush the filters, close reps/holds in progress and build the summary."""
        if not self._finished:
            self._drain(list(zip(self._det.flush(), self._light.flush())))
            dt = float(np.median(self._dts)) if self._dts else 1 / 30
            end = StreamEnd(self._t_last, self._contact.pending_touchdown_t, self._light.noise_gain(dt))
            for m in self._machines.values():
                m.finish(end)
            self._finished = True
        exercise = self.config.exercise
        choice = None
        if self._chooser is not None:
            choice = self._chooser.choose(self._machines, self._t_last)
            exercise = choice.chosen
        summary = build_summary(exercise, self._views.dominant(), self.quality, self._machines.get(exercise),
                                height_cm=self.config.height_cm, live=self.config.live,
                                automatic=self._chooser is not None)
        if choice is not None:
            summary.exercise_choice = choice.to_dict()
            if choice.message and summary.analysable:
                summary.warnings.insert(0, choice.message)
        self._judge(summary)
        return summary

    def _judge(self, summary: Summary) -> None:
        """Attach form metrics to the final reps/holds/set and the flags of the chosen exercise.

        Frame flags come from the online engine; rep, hold and set rules are evaluated again on
        the final rows (the counter re-checks partial reps at the end, so online rep flags of a
        rep later rejected must not stay).
        """
        view = summary.view
        for rep in summary.reps:
            rep["form"] = _clean(rep["form"] if "form" in rep else self._form.rep_metrics(rep, view))
        for hold in summary.holds:
            hold["form"] = _clean(hold["form"] if "form" in hold else self._form.hold_metrics(hold, view))
        if summary.set_stats:
            summary.set_stats["form"] = _clean(self._form.set_metrics(summary.set_stats))
        if self.feedback is None or not summary.analysable:
            return
        keep = {"common", summary.exercise}
        rules = [r for r in self.feedback.rules if r.exercise in keep]
        judges_lowering = any(r.code == schema.FAST_LOWERING for r in rules)
        rows = FeedbackEngine(rules)
        # Partial reps (events) are judged too — "incomplete raise" is about them above all —
        # in time order with the full reps, without entering the typical-height history.
        partials = [{"index": None, "side": e.get("side"), "t_start": e["t_s"], "t_end": e.get("t_end_s", e["t_s"]),
                     "peak_lift": e.get("peak_lift"), "partial": True}
                    for e in summary.events if e.get("type") == "partial_rep"]
        for rep in sorted([*summary.reps, *partials], key=lambda r: r["t_start"]):
            if rep.get("partial"):
                rows.on_row("rep", rep, view=view, learn=False)
            else:
                rows.on_row("rep", {**rep, **rep["form"]}, view=view)
        for hold in summary.holds:
            rows.on_row("hold", {**hold, **hold["form"]}, view=view)
        if summary.set_stats:
            rows.on_row("set", {"index": 1, "t_start": summary.reps[0]["t_start"] if summary.reps else 0.0,
                                "t_end": summary.reps[-1]["t_end"] if summary.reps else 0.0,
                                **summary.set_stats, **summary.set_stats["form"]}, view=view)
        frame_flags = [f for f in self.feedback.finish(self._t_last) if f.code in {r.code for r in rules if r.scope == "frame"}]
        flags = sorted(frame_flags + rows.finish(), key=lambda f: (f.t_start, f.code))
        summary.flags = [f.to_dict() for f in flags]
        info = registry.find(summary.exercise)
        if info is not None and info.machine is not None:
            info.machine.note_flags(summary.holds, summary.flags)
        if judges_lowering and "controlled_lowering_share" in summary.set_stats:
            # the same judgement as the fast-lowering flags: the judged reps it did not flag
            summary.set_stats["controlled_lowering_share"] = schema.controlled_lowering_share(summary.reps, summary.flags)
        codes = {r.code for r in rules}
        nm = {**self.feedback.not_measurable, **rows.not_measurable}
        summary.not_measurable = sorted({msg for code, msg in nm.items() if code in codes} | set(summary.not_measurable))


def _clean(metrics: dict[str, float]) -> dict[str, float | None]:
    """Metrics for JSON: rounded, and ``None`` where not measurable (never NaN)."""
    return {k: (round(v, 4) if isinstance(v, float) and np.isfinite(v) else None) for k, v in metrics.items()}


def analyze_frames(frames: Iterable[PoseFrame], config: AnalysisConfig) -> Summary:
    """Analyse a whole stream of pose frames (offline or replayed) and return its summary."""
    an = Analyzer(config)
    for f in frames:
        an.step(f)
    return an.finish()
