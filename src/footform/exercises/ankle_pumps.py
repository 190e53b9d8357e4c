"""Ankle pumps: cycles per foot from the foot's angle to the shank, with range and tempo per rep.

Protocol (rehabilitation sources): seated or lying, alternately point the toes (plantar flexion)
and pull them up (dorsiflexion); 20 reps × 2–3 sets.

Signal: ``foot_shank_angle_<side>`` (kinematics.py): the image-plane angle between the shank
(ankle→knee) and the foot (heel→toe), degrees; it grows when the toes point away (plantar flexion)
and shrinks when they are pulled up.  It needs the foot's sagittal plane to face the camera at
least partly: from the side or a three-quarter view it follows the true ankle angle (measured on
``samples/ankle_pumps_three_quarter.mp4``: true range 72.5°–127.8° (3-D), MediaPipe's image angle
80°–123° on the near foot, 83°–132° on the far one); from straight in front the foot points at the
camera and its angle in the image says nothing about the ankle.  Frames with the body turned less
than :data:`YAW_MIN_DEG` from square-on are "not measurable from a front view".

Counting (online, per foot): a peak is confirmed when the smoothed angle has turned back from its
running extreme by :data:`SWING_DEG`; peaks therefore alternate plantar (max) / dorsi (min).  A
**rep** is one plantar and one dorsi peak in either order (point-then-pull or pull-then-point).
Its start / end are the last / first moments the angle is within :data:`REST_BAND_DEG` of the
foot's rest angle (median of the last calm second) before the first and after the second peak.
Memory: a few seconds of samples per foot.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from footform.core.kinematics import SIG, Kinematics
from footform.core.numeric import finite
from footform.core.view import view_family
from footform.exercises.base import (
    AutoEvidence,
    AutoScore,
    Exercise,
    FrameState,
    FrameUpdate,
    Results,
    Setup,
    StreamEnd,
    count_words,
    fmt,
    saturate,
)

#: A turn of the angle by this much confirms the extreme before it as a peak.  The clean rendered
#: pumps swing 43–49° in MediaPipe's image angle (true 55°); still-foot jitter of the smoothed angle
#: is ~1–2°; the ankle circles in shared/footage (opt_seated_ankle_rotations) swing 14–20°.
SWING_DEG = 15.0
#: The body must be turned at least this far from square-on (world hip/shoulder axis) for the
#: foot's angle in the image to mean anything.  Rendered three-quarter pumps: 38–41°; side views
#: 66–69°; people facing a webcam "from the front" in shared/footage stand 20–30° turned.
YAW_MIN_DEG = 25.0
#: The rest angle is the median of the last :data:`REST_WINDOW_S` while the angle's SD stays
#: within :data:`REST_CALM_DEG`; "at rest" means within :data:`REST_BAND_DEG` of it.
REST_WINDOW_S = 1.0
REST_CALM_DEG = 2.5
REST_BAND_DEG = 6.0
#: A first peak with no opposite one within this time is dropped (not half of a pump).
MAX_HALF_S = 4.0
#: Seconds of per-foot samples kept for the per-rep figures (a rep lasts < 2 × MAX_HALF_S).
BUFFER_S = 10.0
#: No rep for this long starts a new set.
SET_GAP_S = 8.0


@dataclass
class PumpRep:
    """One ankle pump of one foot (angles in degrees, times in seconds)."""

    index: int
    side: str
    t_start: float
    t_plantar: float
    t_dorsi: float
    t_end: float
    plantar_peak_deg: float
    dorsi_peak_deg: float
    rest_deg: float
    leg_motion_deg: float
    rom_vs_best: float
    cycle_s: float | None
    set_index: int

    @property
    def rom_deg(self) -> float:
        return self.plantar_peak_deg - self.dorsi_peak_deg

    def to_row(self) -> dict[str, Any]:
        def r(x: float | None, nd: int = 2) -> float | None:
            return finite(x, nd)

        rest_ok = math.isfinite(self.rest_deg)
        form = {"rom_deg": r(self.rom_deg, 2), "rom_vs_best": r(self.rom_vs_best, 3),
                "leg_motion_deg": r(self.leg_motion_deg, 2),
                "dorsi_deg": r(self.rest_deg - self.dorsi_peak_deg, 2) if rest_ok else None,
                "plantar_deg": r(self.plantar_peak_deg - self.rest_deg, 2) if rest_ok else None}
        return {"kind": "ankle_pump", "index": self.index, "side": self.side, "set": self.set_index,
                "t_start": r(self.t_start, 3), "t_plantar": r(self.t_plantar, 3), "t_dorsi": r(self.t_dorsi, 3),
                "t_end": r(self.t_end, 3), "duration_s": r(self.t_end - self.t_start, 3), "cycle_s": r(self.cycle_s, 3),
                "plantar_peak_deg": r(self.plantar_peak_deg), "dorsi_peak_deg": r(self.dorsi_peak_deg),
                "rest_angle_deg": r(self.rest_deg), "rom_deg": form["rom_deg"],
                "plantar_deg": form["plantar_deg"], "dorsi_deg": form["dorsi_deg"],
                "leg_motion_deg": form["leg_motion_deg"], "rom_vs_best": form["rom_vs_best"], "form": form}


@dataclass
class _Peak:
    kind: str          # "plantar" (max) or "dorsi" (min)
    t: float
    value: float


@dataclass
class _Foot:
    side: str
    direction: str | None = None
    hi: tuple[float, float] = (-math.inf, 0.0)   # (value, t) running max
    lo: tuple[float, float] = (math.inf, 0.0)    # running min
    pending: _Peak | None = None                 # first peak of a rep in progress
    done: tuple[_Peak, _Peak] | None = None      # both peaks seen; waiting for the return to rest
    rest: float = math.nan
    calm: deque = field(default_factory=deque)   # (t, angle) of the last REST_WINDOW_S
    buf: deque = field(default_factory=deque)    # (t, angle, tilt)
    last_rest_t: float | None = None             # last time at rest (before the current rep)
    best_rom: float = math.nan
    last_start: float | None = None
    last_end: float | None = None
    count: int = 0


class AnklePumps:
    """Online ankle-pump counter for both feet.

    :meth:`step` per frame with the (detection-)smoothed signal vector; ``reps`` holds every
    completed rep (both feet, in completion order), ``events`` what was seen but not counted.
    """

    def __init__(self) -> None:
        self._feet = {s: _Foot(s) for s in ("left", "right")}
        self.reps: list[PumpRep] = []
        self.events: list[dict[str, Any]] = []
        self.frames_measured = 0
        self.frames_front = 0
        self.phase = "rest"
        self.set_index = 1
        self._last_rep_t: float | None = None
        self.angles: dict[str, float] = {"left": math.nan, "right": math.nan}

    # -- per frame -------------------------------------------------------------------------
    def measurable(self, k: Kinematics, det: np.ndarray) -> bool:
        """The foot's angle means something from this view (side, three-quarter)."""
        yaw = float(det[SIG["yaw_deg"]])
        if math.isfinite(yaw):
            return yaw >= YAW_MIN_DEG
        return view_family(k.view) == "side"

    def step(self, k: Kinematics, det: np.ndarray) -> list[PumpRep]:
        """Feed one frame; returns the reps completed on it."""
        t = k.t_s
        new: list[PumpRep] = []
        if k.cut:
            for s in self._feet:
                self._feet[s] = _Foot(s, best_rom=self._feet[s].best_rom, count=self._feet[s].count)
        any_foot = any(k.foot_ok.values())
        ok_view = self.measurable(k, det)
        if any_foot:
            if ok_view:
                self.frames_measured += 1
            else:
                self.frames_front += 1
        phases = []
        for s, foot in self._feet.items():
            a = float(det[SIG[f"foot_shank_angle_{s}"]])
            if not (k.foot_ok.get(s) and ok_view and math.isfinite(a)):
                self.angles[s] = math.nan
                continue
            self.angles[s] = a
            tilt = float(det[SIG[f"shank_tilt_{s}"]])
            rep = self._step_foot(foot, t, a, tilt)
            if rep is not None:
                new.append(rep)
            phases.append("pumping" if foot.pending is not None or foot.done is not None else "rest")
        self.phase = "pumping" if "pumping" in phases else "rest"
        return new

    def _step_foot(self, f: _Foot, t: float, a: float, tilt: float) -> PumpRep | None:
        f.buf.append((t, a, tilt))
        while f.buf and t - f.buf[0][0] > BUFFER_S:
            f.buf.popleft()
        # rest angle: median of a calm second
        f.calm.append((t, a))
        while f.calm and t - f.calm[0][0] > REST_WINDOW_S:
            f.calm.popleft()
        vals = [v for _, v in f.calm]
        if t - f.calm[0][0] >= 0.8 * REST_WINDOW_S and float(np.std(vals)) <= REST_CALM_DEG \
                and f.pending is None and f.done is None:
            f.rest = float(np.median(vals))
        at_rest = math.isfinite(f.rest) and abs(a - f.rest) <= REST_BAND_DEG
        out: PumpRep | None = None
        if f.done is not None and (at_rest or t - f.done[1].t > MAX_HALF_S):
            out = self._emit(f, t if at_rest else f.done[1].t)
        if at_rest and f.pending is None and f.done is None:
            f.last_rest_t = t
        # running extremes and peak confirmation (hysteresis)
        if a > f.hi[0]:
            f.hi = (a, t)
        if a < f.lo[0]:
            f.lo = (a, t)
        peak: _Peak | None = None
        if f.direction in (None, "down") and a - f.lo[0] >= SWING_DEG:
            if f.direction == "down":
                peak = _Peak("dorsi", f.lo[1], f.lo[0])
            f.direction, f.hi = "up", (a, t)
        elif f.direction in (None, "up") and f.hi[0] - a >= SWING_DEG:
            if f.direction == "up":
                peak = _Peak("plantar", f.hi[1], f.hi[0])
            f.direction, f.lo = "down", (a, t)
        if peak is not None:
            out = self._on_peak(f, peak, t) or out
        return out

    def _on_peak(self, f: _Foot, peak: _Peak, t: float) -> PumpRep | None:
        out = None
        if f.done is not None:  # the next rep starts before the angle came back to rest
            out = self._emit(f, self._closest_to_rest(f, f.done[1].t, peak.t))
        if f.pending is not None and f.pending.kind != peak.kind and peak.t - f.pending.t <= MAX_HALF_S:
            f.done = (f.pending, peak)
            f.pending = None
        else:
            if f.pending is not None:
                self.events.append({"type": "half_pump", "t_s": round(f.pending.t, 3), "side": f.side,
                                    "peak": f.pending.kind, "angle_deg": round(f.pending.value, 1)})
            f.pending = peak
        return out

    def _closest_to_rest(self, f: _Foot, t0: float, t1: float) -> float:
        seg = [(t, a) for t, a, _ in f.buf if t0 <= t <= t1]
        if not seg:
            return t0
        ref = f.rest if math.isfinite(f.rest) else 0.5 * (max(a for _, a in seg) + min(a for _, a in seg))
        return min(seg, key=lambda x: abs(x[1] - ref))[0]

    def _emit(self, f: _Foot, t_end: float) -> PumpRep:
        assert f.done is not None
        p1, p2 = f.done
        f.done = None
        plantar = p1 if p1.kind == "plantar" else p2
        dorsi = p2 if plantar is p1 else p1
        t_start = f.last_rest_t if f.last_rest_t is not None and f.last_rest_t < p1.t else None
        if f.last_end is not None and (t_start is None or t_start < f.last_end):
            t_start = f.last_end
        if t_start is None:
            t_start = self._start_before(f, p1)
        seg = [(tt, tl) for tt, _, tl in f.buf if t_start <= tt <= t_end and math.isfinite(tl)]
        leg = (max(x for _, x in seg) - min(x for _, x in seg)) if seg else math.nan
        rom = plantar.value - dorsi.value
        vs_best = rom / f.best_rom if math.isfinite(f.best_rom) and f.best_rom > 0 else math.nan
        f.best_rom = rom if not math.isfinite(f.best_rom) else max(f.best_rom, rom)
        if self._last_rep_t is not None and t_start - self._last_rep_t > SET_GAP_S:
            self.set_index += 1
        self._last_rep_t = max(t_end, self._last_rep_t or t_end)
        cycle = t_start - f.last_start if f.last_start is not None and t_start - f.last_start <= 2 * MAX_HALF_S else None
        f.last_start, f.last_end = t_start, t_end
        f.last_rest_t = None
        f.count += 1
        rep = PumpRep(index=len(self.reps) + 1, side=f.side, t_start=t_start, t_plantar=plantar.t, t_dorsi=dorsi.t,
                      t_end=t_end, plantar_peak_deg=plantar.value, dorsi_peak_deg=dorsi.value, rest_deg=f.rest,
                      leg_motion_deg=leg, rom_vs_best=vs_best, cycle_s=cycle, set_index=self.set_index)
        self.reps.append(rep)
        return rep

    def _start_before(self, f: _Foot, p1: _Peak) -> float:
        """No rest seen before the rep: start at the earliest buffered sample after the last rep."""
        seg = [t for t, _, _ in f.buf if t <= p1.t]
        return seg[0] if seg else p1.t

    def finish(self, t_end: float | None) -> None:
        """Close a rep whose second peak was seen but whose return to rest was cut off; confirm a
        last extreme the stream ended on when it had already turned back by half a swing."""
        for f in self._feet.values():
            if f.done is None and f.pending is not None and f.buf:
                last = f.buf[-1][1]
                if f.direction == "down" and f.pending.kind == "plantar" and last - f.lo[0] >= 0.5 * SWING_DEG:
                    self._on_peak(f, _Peak("dorsi", f.lo[1], f.lo[0]), f.buf[-1][0])
                elif f.direction == "up" and f.pending.kind == "dorsi" and f.hi[0] - last >= 0.5 * SWING_DEG:
                    self._on_peak(f, _Peak("plantar", f.hi[1], f.hi[0]), f.buf[-1][0])
            if f.done is not None:
                self._emit(f, f.buf[-1][0] if f.buf else (t_end or f.done[1].t))
            elif f.pending is not None:
                self.events.append({"type": "half_pump", "t_s": round(f.pending.t, 3), "side": f.side,
                                    "peak": f.pending.kind, "angle_deg": round(f.pending.value, 1)})
                f.pending = None
        self.reps.sort(key=lambda r: (r.t_start, r.side))
        for i, r in enumerate(self.reps, 1):
            r.index = i

    # -- summary -----------------------------------------------------------------------------
    def rows(self) -> list[dict[str, Any]]:
        return [r.to_row() for r in self.reps]

    def set_stats(self) -> dict[str, Any]:
        by_side = {s: [r for r in self.reps if r.side == s] for s in ("left", "right")}
        out: dict[str, Any] = {"kind": "ankle_pumps", "reps": len(self.reps),
                               "reps_by_side": {s: len(v) for s, v in by_side.items()},
                               "cycles": max((len(v) for v in by_side.values()), default=0),
                               "sets": max((r.set_index for r in self.reps), default=0)}
        for s, reps in by_side.items():
            if reps:
                out[f"mean_rom_deg_{s}"] = round(float(np.mean([r.rom_deg for r in reps])), 2)
                starts = [r.t_start for r in reps]
                out[f"cadence_per_min_{s}"] = (round((len(starts) - 1) / (starts[-1] - starts[0]) * 60.0, 1)
                                               if len(starts) >= 2 and starts[-1] > starts[0] else None)
            else:
                out[f"mean_rom_deg_{s}"] = None
                out[f"cadence_per_min_{s}"] = None
        total = self.frames_measured + self.frames_front
        out["measurable_share"] = round(self.frames_measured / total, 3) if total else 0.0
        return out


# ---------------------------------------------------------------------------------------------
# The exercise protocol (exercises/base.py)
# ---------------------------------------------------------------------------------------------

#: ``reps.csv`` of an ankle-pump session: the summary's own field names (units in docs/summary-schema.md).
REP_COLUMNS = ("kind", "index", "side", "set", "t_start", "t_plantar", "t_dorsi", "t_end", "duration_s", "cycle_s",
               "plantar_peak_deg", "dorsi_peak_deg", "rom_deg", "plantar_deg", "dorsi_deg", "leg_motion_deg")
#: ``--exercise auto``: a pump cycle counts only with the leg still: the shank turned less than this
#: (deg) — the level of the bundled ``pump_whole_leg`` rule (clean rendered pumps 5–8°; the squats
#: of the real squat-to-calf-raise clip read as pump cycles with 14–28°).
PUMP_LEG_STILL_DEG = 12.0
#: ``--exercise auto``: score of a seated or lying recording whose foot angle showed no pump: from
#: straight in front the foot's angle is not measurable, and a seated person is then still most
#: likely doing ankle pumps, footform's only seated exercise.
SEATED_PRIOR = 0.4


class AnklePumpsExercise(Exercise):
    """Ankle pumps behind the exercise protocol (their own machine, metrics and rules)."""

    id = "ankle_pumps"
    rep_columns = REP_COLUMNS

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.pumps = AnklePumps()

    def step(self, state: FrameState) -> FrameUpdate:
        p = self.pumps
        new = p.step(state.kin, state.det)
        return FrameUpdate(shown={"reps": len(p.reps), "rep_phase": p.phase},
                           signals={f"foot_shank_angle_{s}": a for s, a in p.angles.items()},
                           judge=[("rep", r.to_row()) for r in new])

    def finish(self, end: StreamEnd) -> None:
        self.pumps.finish(end.t_s)

    def completed(self, start: int) -> list[dict[str, Any]]:
        return [r.to_row() for r in self.pumps.reps[start:]]

    def results(self, analysable: bool, view: str) -> Results:
        if not analysable:
            return Results()
        p = self.pumps
        res = Results(reps=p.rows(), set_stats=p.set_stats(), events=sorted(p.events, key=lambda e: e["t_s"]))
        share = res.set_stats["measurable_share"]
        if share < 0.5:
            res.warnings.append(
                "Ankle pumps are counted from the foot's angle to the shank, which is not measurable from a front "
                f"view (the body was turned less than {YAW_MIN_DEG:.0f}° from square-on on "
                f"{100 * (1 - share):.0f} % of the frames): turn the chair about 45–90° to the camera.")
            res.not_measurable.append("ankle pump count and range: not measurable from a front view")
        return res

    def auto_score(self, ev: AutoEvidence) -> AutoScore:
        """Seated cycles of the busier foot with the leg still (exercises/choose.py)."""
        by_side = {"left": 0, "right": 0}
        moving = 0
        for r in self.pumps.reps:
            sh = ev.seated_share(r.t_start, r.t_end)
            if sh is None or sh < 0.5:
                continue
            if math.isfinite(r.leg_motion_deg) and r.leg_motion_deg > PUMP_LEG_STILL_DEG:
                moving += 1
                continue
            by_side[r.side] = by_side.get(r.side, 0) + 1
        cycles = max(by_side.values())
        seated = ev.seated_share()
        measured = self.pumps.frames_measured + self.pumps.frames_front
        measurable = self.pumps.frames_measured / measured if measured else 0.0
        score = saturate(cycles, 1.0)
        if seated is None or seated == 0.0:
            evidence = "posture not seen" if seated is None else "standing throughout"
        else:
            evidence = count_words(cycles, "cycle") + f" (seated or lying {100 * seated:.0f} % of the time"
            evidence += f"; {moving} more moved the whole leg)" if moving else ")"
            if cycles == 0 and seated >= 0.5 and measurable < 0.5:
                score = SEATED_PRIOR
                evidence += "; the foot's angle is not measurable from the front"
        return AutoScore(score, evidence)

    @classmethod
    def table_lines(cls, res: Results, height_cm: float | None) -> list[str]:
        lines = [f"{'rep':>3} {'foot':<5} {'set':>3} {'start s':>7} {'end s':>6} {'range°':>6} {'point°':>6} {'pull°':>6} "
                 f"{'cycle s':>7} {'leg°':>5}"]
        for r in res.reps:
            lines.append(f"{r['index']:>3} {r['side']:<5} {r['set']:>3} {fmt(r['t_start']):>7} {fmt(r['t_end']):>6} "
                         f"{fmt(r['rom_deg'], 1):>6} {fmt(r['plantar_deg'], 1):>6} {fmt(r['dorsi_deg'], 1):>6} "
                         f"{fmt(r['cycle_s']):>7} {fmt(r['leg_motion_deg'], 1):>5}")
        s = res.set_stats
        lines.append(f"pumps: left {s.get('reps_by_side', {}).get('left', 0)}, right {s.get('reps_by_side', {}).get('right', 0)}"
                     f"   mean range: left {fmt(s.get('mean_rom_deg_left'), 1)}°, right {fmt(s.get('mean_rom_deg_right'), 1)}°")
        return lines
