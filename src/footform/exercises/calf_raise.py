"""Calf raises (double- and single-leg): an online rep counter with baseline calibration.

Why over 500 lines: one module per exercise (docs/architecture.md, "How to add an exercise") — the
state machine and, at the end, its class behind the exercise protocol (summary rows, set figures,
``--exercise auto`` score, CLI table) belong to the one concept and change together; the state
machine's signal choice, baselines, rep splitting and working-side check depend on each other's
state, and about a third of the lines are this description and the measurements behind each
threshold, which belong beside them.

Signal
------
The *lift* (foot lengths FL, up positive) is the rise above the person's own standing baseline of:

* from the side or an unknown view: the heel above the toe of each foot on the floor
  (``heel_toe_*``; relative to the toe, so camera drift cancels);
* from the front and from behind (:data:`IMAGE_HEIGHT_VIEWS`): the mean rise of the hips, the
  shoulders and the heels/ankles of the feet on the floor in the image (``hip_h``, ``shoulder_h``,
  ``heel_h_*``, ``ankle_h_*``): straight from the front or behind MediaPipe's toe point rises with
  the heel, so heel-above-toe barely moves, while the whole body rises by roughly the heel height.
  This needs a still camera (a webcam, a phone on a stand).  The baselines of both sets are kept
  calibrated at rest, so a view label that flips mid-set changes the signal, not the count.
* squatting or seated (thighs past :data:`~footform.core.kinematics.UPRIGHT_MAX_DEG`) nothing is
  measured, and bent-thigh frames are no standing baseline (:data:`BENT_MARGIN_DEG`).

* when the pose stage measured the camera-compensated rise of the person from the pixels
  (``body_rise``, :mod:`footform.core.motion`; it does so on footage the model struggles with, see
  :class:`~footform.io.pose.PoseEstimator`): that rise alone, in every view.  It comes from the
  person's segmentation mask and the optical flow, not from the leg landmarks, so it survives
  landmarks that collapse onto one leg or swap sides (the rear waist-down clip in shared/footage).

MediaPipe reports only part of a real heel raise (:data:`HEEL_REPORTED_SHARE`: 46–110 % of it
depending on the view, the person and the camera), so the lift is a calibrated *estimate* of the
person's movement (consistent within a session and a view), not a measured heel height.

Working side: ``both``, or the standing foot when the foot contact sees the other off the floor;
a rep the contact saw on both feet is checked at its end for a single-leg stance it missed (the
weight shift over one foot, the free foot's 3-D height: :func:`single_leg_side`).

Baseline
--------
Each component's baseline is a low quantile (:data:`BASELINE_QUANTILE`) of its values over the
last :data:`BASELINE_WINDOW_S` seconds *while no rep is in progress*; heels cannot go below the
floor, so the lower envelope of the resting samples is the standing level.  Calibration needs
:data:`CALIBRATION_S` of resting samples (the first still stretch); a hard cut or lost tracking
restarts it (the person or camera moved: the old baseline is meaningless).

Body rise: a drifting signal
----------------------------
``body_rise`` is a sum of per-frame rises, so a hand-held camera makes it drift by a few tenths
of FL over seconds (0.5 FL over 4 s on the rear waist-down clip).  Its baseline is therefore the
*lowest* resting value of the last :data:`RISE_BASELINE_WINDOW_S` (the valley before the rise; no
calibration wait, a valley is a valley), and a rep also ends at the valley after its top once
the body came down by :data:`RISE_VALLEY_FALL` of the rise and turned up again by
:data:`RISE_TURN_FRACTION` of it: back-to-back reps whose valleys drift upwards are not merged.
Which foot works cannot be told from the pixels, and the landmark foot contact is no help on the
footage that needs the body rise (on the rear dumbbell clip it claims one foot off the floor for
most of two of the double-leg reps): every rep is reported as ``both`` (the summary's warning
says single- and double-leg raises are not told apart), and a change of the contact does not
abort a rep.  A pixel scene cut (not the landmark one)
restarts the baseline; a rep whose top was complete when a cut or the end of the video came
(the lift back under :data:`PHASE_HI` of its peak) is kept, ending at its lowest point seen.
Drift is only absorbed while it is slow against the reps: measured limits in docs/metrics.md.

State machine (``down → up → down``), thresholds relative to the person's own range
--------------------------------------------------------------------------------------
* a rep starts when the lift exceeds ``max(MIN_LIFT_FL, START_FRACTION × ref)`` where ``ref``
  is the median peak of the last :data:`REF_REPS` accepted reps (``MIN_LIFT_FL`` before any);
* it ends when the lift falls below ``END_FRACTION × peak`` (the top may last any time up to
  :data:`MAX_REP_S`: pauses at the top or bottom are fine), or — image heights — at the valley
  between two reps whose lift did not come down that far (:data:`SPLIT_VALLEY_FALL`);
* a new rep needs the lift seen low first: under half the start level, or under the start level
  for :data:`CALIBRATION_S`;
* it counts when its peak is ≥ ``FULL_FRACTION × ref`` and it lasted ≥ :data:`MIN_REP_S`;
  otherwise it is a partial rep (an event).  At :meth:`finish` every rep is checked again against
  the median peak of the whole set, so a partial rep before the first full one is also caught.
* Rep phases use 20 % / 80 % of the rep's own peak: ``t_start`` = last time ≤ 20 % before the
  rise, ``t_top`` = middle of the stretch ≥ 80 %, ``t_end`` = first time ≤ 20 % after the top;
  rise = start → first ≥ 80 %; top = time ≥ 80 %; lowering = last ≥ 80 % → end.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from footform.core.kinematics import HEEL_TURN_MAX_DEG, SIG, UPRIGHT_MAX_DEG, Kinematics
from footform.core.numeric import finite
from footform.core.trackability import FOOT_PX_ADVISED, Trackability
from footform.core.view import view_family
from footform.exercises import rows as schema
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

#: Smallest lift that can start a rep, FL.  Smoothed heel-above-toe jitter on a still person is
#: σ ≈ 0.01–0.015 FL (shared/footage README: heel/toe σ ≈ 2 px at 720p, FL ≈ 80 px, /2.5 by the
#: detection smoother), so 0.06 FL is ≥ 4σ; a real calf raise reads 0.1–0.3 FL.
MIN_LIFT_FL = 0.06
#: Smallest peak of a full rep counted from the image heights (front/back,
#: :data:`IMAGE_HEIGHT_VIEWS`), FL; lower ones are partial reps (events).  The same 0.06 FL as
#: :data:`MIN_LIFT_FL`: the mean of the image heights rests within ~0.01 FL.  It was 0.1 against
#: the body's bobbing with each swing of a free leg (real lateral leg swings, front: 0.06–0.08 FL
#: for 1.1–1.5 s) and while balancing on one leg (rendered single-leg samples: 0.04–0.06 FL over a
#: hold, 0.08–0.13 FL for 0.3 s); those are now told apart by what moved
#: (:data:`FREE_FOOT_TRAVEL_FL`, :data:`BODY_SHARE_MIN`, :data:`MIN_REP_IMAGE_S`), while 0.1 FL
#: dropped low raises: 3.8–4.1 cm raises of people 1.7–2.0 m tall (0.13–0.17 FL) read
#: 0.080–0.105 FL from the front and front three-quarter (rendered calibration clips
#: cr2_front_clean_00, cr2_three-quarter-left_clean_12: 4 of 8 reps lost).
MIN_LIFT_IMAGE_FL = 0.06
START_FRACTION = 0.35
#: The image heights (front/back) start a rep at this share of the set's typical peak: their
#: mean over six landmarks rests within ~0.01 FL (rendered rear sample), and a raise a third as
#: high as the set's reads 0.34 of its peaks there once the FL scale's drift is taken out (see
#: IMAGE_HEIGHT_VIEWS; synthetic 2 cm among 6 cm raises, tests/test_calf_raise.py) — under 0.35,
#: so it was neither counted nor reported as a partial rep.
START_FRACTION_IMAGE = 0.3
#: ... and above this many FL: 4 × the resting σ of their mean (≤ 0.01 FL, rendered rear sample);
#: a rep whose peak stays under :data:`MIN_LIFT_IMAGE_FL` is reported as partial, not counted.
MIN_START_IMAGE_FL = 0.04
END_FRACTION = 0.2
#: A full rep reaches at least half of the person's typical peak (their own range).
FULL_FRACTION = 0.5
REF_REPS = 5
#: Shortest rep (start → end).  Jitter spikes last 1–2 frames; the fastest real reps in
#: shared/footage (calf_back_waistdown_dumbbells) take ~0.8 s.
MIN_REP_S = 0.3
#: Shortest rep counted from the image heights (front/back), s.  Balancing on one leg moves the
#: body by 0.08–0.13 FL for 0.3–0.36 s (rendered single-leg front samples after lift-off; real
#: knee raises as the foot comes down), which a 0.3 s minimum counted; the shortest reps measured
#: last ≥ 0.8 s (real rear dumbbell raises), rendered ones ≥ 1.9 s.
MIN_REP_IMAGE_S = 0.5
#: Longer "reps" are not reps (the person stood up on their toes and stayed, or the baseline is off).
MAX_REP_S = 10.0
#: A gap in tracking longer than this aborts the rep in progress.
MAX_GAP_S = 0.5
BASELINE_QUANTILE = 0.2
BASELINE_WINDOW_S = 4.0
CALIBRATION_S = 0.5
#: Resting time between two baseline samples counts at most this (s; a frame at ≥ 10 fps): the
#: time of a rep in between is not rest.  The window keeps the newest :data:`CALIBRATION_S` of
#: resting samples however old: before, a rep longer than :data:`BASELINE_WINDOW_S` (slow tempo,
#: a long top, two reps merged) aged every resting sample out, the counter re-calibrated for 0.5 s
#: after it and missed a rep starting then (the rear sample re-encoded at 300 px lost its 3rd rep
#: that way).  Only then does it differ from a plain 4 s window.
REST_STEP_MAX_S = 0.1
#: A rep's phases: the rise runs from PHASE_LO to PHASE_HI of its peak lift, the lowering back from
#: PHASE_HI to PHASE_LO; their times (``rise_s``, ``top_s``, ``lower_s``) are interpolated between
#: frames at those crossings (:func:`phase_crossing_s`), so a 0.25 s lowering at 15 fps (4 frames)
#: is not read up to two frames long — each end used to be rounded outward to a whole frame.
PHASE_LO = 0.2
PHASE_HI = 0.8
#: While no rep is open the counter keeps this much of the lift (s) since the last low, for the
#: rise's 20 % crossing of the rep that opens (a rise starts within ~1 s of its last low).
PRE_REP_KEEP_S = 2.0
#: Body rise (drifting, see above).  The window is shorter than the heel signals' so that an
#: upward drift at rest builds up less false lift, and long enough to hold the valley through a
#: slow 2 s rise (the start threshold is crossed ~0.7 s into it).  Fall and turn: a rep must come
#: down by half its rise before a turn of a fifth of it ends it at the valley — on the rear
#: waist-down clip the valleys between back-to-back reps sit 0.1–0.2 FL above the previous ones
#: (up to 31 % of the rise).  Set on that clip (drawn against its frames) and on synthetic drifting
#: streams (tests/test_calf_raise.py: at rest, drift ≤ 0.04 FL/s gives no rep, 0.06 FL/s does).
RISE_BASELINE_WINDOW_S = 1.5
RISE_VALLEY_FALL = 0.5
RISE_TURN_FRACTION = 0.2
RISE = "body_rise"
#: Landmark signals: a rep whose lift fell by this share of its peak and rose again by
#: :data:`SPLIT_TURN` of it was two reps (:meth:`CalfRaiseCounter._split_at_valley`).  Stricter
#: than the body rise's (0.5 / 0.2): with those, the landmark jitter of people 200–240 px wide
#: split single reps (side sample downscaled: 4 → 6–11 reps).  Measured on the rear and side samples and
#: their re-encoded/downscaled variants (/work/lowq; 300–640 px): between reps 0.5 s apart the
#: lift bottoms out at 27–40 % of the peaks at 300–360 px.
SPLIT_VALLEY_FALL = 0.6
SPLIT_TURN = 0.35
#: Squatting or seated (``thigh_incline_deg`` above :data:`UPRIGHT_MAX_DEG`): no lift is measured
#: (landmark signals).  Frames whose thighs are inclined more than this past the person's own
#: standing incline (the median of the resting frames, deg) add nothing to the baselines: going
#: into and out of a squat the thighs cross 45° with the hips already/still ~1 FL low (shared/
#: footage hard_night_squat_to_calf_raise: standing 6–9°; 10.5° with the hips 0.02 FL low, 14.5°
#: with them 0.17 FL low), and those low frames made the standing up after a squat read as a rep.
BENT_MARGIN_DEG = 5.0
#: Views whose lift is the rise of the body in the image (hips, shoulders, heels and ankles of the
#: standing feet) instead of heel above toe.  From the front the heel hides behind the toes; from
#: straight behind MediaPipe's toe point sits behind the heel and rises with it, so heel above toe
#: moves by only 0.01–0.10 FL in an 8 cm raise (0.32 FL; rendered rear sample, right foot 0.01–0.05)
#: — the rear sample's peaks (0.061–0.07 FL) straddled :data:`MIN_LIFT_FL` and 1–3 of its 4 reps
#: were counted — while every image height rose by 0.22–0.36 FL (0.7–1.1 of the truth) with a
#: resting σ of 0.011–0.028 FL (measured on the sample as shipped and JPEG-60 re-encoded).
IMAGE_HEIGHT_VIEWS = ("front", "back")
#: On one foot the lift is the image heights in every view: from the side, too, the standing foot's
#: toe point rises with its heel there — heel above toe moved by 0.05–0.075 FL in 5 cm single-leg
#: raises (0.18–0.20 FL; rendered calibration clips cr1_left_side-left_02, cr1_right_side-right_04:
#: 3 of 6 reps counted) while the image heights rose by 0.11–0.13 FL and the hips by 0.14–0.16 FL.
#: (Double-leg raises from the side keep heel above toe: 0.14–0.30 FL, every rep counted.)
SINGLE_LEG_IMAGE_HEIGHTS = ("left", "right")
#: (Their baselines are kept per footing — ``hip_h@left`` …: after the free leg came up, the
#: two-feet baselines left the lift at 0.07–0.08 FL between the reps of cr1_left_side-left_02,
#: above the 20 % that ends a rep, and its 2nd and 3rd reps merged into one that never ended.)
FOOTING_TAG = "@"
#: (Their baselines are kept in pixels and only the rise is turned into FL.  The signals are image
#: y / FL, and the running FL scale moves by 3–4 % when a leg lifts or, for small people, with
#: every rep (rendered single-leg front sample: 39.5 → 41.0 px; rear sample at 360 px: 22.3 ↔ 23.2
#: px in step with the reps): at ~7.5 FL below the image top that alone read as 0.2–0.3 FL of
#: "lift" — a false 0.3 FL rep in the stance sample and a rise lagging the true one.)
#: Single-leg raises the foot contact reported as double-leg (from the front the free foot held
#: forward hides behind perspective: 0.02 FL higher in the image, shared samples) are told by the
#: weight shift and the 3-D height of the free foot (:func:`single_leg_side`).  Measured on the
#: rendered single-leg stance sample seen from the front (free foot 7 cm up): the body's centre
#: sits at +0.95…+1.05 of the way to the stance foot (0.0 ± 0.05 standing on both), the world
#: elevation of the free foot is 0.30–0.38 FL (0.03–0.06 standing).  Double-leg raises (rendered
#: rear sample at every width of the re-encoded set, per-rep medians): |shift| ≤ 0.11, but the
#: world elevation reaches −0.17 FL at 240 px: it only vetoes the shift, and decides alone
#: only where the shift is not measurable.
SINGLE_LEG_SHIFT = 0.6
#: The body's part of the image heights: a calf raise lifts the hips and shoulders with the heels.
BODY_COMPONENTS = ("hip_h", "shoulder_h")
#: A rise of the image heights counts as a raise only when the hips and shoulders rose by at least
#: this share of the lift (peaks).  Measured with the :data:`MIN_LIFT_IMAGE_FL` floor at 0 (every
#: rise a "rep"): on the rendered calf-raise clips the hips and shoulders rose by 0.84–1.6 × the
#: lift (back 0.84–1.1, front 1.2–1.6: the heel and ankle landmarks rise less there); on the
#: single-leg stance clips, where the standing foot's heel and ankle landmarks rise by ~0.1 FL as
#: the weight comes onto it, by 0.13–0.29 × (sls_left_front_clean_00, sls_right_back_arch_01,
#: sls_right_back_touch_11, calibration and test alike).
BODY_SHARE_MIN = 0.5
#: A rep while the free foot moved by more than this (FL, the larger range of its image x and height
#: against the standing foot) is a leg swing or knee raise, not a single-leg raise.  Measured: the
#: real lateral leg swings (shared/footage sls_front_lateral_leg_swings) move the free foot by
#: 4–6 FL across and ~2 FL up per swing and bob the body by 0.05–0.12 FL for 1.1–1.5 s (which a
#: lower :data:`MIN_LIFT_IMAGE_FL` counted); the held free foot of the rendered single-leg raises
#: moves by 0.04–0.38 FL (the six rendered single-leg calf-raise clips, every view), and the
#: brief real knee raises by 0.35–0.63 FL.
FREE_FOOT_TRAVEL_FL = 1.0
SINGLE_LEG_ELEV_WORLD_FL = 0.15
#: The weight shift needs the feet this far apart across the image (FL; standing feet are
#: 0.5–0.6 FL apart from the front or back, ~0 from the side).
SHIFT_MIN_SPREAD_FL = 0.3

#: Footage the counter cannot count from (:meth:`CalfRaise.unmeasurable`; core/trackability.py
#: measures ``foot_px`` and ``jitter_fl``; docs/metrics.md "When the feet are too small to count").
#: * Feet shorter than FOOT_PX_MIN pixels: the two calf-raise samples (side and back, 4 reps each)
#:   re-encoded at widths 160–640 px, 30 and 15 fps, JPEG quality 35–60 (bench/bench_lowres.py):
#:   every version with feet ≥ 22 px counted 4 of 4 (12 of 12); of the 12 with feet of 9–20 px, four
#:   counted wrong (3, 3, 3, 6) at jitters the synthetic streams count through: small feet put the
#:   heel and toe points wrong in a correlated way that smoothing does not remove.
#: * A median rep peak under SNR_MIN × jitter_fl: synthetic streams (tests/synth.py), five reps of
#:   0.12 and 0.23 FL with white landmark noise, three seeds per view: side and back counted exactly
#:   at ≥ 2.9 × and wrong at ≤ 1.9 ×; front (reps from the body's rise) exact at ≥ 5.8 ×, wrong at
#:   ≤ 3.9 ×.  With no rep there is no peak to judge (a still person's real 720p jitter, 0.01–0.03
#:   FL with motion, would fail good footage against the 0.06 FL smallest rep): the summary's
#:   feet-tracked rule decides.  Body-rise counting does not use the heel landmarks: exempt.
#: * The picture's edge cutting off a foot the view needs (core/view.py ``foot_cut_by_edge``;
#:   core/trackability.py ``edge_cut_share``) on at least EDGE_CUT_SHARE_MAX of the frames with a
#:   person: the foot is then usable only on some frames
#:   (typically not at rest, when the toes sit lowest, but during the rise), and reps were lost
#:   without a word.  Rendered calf raises cropped at the bottom so that the lowest toe lies 0–1 FL
#:   beyond the edge (25 crops of five calibration clips, docs/evaluation.md "Calf raises, #18 third
#:   round"): every crop with the feet cut on ≥ 20 % of the frames that was still analysable counted
#:   wrong (0–4 of 3–5 reps) but one (20 %, 5 of 5); every crop under 10 % counted exactly but a
#:   side view's at 0 FL (4 of 5, no foot beyond the edge, the same on main).  On the 91
#:   rendered clips, the samples and their 28 re-encoded variants and shared/footage the share is at
#:   most 0.6 %.
FOOT_PX_MIN = 20
SNR_MIN = {"front": 5.0, "default": 2.5}
EDGE_CUT_SHARE_MAX = 0.1

NOT_MEASURABLE = "not measurable from this view"
#: The label of the heel alignment rules (feedback/rules/calf_raise.toml: heel_sickling,
#: heel_everting); their "not measurable" sentence starts with it, as the engine's do.
HEEL_LABEL = "heel alignment"

#: The heel alignment of a rep (``heel_in``) is the mean over the frames whose lift is at least this
#: share of the rep's peak: a sickled or everted heel turns with the heel height (it is nothing on
#: the floor), so averaging the whole rep diluted it with the frames near the floor.  Chosen on
#: the calibration half of the graded heel-fault renders (issue #17, docs/rules.md).
HEEL_TOP_FRACTION = 0.5
#: The per-frame signal of the heel alignment (core/kinematics.py): the heel's offset towards the
#: midline from the ankle (``heel_ankle_medial``), not from the toe tip (``heel_medial``), which the
#: model hides behind the foot from the back and guesses (docs/rules.md, "Heel alignment").
HEEL_SIGNAL = "heel_ankle_medial"
#: Below this foot length in the picture (FL, pixels: the median of the rep's frames) a rep's heel
#: alignment is not measured (it says why instead).  Measured on the rendered calf raises seen
#: from the back, back three-quarters and front (docs/rules.md, "Heel alignment"): with feet of
#: 31–44 px clean reps read −0.050 to +0.034 FL, beyond the rules' ±0.025 FL; with 52–90 px
#: −0.015 to +0.024 FL.  (Above that, more pixels barely help: the pose model sees the person in a
#: 256-px crop, where the foot is some 35–40 px long at any video size.)
HEEL_FOOT_PX_MIN = 45.0
#: What the heel alignment rules cannot see even where they judge (said in every calf-raise summary
#: whose reps had it measured: "no flag" must not read as "aligned heels").  Measured on the graded
#: heel-fault renders (docs/rules.md, "Heel alignment"): no magnitude up to 20° reached a recall of
#: 0.8 in any view or at any size.
HEEL_LIMIT = ("a heel turned in or out by up to 20° is not measurable from the pose model's landmarks: on rendered "
              "people filmed from behind at 1280×720 most such reps were not flagged (the landmarks follow only "
              "a quarter to a half of the heel's movement); a flag is worth a look, no flag does not mean aligned heels")
HEEL_TOO_SMALL = ("not measurable at this distance: the feet are about {px:.0f} px long in the picture, "
                  "the heel alignment needs at least {min:.0f} px (film closer or at a higher resolution)")


def heel_alignment(lifts: list[float], drift: list[float]) -> float | None:
    """A rep's heel drift towards the midline (FL, + = inversion / sickling): the mean of the
    per-frame ``drift`` (:data:`HEEL_SIGNAL` minus its standing baseline, NaN where not measured) over the
    frames whose lift is at least :data:`HEEL_TOP_FRACTION` of the peak; None when none was measured."""
    # both start at the rep's first frame; a rep cut short at a valley keeps the first len(lifts)
    n = min(len(lifts), len(drift))
    lv, dv = np.asarray(lifts[:n], float), np.asarray(drift[:n], float)
    if n == 0 or not np.isfinite(dv).any():
        return None
    top = (lv >= HEEL_TOP_FRACTION * np.nanmax(lv)) & np.isfinite(dv)
    return round(float(np.mean(dv[top])), 4) if top.any() else None


class LiftBaseline:
    """Low-quantile baseline of one signal over the recent resting samples (bounded deque).

    Samples older than ``window_s`` (wall time) leave the window, except that the newest
    ``calibration_s`` of *resting* time always stay (see :data:`REST_STEP_MAX_S`): a rep longer
    than the window does not leave the baseline empty behind it.
    """

    def __init__(self, quantile: float = BASELINE_QUANTILE, window_s: float = BASELINE_WINDOW_S,
                 calibration_s: float = CALIBRATION_S) -> None:
        self.quantile = quantile
        self.window_s = window_s
        self.calibration_s = calibration_s
        self._buf: deque[tuple[float, float, float]] = deque()  # (t_s, resting clock s, value)
        self._sorted: list[float] = []  # the same values, kept sorted (bisect): the quantile is a lookup
        self._rest_s = 0.0
        self.value = float("nan")

    def reset(self) -> None:
        self._buf.clear()
        self._sorted.clear()
        self._rest_s = 0.0
        self.value = float("nan")

    @property
    def ready(self) -> bool:
        if self.calibration_s <= 0.0:
            return bool(self._buf)
        return len(self._buf) >= 3 and (self._buf[-1][1] - self._buf[0][1]) >= self.calibration_s

    def add(self, t_s: float, v: float) -> None:
        if not math.isfinite(v):
            return
        if self._buf:
            self._rest_s += min(max(t_s - self._buf[-1][0], 0.0), REST_STEP_MAX_S)
        self._buf.append((t_s, self._rest_s, v))
        bisect.insort(self._sorted, v)
        keep_s = max(self.calibration_s, 0.0)
        while (len(self._buf) > 1 and t_s - self._buf[0][0] > self.window_s
               and self._rest_s - self._buf[1][1] >= keep_s):
            _, _, old = self._buf.popleft()
            del self._sorted[bisect.bisect_left(self._sorted, old)]
        if self.ready:
            # numpy's default ("linear") quantile, computed on the sorted window
            xs = self._sorted
            pos = self.quantile * (len(xs) - 1)
            lo = int(pos)
            hi = min(lo + 1, len(xs) - 1)
            self.value = float(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo))


def weight_shift_left(det: np.ndarray) -> float:
    """Where the body's centre (``com_x``) sits between the feet in the image: 0 midway, +1 over
    the left foot, −1 over the right (NaN when the feet are less than :data:`SHIFT_MIN_SPREAD_FL`
    apart across the image, as from the side)."""
    xl, xr, c = (float(det[SIG[n]]) for n in ("foot_x_left", "foot_x_right", "com_x"))
    half = 0.5 * (xl - xr)
    if not (math.isfinite(half) and math.isfinite(c)) or abs(half) < 0.5 * SHIFT_MIN_SPREAD_FL:
        return float("nan")
    return (c - 0.5 * (xl + xr)) / half


def single_leg_side(shift_left: list[float], elev_world_r_minus_l: list[float]) -> str | None:
    """The working foot of a rep from its frames (None: both feet, or not measurable).

    A single-leg raise stands on one foot: the body's centre sits over that foot
    (:data:`SINGLE_LEG_SHIFT`) and the free foot is off the floor in 3-D
    (:data:`SINGLE_LEG_ELEV_WORLD_FL`).  The weight shift decides where it is measurable (the
    feet apart across the image: front, back, three-quarter views); the world elevation must
    not contradict it, and decides alone where the shift is not measurable (from the side).
    """
    sh = [v for v in shift_left if math.isfinite(v)]
    el = [v for v in elev_world_r_minus_l if math.isfinite(v)]
    by_shift = by_elev = None
    if len(sh) >= 3:
        m = float(np.median(sh))
        by_shift = "left" if m >= SINGLE_LEG_SHIFT else "right" if m <= -SINGLE_LEG_SHIFT else None
    if len(el) >= 3:
        m = float(np.median(el))
        by_elev = "left" if m >= SINGLE_LEG_ELEV_WORLD_FL else "right" if m <= -SINGLE_LEG_ELEV_WORLD_FL else None
    if by_shift is not None:
        return by_shift if by_elev in (None, by_shift) else None
    return by_elev if not sh else None


def free_foot_offset(det: np.ndarray, footing: str) -> tuple[float, float]:
    """Where the free foot is against the standing foot ``footing`` in the image: (across, up), FL
    (ankle heights and foot centres; NaN when standing on both feet or not measured)."""
    if footing not in ("left", "right"):
        return (float("nan"), float("nan"))
    free = "right" if footing == "left" else "left"
    dx = float(det[SIG[f"foot_x_{free}"]] - det[SIG[f"foot_x_{footing}"]])
    dy = float(det[SIG[f"ankle_h_{free}"]] - det[SIG[f"ankle_h_{footing}"]])
    return (dx, dy)


def free_foot_travel(offsets: list[tuple[float, float]]) -> float:
    """How far the free foot moved against the standing foot during a rep (FL): the larger range
    of its two image coordinates (0 when it was not measured on at least 3 frames)."""
    xy = np.array([o for o in offsets if math.isfinite(o[0]) and math.isfinite(o[1])], float)
    if len(xy) < 3:
        return 0.0
    return float(np.max(xy.max(axis=0) - xy.min(axis=0)))


def phase_crossing_s(ts: np.ndarray, ys: np.ndarray, level: float, i0: int, step: int) -> float:
    """Time (s) where ``ys`` falls below ``level`` walking from index ``i0`` (at or above it) by
    ``step`` (−1: back in time, +1: forward), interpolated linearly between the two samples on
    either side; the last sample walked when it never does."""
    i = i0
    while 0 <= i + step < len(ys) and ys[i + step] >= level:
        i += step
    j = i + step
    if not 0 <= j < len(ys):
        return float(ts[i])
    f = (ys[i] - level) / (ys[i] - ys[j]) if ys[i] != ys[j] else 0.0
    return float(ts[i] + f * (ts[j] - ts[i]))


def phase_durations_s(ts: np.ndarray, ys: np.ndarray) -> tuple[float, float, float]:
    """Rise, top and lowering times (s) of one rep's height series ``ys`` (any unit, rest = 0, up +)
    sampled at ``ts`` (s): :data:`PHASE_LO` → :data:`PHASE_HI` of the highest point, the time above
    :data:`PHASE_HI`, and back, each end interpolated between frames.  NaN ×3 without a rise."""
    ys = np.asarray(ys, float)
    peak = float(ys.max()) if ys.size else math.nan
    if not peak > 0:
        return math.nan, math.nan, math.nan
    lo, hi = PHASE_LO * peak, PHASE_HI * peak
    idx = np.flatnonzero(ys >= hi)
    up_hi = phase_crossing_s(ts, ys, hi, int(idx[0]), -1)
    down_hi = phase_crossing_s(ts, ys, hi, int(idx[-1]), 1)
    return (up_hi - phase_crossing_s(ts, ys, lo, int(idx[0]), -1), down_hi - up_hi,
            phase_crossing_s(ts, ys, lo, int(idx[-1]), 1) - down_hi)


def phase_times(ts: list[float], heights: list[float]) -> tuple[float, float]:
    """Rise and lowering times (s, as :func:`phase_durations_s`) of a height series over one rep that
    starts at rest (times in s, heights in any unit, up +; the first finite sample is the rest level,
    e.g. the shoulders' image height seen from the side).  NaN, NaN without a rise or with fewer
    than 5 finite samples."""
    t = np.asarray(ts, float)
    y = np.asarray(heights, float)
    ok = np.isfinite(y)
    t, y = t[ok], y[ok]
    if len(y) < 5:
        return math.nan, math.nan
    rise, _, lower = phase_durations_s(t, y - y[0])
    return rise, lower


@dataclass
class Rep:
    """One calf-raise rep.  Times in seconds on the source clock; heights in FL (and cm)."""

    index: int
    side: str                 # "both", "left" or "right" (the working foot/feet)
    t_start: float
    t_top: float
    t_end: float
    peak_lift: float          # FL above the standing baseline (the pose model's estimate)
    peak_lift_cm: float | None
    rise_s: float
    top_s: float
    lower_s: float
    heel_in: dict[str, float | None] | str  # per side, FL, + = heel drifts in (inversion/sickling)
    full: bool = True


@dataclass
class RepState:
    """What the live overlay needs from the counter this frame."""

    reps: int
    phase: str                # "calibrating", "down", "up", "not_measurable"
    lift: float               # FL, NaN when not measurable
    side: str                 # current working side(s)


@dataclass
class _Current:
    t_start: float
    side: str
    ts: list[float] = field(default_factory=list)
    lifts: list[float] = field(default_factory=list)
    heel_in: dict[str, list[float]] = field(default_factory=lambda: {"left": [], "right": []})
    t_last: float = 0.0
    #: the foot or feet the weight was on when the rep started (:meth:`CalfRaiseCounter._footing`)
    footing: str = "both"
    #: per frame of the rep: the weight shift towards the left foot (-1 … +1, see
    #: :func:`weight_shift_left`) and how much higher the right foot is in 3-D (FL)
    shift_left: list[float] = field(default_factory=list)
    elev_world: list[float] = field(default_factory=list)
    #: image heights: per frame of the rep, the rise of the hips and shoulders alone (FL)
    body: list[float] = field(default_factory=list)
    #: per frame, where the free foot is against the standing one ((x, height), FL; NaN on two feet)
    free_foot: list[tuple[float, float]] = field(default_factory=list)
    #: (t s, lift FL) of the frames from ``t_start`` (the last seen low) up to the frame the rep
    #: opened on, so that the rise's 20 % crossing can be read between frames
    pre: list[tuple[float, float]] = field(default_factory=list)


class CalfRaiseCounter:
    """Online calf-raise rep counter (identical live and offline): :meth:`step` once per frame."""

    def __init__(self, cm_per_fl: float | None = None) -> None:
        self.cm_per_fl = cm_per_fl
        self.reps: list[Rep] = []          # accepted reps (re-checked at finish)
        self.partials: list[Rep] = []
        self.events: list[dict] = []
        self._bases: dict[str, LiftBaseline] = {}
        self._cur: _Current | None = None
        #: (t s, lift FL) since the last seen low while no rep is open (bounded: the frames of
        #: :data:`PRE_REP_KEEP_S`), handed to the rep that opens (:attr:`_Current.pre`)
        self._pre: deque[tuple[float, float]] = deque()
        self._last_valid_t: float | None = None
        self._last_lo_t: float | None = None
        self.lift = float("nan")
        self.phase = "calibrating"
        self._armed = True
        self._below_since: float | None = None  # since when the lift has stayed under the start level
        #: the body rise drives the counter (set for good once it is first measured)
        self._rise_mode = False
        #: the lift of the current frame is the body's rise in the image (IMAGE_HEIGHT_VIEWS)
        self._image_heights = False
        #: the person's standing thigh incline (deg, median of the resting frames) and whether
        #: this frame's thighs are bent past it (see :meth:`_upright`)
        self._incline_base = LiftBaseline(0.5)
        self._bent = False

    # -- signals -------------------------------------------------------------------------------
    def _components(self, kin: Kinematics, det: np.ndarray, stance: str) -> tuple[dict[str, float], dict[str, float]]:
        """(the components of this frame's lift, every landmark component of the standing feet).

        The second set keeps the baselines of the other view's components warm, so that a view
        label flipping mid-set (front ↔ unknown at three-quarter views) finds them calibrated."""
        if self._rise_mode:
            # once the pose stage measures the body rise it does so for the rest of the stream:
            # no falling back to the landmarks on a frame where it was not measured
            self._image_heights = False
            v = float(det[SIG[RISE]])
            return ({RISE: v}, {RISE: v}) if np.isfinite(v) else ({}, {})
        # the contact sees both feet down, but the body's centre is over one foot: the other is
        # free (held forward from the front, where perspective hides it) and rises with the leg,
        # not with the raise — it is no component (see single_leg_side and _footing)
        footing = self._footing(stance, det)
        feet = [s for s in ("left", "right") if kin.foot_ok.get(s) and (footing in ("both", s))]
        # image heights back in pixels (see IMAGE_HEIGHT_VIEWS: the FL scale is not steady enough)
        px = self._scale_px(kin, det)
        # on one foot the body stands differently (hips shifted and hiked): the image heights
        # keep a baseline per footing, learnt while standing that way (see SINGLE_LEG_IMAGE_HEIGHTS)
        tag = "" if footing == "both" else f"{FOOTING_TAG}{footing}"
        heights: dict[str, float] = {name + tag: det[SIG[name]] * px for name in BODY_COMPONENTS}
        heel_toe: dict[str, float] = {}
        for s in feet:
            heights[f"heel_h_{s}{tag}"] = det[SIG[f"heel_h_{s}"]] * px
            heights[f"ankle_h_{s}{tag}"] = det[SIG[f"ankle_h_{s}"]] * px
            heel_toe[f"heel_toe_{s}"] = det[SIG[f"heel_toe_{s}"]]
        self._image_heights = view_family(kin.view) in IMAGE_HEIGHT_VIEWS or footing in SINGLE_LEG_IMAGE_HEIGHTS
        comps = heights if self._image_heights else heel_toe
        finite = lambda d: {k: float(v) for k, v in d.items() if np.isfinite(v)}  # noqa: E731
        return finite(comps), finite({**heights, **heel_toe})

    def _footing(self, stance: str, det: np.ndarray) -> str:
        """The foot or feet the body's weight is on this frame: the foot contact's stance, or —
        where the contact sees both feet down but the body's centre sits over one of them
        (:data:`SINGLE_LEG_SHIFT`, :func:`weight_shift_left`) — that foot.  Body rise: ``both``.

        A rep is aborted when this changes (a foot lifted or set down mid-rep), not when the
        contact only catches up with a free foot the weight shift had already shown: on the
        rendered single-leg front and three-quarter clips (calibration cr1_left_front_00) the
        contact saw the free foot ~0.2 s into the first rise, which dropped that rep.
        """
        if self._rise_mode:
            return "both"
        if stance == "both":
            shift = weight_shift_left(det)
            if abs(shift) >= SINGLE_LEG_SHIFT:
                return "left" if shift > 0 else "right"
        return stance

    @staticmethod
    def _scale_px(kin: Kinematics, det: np.ndarray) -> float:
        """Pixels per FL for turning this frame's (smoothed) FL signals back into pixels.

        The FL signals are image y / the running FL scale, smoothed over ±6 frames; the scale
        they were divided by must be smoothed the same way (``fl_px``), or a step of the running
        scale reads as a jump of every image height: 53.1 → 54.3 px on the rendered front clip
        cr2_front_clean_00 moved the lift by 0.065 FL in one frame, mid-rise, and split the rep.
        """
        px = float(det[SIG["fl_px"]])
        if not (math.isfinite(px) and px > 0):
            px = kin.foot_px
        return px if math.isfinite(px) and px > 0 else float("nan")

    def _base(self, name: str) -> LiftBaseline:
        if name not in self._bases:
            if name == RISE:
                self._bases[name] = LiftBaseline(0.0, RISE_BASELINE_WINDOW_S, 0.0)
            else:
                # signed offsets (heel alignment) use the median; heights the low quantile
                self._bases[name] = LiftBaseline(0.5 if name.startswith(HEEL_SIGNAL) else BASELINE_QUANTILE)
        return self._bases[name]

    def reset(self, t_s: float, reason: str, rebaseline: bool = True) -> None:
        """Drop a rep in progress (as an event) and, unless told not to, forget the baselines."""
        if self._cur is not None:
            self.events.append({"type": "rep_aborted", "t_s": round(self._cur.t_start, 3), "t_end_s": round(t_s, 3),
                                "side": self._cur.side, "reason": reason})
            self._cur = None
        self._armed = False  # a new rep needs the lift to come down first
        self._below_since = None
        self._last_lo_t = None
        if rebaseline:
            for b in self._bases.values():
                b.reset()
            self.phase = "calibrating"

    @property
    def rise_mode(self) -> bool:
        """The reps are counted from the body rise (pixels), not the landmarks."""
        return self._rise_mode

    @property
    def ref_peak(self) -> float | None:
        if not self.reps:
            return None
        return float(np.median([r.peak_lift for r in self.reps[-REF_REPS:]]))

    def _thresholds(self) -> tuple[float, float]:
        ref = self.ref_peak
        lo = MIN_LIFT_IMAGE_FL if self._image_heights and not self._rise_mode else MIN_LIFT_FL
        image = self._image_heights and not self._rise_mode
        frac, floor = (START_FRACTION_IMAGE, MIN_START_IMAGE_FL) if image else (START_FRACTION, MIN_LIFT_FL)
        start = floor if ref is None else max(floor, frac * ref)
        full = lo if ref is None else max(lo, FULL_FRACTION * ref)
        return start, full

    @staticmethod
    def _after_top(c: _Current) -> tuple[int, float, int]:
        """(index of the rep's peak, its lift, index of the lowest lift since the peak)."""
        i_pk = int(np.argmax(c.lifts))
        return i_pk, c.lifts[i_pk], i_pk + int(np.argmin(c.lifts[i_pk:]))

    def _valley(self, c: _Current) -> int | None:
        """Index of the valley that ends a rep now, or None (body rise: see "Body rise"; the
        landmark signals: :data:`SPLIT_VALLEY_FALL`)."""
        i_pk, peak, i_lo = self._after_top(c)
        if peak <= 0.0 or i_pk == len(c.lifts) - 1:
            return None
        fall, turn = (RISE_VALLEY_FALL, RISE_TURN_FRACTION) if self._rise_mode else (SPLIT_VALLEY_FALL, SPLIT_TURN)
        fell = peak - c.lifts[i_lo] >= fall * peak
        turned = c.lifts[-1] - c.lifts[i_lo] >= turn * peak
        return i_lo if fell and turned else None

    def _end_at_valley(self, i_lo: int) -> None:
        """Finish the body-rise rep at sample ``i_lo``; the samples after it start the next rest."""
        c = self._cur
        assert c is not None
        b = self._base(RISE)
        # the baseline stays frozen during a rep, so each sample's body rise is its lift + baseline
        ts, raws = c.ts[i_lo:], [lift + b.value for lift in c.lifts[i_lo:]]
        del c.ts[i_lo + 1:], c.lifts[i_lo + 1:]
        self._finish_rep(c.ts[-1])
        b.reset()
        for t, v in zip(ts, raws):
            b.add(t, v)
        self._armed = True  # the valley was seen: the next rise may start a rep at once
        self._last_lo_t = ts[0]

    def _split_at_valley(self, i_lo: int) -> None:
        """Landmark signals: end the rep at sample ``i_lo`` and go on with the next one from there.

        Two reps with a short rest between them, whose lift did not come back under
        :data:`END_FRACTION` of the peak in between (the pose model lags and smooths small people:
        the rear sample at 360 px bottoms out at 27 % of its peaks between reps 0.5 s apart), are
        two reps, not one.  The baselines stay (these signals do not drift like the body rise);
        the samples from the valley on are the next rep's rise.
        """
        c = self._cur
        assert c is not None
        ts, lifts = c.ts[i_lo:], c.lifts[i_lo:]
        free, body = c.free_foot[i_lo:], (c.body[i_lo:] if len(c.body) == len(c.free_foot) else [])
        # the heel-alignment samples are one per frame, like the lifts: split them with them
        heel = {side: v[i_lo:] for side, v in c.heel_in.items()}
        del c.ts[i_lo + 1:], c.lifts[i_lo + 1:], c.free_foot[i_lo + 1:], c.body[i_lo + 1:]
        for v in c.heel_in.values():
            del v[i_lo + 1:]
        self._finish_rep(c.ts[-1])
        # (the weight-shift samples are not kept per time: the next rep collects its own from here on)
        self._cur = _Current(t_start=ts[0], side=c.side, ts=ts, lifts=lifts, heel_in=heel, t_last=ts[-1],
                             footing=c.footing, free_foot=free, body=body)
        self.phase = "up"

    def _keep_if_past_top(self, landmarks: bool = False) -> None:
        """At a scene cut or the end of the stream: keep a body-rise rep whose top was complete;
        with ``landmarks``, also a landmark rep (when the person squats or sits down).

        A rep that had risen and come back under the top level (:data:`PHASE_HI` of its peak)
        was seen whole but for the end of its lowering; it ends at its lowest point seen.  The
        heel signals do not need this at a cut or the end (their reps end at the
        ``END_FRACTION`` level, which a cut rarely interrupts); they do when the person goes
        from a raise straight into a squat (shared/footage hard_night_squat_to_calf_raise).  At
        the end of the video they do not: keeping such reps there gained the last rep of the
        rear sample at 360 px 15 fps (still coming down, 0.7 s after its end: the pose model
        lags small people) but added false reps to the side sample at 160–240 px and to a 1.7 s
        leg-swing clip (samples/pose2sim_cam02).
        """
        c = self._cur
        if not (self._rise_mode or landmarks) or c is None or not c.lifts:
            return
        _, peak, i_lo = self._after_top(c)
        if peak > 0.0 and c.lifts[i_lo] < PHASE_HI * peak:
            if self._rise_mode:
                self._end_at_valley(i_lo)
            else:
                del c.ts[i_lo + 1:], c.lifts[i_lo + 1:]
                self._finish_rep(c.ts[-1])

    def _upright(self, t: float, incline_deg: float) -> bool:
        """Posture check of this frame (landmark signals): False while squatting or seated.

        Going below :data:`UPRIGHT_MAX_DEG` ends a rep that was past its top (a raise straight
        into a squat) and drops one that was not; the next rep must be seen starting low.  Sets
        :attr:`_bent` (thighs more than :data:`BENT_MARGIN_DEG` past the person's standing
        incline): such frames are no standing baseline.
        """
        if not math.isfinite(incline_deg):
            self._bent = False
            return True
        if incline_deg > UPRIGHT_MAX_DEG:
            self._keep_if_past_top(landmarks=True)
            if self._cur is not None:
                self.reset(t, "not_upright", rebaseline=False)
            self._armed = False
            self._bent = True
            return False
        stand = self._incline_base
        self._bent = stand.ready and incline_deg > stand.value + BENT_MARGIN_DEG
        if self._cur is None:
            stand.add(t, incline_deg)
        return True

    # -- per frame -----------------------------------------------------------------------------
    def step(self, kin: Kinematics, det: np.ndarray, stance: str) -> RepState:
        t = kin.t_s
        if not self._rise_mode and np.isfinite(det[SIG[RISE]]):
            self._rise_mode = True
        cut = kin.scene_cut if self._rise_mode else kin.cut
        if cut:
            self._keep_if_past_top()
            self.reset(t, "cut")
        side = "both" if self._rise_mode or stance == "both" else stance
        footing = self._footing(stance, det)
        comps, warm = (self._components(kin, det, stance) if (self._rise_mode or stance in ("both", "left", "right"))
                       else ({}, {}))
        if comps and not self._rise_mode and not self._upright(t, float(det[SIG["thigh_incline_deg"]])):
            # seen, not a tracking gap: nothing is measured until the person stands again
            self._last_valid_t = t
            comps = {}
        if not comps:
            self.lift = float("nan")
            self.phase = "not_measurable" if self.phase != "calibrating" else "calibrating"
            return RepState(len(self.reps), self.phase, self.lift, side)
        if self._last_valid_t is not None and t - self._last_valid_t > MAX_GAP_S:
            # tracking was lost for a while: a rep in progress cannot be trusted, and a rep may
            # only start again after the lift has been seen low (no half-observed reps)
            self.reset(t, "tracking_lost", rebaseline=False)
        self._last_valid_t = t
        if self._cur is None and not self._bent:
            for k, v in warm.items():
                self._base(k).add(t, v)
        rises_by = {k: v - self._base(k).value for k, v in comps.items() if self._base(k).ready}
        rises = list(rises_by.values())
        if not rises:
            if self._cur is not None:
                # The signals changed under a rep in progress (the camera view flipped, e.g.
                # unknown → front, which measures the lift from other landmarks): their baselines
                # cannot calibrate while a rep is open, so drop the rep instead of waiting forever.
                self.reset(t, "signals_changed", rebaseline=False)
            self.phase = "calibrating"
            self.lift = float("nan")
            # the lift seen low before the baselines went away is no start time for the next rep
            # (cr1_left_front_00: the free leg came up at 0.6 s, the one-foot baselines were
            # ready at 1.6 s, mid-rise; the rep "started" at 0.6 s and read a 1.6 s rise)
            self._last_lo_t = None
            return RepState(len(self.reps), self.phase, self.lift, side)
        lift = float(np.mean(rises))
        if self._image_heights:
            lift /= self._scale_px(kin, det)  # pixels → FL at this frame's scale
        self.lift = lift
        start_thr, _ = self._thresholds()
        if self._cur is None and self.phase == "calibrating":
            # The baselines were just learnt from resting samples: the person was at rest, which
            # is what "seen low" asks.  Waiting for the lift to come under half the start level
            # instead lost the first rep of small, noisy people: a mean of low-quantile baselines
            # rests ~0.84 σ above 0, at 22 px feet (rendered wc_double_normal_320x240_30fps_7008,
            # calibration) 0.02–0.066 FL against the 0.04 FL start level, until the first rep.
            # A rise the counter then sees start at once is still judged like any other rep
            # (and again against the set at the end).
            self._armed, self._last_lo_t = True, t
        if self._cur is None:
            self.phase = "down"
            if lift > start_thr:
                self._below_since = None
            elif self._below_since is None:
                self._below_since = t
            if lift <= 0.5 * start_thr or (self._below_since is not None and t - self._below_since >= CALIBRATION_S):
                # seen low: at half the start level, or under it for a calibration's time (a
                # mean of low-quantile baselines rests a little above 0: 0.84 σ of the
                # components' jitter; with noisy image heights that stayed above half the start
                # level and the first rep after a restart was never armed)
                if lift <= 0.5 * start_thr or not self._armed:
                    self._last_lo_t = t
                self._armed = True
            if lift > start_thr and self._armed:
                t0 = self._last_lo_t if self._last_lo_t is not None else t
                self._cur = _Current(t_start=t0, side=side, footing=footing,
                                     pre=[(tp, x) for tp, x in self._pre if tp >= t0])
                self._pre.clear()
            else:
                self._pre.append((t, lift))
                while t - self._pre[0][0] > PRE_REP_KEEP_S:
                    self._pre.popleft()
        if self._cur is not None and footing != self._cur.footing:
            # a foot went up or came down mid-rep (a knee raise, a step): not a calf raise
            self.reset(t, "stance_changed", rebaseline=False)
            return RepState(len(self.reps), self.phase, self.lift, side)
        if self._cur is not None:
            self.phase = "up"
            c = self._cur
            c.ts.append(t)
            c.lifts.append(lift)
            c.t_last = t
            for s in ("left", "right"):
                v = det[SIG[f"{HEEL_SIGNAL}_{s}"]]
                b = self._base(f"{HEEL_SIGNAL}_{s}")
                # one value per frame of the rep (NaN where not measured), aligned with c.lifts
                c.heel_in[s].append(float(v - b.value) if np.isfinite(v) and b.ready else math.nan)
            c.shift_left.append(weight_shift_left(det))
            c.elev_world.append(float(det[SIG["elev_world_right_minus_left"]]))
            if self._image_heights:
                body = [v for k, v in rises_by.items() if k.split(FOOTING_TAG)[0] in BODY_COMPONENTS]
                c.body.append(float(np.mean(body)) / self._scale_px(kin, det) if body else float("nan"))
            c.free_foot.append(free_foot_offset(det, footing))
            peak = max(c.lifts)
            valley = self._valley(c) if peak > start_thr else None
            if lift < END_FRACTION * peak and peak > start_thr:
                self._finish_rep(t)
            elif valley is not None and self._rise_mode:
                self._end_at_valley(valley)
            elif valley is not None and self._image_heights:
                self._split_at_valley(valley)
            elif t - c.t_start > MAX_REP_S:
                self.reset(t, "too_long")
        # resting heel alignment baseline (median of the resting samples)
        if self._cur is None:
            for s in ("left", "right"):
                v = det[SIG[f"{HEEL_SIGNAL}_{s}"]]
                if np.isfinite(v):
                    self._base(f"{HEEL_SIGNAL}_{s}").add(t, float(v))
        return RepState(len(self.reps), self.phase, self.lift, side)

    def _finish_rep(self, t_now: float) -> None:
        c = self._cur
        assert c is not None
        self._cur = None
        self.phase = "down"
        self._last_lo_t = t_now
        ts = np.asarray(c.ts)
        ls = np.asarray(c.lifts)
        peak = float(ls.max())
        hi = ls >= PHASE_HI * peak
        idx_hi = np.flatnonzero(hi)
        t_hi0, t_hi1 = float(ts[idx_hi[0]]), float(ts[idx_hi[-1]])
        lo_after = np.flatnonzero((ls <= PHASE_LO * peak) & (ts > t_hi1))
        t_end = float(ts[lo_after[0]]) if lo_after.size else t_now
        lo_before = np.flatnonzero((ls <= PHASE_LO * peak) & (ts < t_hi0))
        t_start = float(ts[lo_before[-1]]) if lo_before.size else c.t_start
        # the phase times interpolated between frames (the rep's start and end stay frame times):
        # with the frames before the rep opened, from its last seen low
        pre_l = np.asarray([p[1] for p in c.pre], float)
        rise_s, top_s, lower_s = phase_durations_s(np.concatenate([[p[0] for p in c.pre], ts]),
                                                   np.concatenate([pre_l, ls]))
        if lo_after.size == 0:   # the rep ended without a frame at PHASE_LO (a valley split): up to now
            lower_s = t_now - t_hi1
        if lo_before.size == 0 and not (pre_l < PHASE_LO * peak).any():
            rise_s = t_hi0 - t_start   # no frame under PHASE_LO before the top (opened at a valley): from its start
        heel_in: dict[str, float | None] | str
        per_side = {s: heel_alignment(c.lifts, v) for s, v in c.heel_in.items()}
        if self._rise_mode or all(v is None for v in per_side.values()):
            # (body rise: the heel landmarks it replaces are not trusted for the alignment either)
            heel_in = NOT_MEASURABLE
        else:
            heel_in = per_side
        side = c.side
        if side == "both" and not self._rise_mode:
            # the contact saw both feet down; the weight shift and the free foot may say otherwise
            side = single_leg_side(c.shift_left, c.elev_world) or side
        rep = Rep(
            index=0, side=side, t_start=t_start, t_top=0.5 * (t_hi0 + t_hi1), t_end=t_end,
            peak_lift=peak, peak_lift_cm=None if self.cm_per_fl is None else peak * self.cm_per_fl,
            rise_s=rise_s, top_s=top_s, lower_s=lower_s, heel_in=heel_in,
        )
        _, full_thr = self._thresholds()
        min_s = MIN_REP_IMAGE_S if self._image_heights and not self._rise_mode else MIN_REP_S
        not_a_raise = self._not_a_raise(c, peak)
        if not_a_raise:
            self.events.append({"type": "rep_aborted", "t_s": round(rep.t_start, 3), "t_end_s": round(rep.t_end, 3),
                                "side": rep.side, "reason": not_a_raise})
        elif rep.t_end - rep.t_start >= min_s and peak >= full_thr:
            rep.index = len(self.reps) + 1
            self.reps.append(rep)
        else:
            rep.full = False
            self.partials.append(rep)
            self.events.append({"type": "partial_rep", "t_s": round(rep.t_start, 3), "t_end_s": round(rep.t_end, 3),
                                "side": rep.side, "peak_lift": round(peak, 4),
                                "reason": "too_short" if rep.t_end - rep.t_start < min_s else "too_low"})

    @staticmethod
    def _not_a_raise(c: _Current, peak: float) -> str | None:
        """Why a rise of the lift was no calf raise (None: it may be one).

        * ``free_leg_moving``: standing on one foot, the free foot moved against the standing one
          by more than :data:`FREE_FOOT_TRAVEL_FL` — a leg swing or a knee raise bobs the body.
        * ``body_not_rising``: image heights whose hips and shoulders rose by less than
          :data:`BODY_SHARE_MIN` of the lift — only the foot landmarks moved (the weight coming
          onto one foot), the body did not go up.
        """
        if free_foot_travel(c.free_foot) > FREE_FOOT_TRAVEL_FL:
            return "free_leg_moving"
        body = [v for v in c.body if math.isfinite(v)]
        if body and max(body) < BODY_SHARE_MIN * peak:
            return "body_not_rising"
        return None

    def finish(self, t_s: float | None) -> None:
        """End of stream: a rep in progress is dropped (unless it passed its top, body rise only);
        every rep is re-checked against the set."""
        self._keep_if_past_top()
        if self._cur is not None:
            self.events.append({"type": "rep_incomplete", "t_s": round(self._cur.t_start, 3),
                                "t_end_s": None if t_s is None else round(t_s, 3), "side": self._cur.side,
                                "reason": "end_of_video"})
            self._cur = None
        if len(self.reps) >= 3:
            med = float(np.median([r.peak_lift for r in self.reps]))
            keep = []
            for r in self.reps:
                if r.peak_lift >= FULL_FRACTION * med:
                    keep.append(r)
                else:
                    r.full = False
                    self.partials.append(r)
                    self.events.append({"type": "partial_rep", "t_s": round(r.t_start, 3), "t_end_s": round(r.t_end, 3),
                                        "side": r.side, "peak_lift": round(r.peak_lift, 4), "reason": "too_low_for_set"})
            self.reps = keep
        for i, r in enumerate(self.reps, 1):
            r.index = i


# ---------------------------------------------------------------------------------------------
# The exercise protocol (exercises/base.py): the counter behind step / finish / results
# ---------------------------------------------------------------------------------------------

#: Share of the true heel raise footform's peak lift reports, by the view footform classified:
#: per-clip medians of peak_lift_cm / the true heel-pad rise on the 26 analysable rendered
#: calf-raise clips, webcam ones included (issue #18, second round; docs/metrics.md "Heights per
#: view").  Within a clip
#: the reps agree to ±5–10 %; across people and camera set-ups the share spreads as below, in
#: every view, so heights are relative (within a session and a view), not corrected.
HEEL_REPORTED_SHARE = {"side": "52–98 %", "back": "59–93 %, measured as the body's rise in the image",
                       "front": "46–110 %, measured as the body's rise in the image",
                       "unknown": "46–110 % depending on view"}
#: Said with every calf-raise summary's share (see HEEL_REPORTED_SHARE).
RELATIVE_HEIGHTS = ("Compare heights within this session and camera view only: across people and camera set-ups that "
                    "share varies too much for a corrected height.")

#: ``reps.csv`` of a calf-raise session (units in docs/summary-schema.md).
REP_COLUMNS = ("index", "side", "t_start_s", "t_top_s", "t_end_s", "peak_lift_fl", "peak_lift_cm", "rise_s", "top_s",
               "lower_s", "heel_in_left_fl", "heel_in_right_fl", "notes")

#: What the decline figure compares, said wherever it is shown.
DECLINE_LABEL = "peaks, last third of the reps vs first"


def decline_text(pct: float | None) -> str:
    """``set.peak_decline_pct`` in words, the way the CLI and the HTML report both print it.

    ``peak_decline_pct`` = (mean peak of the first third of the reps − mean peak of the last
    third) / mean peak of the first third × 100: **positive when the last reps were lower**
    (fatigue), negative when they were higher.  Printed without a sign, as "4.2 % lower" /
    "0.6 % higher" (last third against the first), so no reader has to know the convention.
    """
    if pct is None or not math.isfinite(pct):
        return "-"
    if round(abs(pct), 1) == 0.0:
        return "no change"
    return f"{abs(pct):.1f} % {'lower' if pct > 0 else 'higher'}"


def heel_unmeasurable(reps: list[dict[str, Any]], view: str, rise_mode: bool = False) -> str | None:
    """The summary's "not measurable" sentence for the heel alignment rules (label
    :data:`HEEL_LABEL`): why, when none of the reps had it measured; what it cannot see
    (:data:`HEEL_LIMIT`) when some had; None without reps.  (The rules judge every view: the
    alignment is measured wherever the body is turned little enough, see
    :func:`footform.core.kinematics.heel_lateral_sign`, and a rep without it is not judged.)"""
    notes = [r.get("heel_in") for r in reps]
    if not notes:
        return None
    if any(isinstance(h, dict) and any(v is not None for v in h.values()) for h in notes):
        return f"{HEEL_LABEL}: {HEEL_LIMIT}"
    if rise_mode:
        return f"{HEEL_LABEL}: not measurable: the leg landmarks were not trusted on this footage"
    why = next((h for h in notes if isinstance(h, str) and h != NOT_MEASURABLE), None)
    if why:
        return f"{HEEL_LABEL}: {why}"
    fam = view_family(view)
    if fam in ("front", "back"):   # a front / back view whose reps were turned past the limit
        return (f"{HEEL_LABEL}: not measurable: the body was turned more than {HEEL_TURN_MAX_DEG:.0f}° "
                f"from square to the camera (face it, or turn your back to it)")
    return f"{HEEL_LABEL}: not measurable from {'this camera view' if fam == 'unknown' else f'a {fam} view'}"


def rep_row(r: Rep) -> dict[str, Any]:
    """One calf-raise rep as a summary row (times in s, ``peak_lift`` in FL, ``peak_lift_cm`` in cm)."""
    return {"index": r.index, "side": r.side, "t_start": finite(r.t_start, 3), "t_top": finite(r.t_top, 3),
            "t_end": finite(r.t_end, 3), "peak_lift": finite(r.peak_lift, 4), "peak_lift_cm": finite(r.peak_lift_cm, 2),
            "rise_s": finite(r.rise_s, 3), "top_s": finite(r.top_s, 3), "lower_s": finite(r.lower_s, 3),
            "heel_in": r.heel_in}


def set_stats(reps: list[dict[str, Any]]) -> dict[str, Any]:
    """The set's figures from its rep rows (FL, %, per minute; docs/summary-schema.md)."""
    if not reps:
        return {"reps": 0}
    peaks = np.array([r["peak_lift"] for r in reps], float)
    tops = np.array([r["t_top"] for r in reps], float)
    out: dict[str, Any] = {"reps": len(reps), "mean_peak_lift": finite(float(peaks.mean()), 4)}
    if len(reps) >= 3:
        third = max(1, len(reps) // 3)
        first, last = peaks[:third].mean(), peaks[-third:].mean()
        out["peak_decline_pct"] = finite(float((first - last) / first * 100.0), 1)
        slope = float(np.polyfit(np.arange(len(peaks)), peaks, 1)[0])
        out["peak_slope_per_rep"] = finite(slope, 5)
    else:
        out["peak_decline_pct"] = None
        out["peak_slope_per_rep"] = None
    out["cadence_per_min"] = (finite(float((len(tops) - 1) / (tops[-1] - tops[0]) * 60.0), 1)
                              if len(tops) >= 2 and tops[-1] > tops[0] else None)
    # the reps the fast-lowering rule judged and did not flag (schema.controlled_lowering_share): the
    # analysis fills it in once the rules have judged the reps (analysis/analyzer.py)
    out["controlled_lowering_share"] = None
    by_side = {s: [r for r in reps if r["side"] == s] for s in ("both", "left", "right")}
    out["reps_by_side"] = {s: len(v) for s, v in by_side.items()}
    if by_side["left"] and by_side["right"]:
        ml = float(np.mean([r["peak_lift"] for r in by_side["left"]]))
        mr = float(np.mean([r["peak_lift"] for r in by_side["right"]]))
        out["left_right_peak_diff_pct"] = finite((ml - mr) / (0.5 * (ml + mr)) * 100.0, 1)
    else:
        out["left_right_peak_diff_pct"] = None
    return out


class CalfRaise(Exercise):
    """The calf raise behind the exercise protocol: the :class:`CalfRaiseCounter` on the shared
    foot contact (from the side only the near foot is seen: a raise is then taken as double-leg)."""

    id = "calf_raise"
    uses_contact = True
    rep_columns = REP_COLUMNS

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.counter = CalfRaiseCounter(setup.cm_per_fl)
        self._judged = 0
        #: (t_s, foot length px) of the recent frames, for the heel alignment's size limit
        #: (bounded: a rep lasts < MAX_REP_S)
        self._foot_px: deque[tuple[float, float]] = deque()

    def _size_heel(self) -> None:
        """Recent reps: a heel alignment measured on feet smaller than :data:`HEEL_FOOT_PX_MIN`
        becomes the sentence why it is not measured (idempotent: a sentence stays a sentence)."""
        if not self._foot_px:
            return
        t_old = self._foot_px[0][0]
        for r in reversed(self.counter.reps):
            if r.t_end < t_old:
                break
            px = [v for t, v in self._foot_px if r.t_start <= t <= r.t_end and math.isfinite(v)]
            if isinstance(r.heel_in, dict) and px and float(np.median(px)) < HEEL_FOOT_PX_MIN:
                r.heel_in = HEEL_TOO_SMALL.format(px=float(np.median(px)), min=HEEL_FOOT_PX_MIN)

    def step(self, state: FrameState) -> FrameUpdate:
        k = state.kin
        stance = state.stance
        if stance == "unknown" and k.feet_ok and view_family(k.view) == "side":
            # From the side only the near foot is seen: a calf raise is taken as double-leg
            # (which foot is lifted cannot be told when the far one is hidden).
            stance = "both"
        rep = self.counter.step(k, state.det, stance)
        self._foot_px.append((k.t_s, k.foot_px))
        while self._foot_px and k.t_s - self._foot_px[0][0] > MAX_REP_S + 2.0:
            self._foot_px.popleft()
        judge: list[tuple[str, dict[str, Any]]] = []
        reps = self.counter.reps
        if len(reps) > self._judged:  # a rep just completed: judge it now (live cue)
            self._size_heel()
            judge = [("rep", {"index": r.index, "side": r.side, "t_start": r.t_start, "t_end": r.t_end,
                              "peak_lift": r.peak_lift, "rise_s": r.rise_s, "lower_s": r.lower_s, "heel_in": r.heel_in})
                     for r in reps[self._judged:]]
            self._judged = len(reps)
        return FrameUpdate(shown={"reps": rep.reps, "rep_phase": rep.phase, "lift": rep.lift}, judge=judge)

    def finish(self, end: StreamEnd) -> None:
        self.counter.finish(end.t_s)

    def completed(self, start: int) -> list[dict[str, Any]]:
        return [rep_row(r) for r in self.counter.reps[start:]]

    def results(self, analysable: bool, view: str) -> Results:
        c = self.counter
        warnings = []
        if analysable and c.rise_mode:
            warnings.append("The pose model kept losing the person on this footage and its leg landmarks were not "
                            "trusted: reps were counted from how far the whole body rose, measured from the pixels with "
                            "the camera's own motion removed. peak_lift is that body rise (FL), not the heel height, "
                            "the heel alignment could not be measured, and single- and double-leg raises cannot be told "
                            "apart (every rep is reported as both feet).")
        elif analysable:
            fam = view_family(view)
            warnings.append("Heel lift is the pose model's estimate: it reports only part of a real heel raise "
                            f"(from this view: {HEEL_REPORTED_SHARE.get(fam, HEEL_REPORTED_SHARE['unknown'])}). "
                            + RELATIVE_HEIGHTS)
        self._size_heel()  # (reps completed at the end of the stream)
        reps = [rep_row(r) for r in c.reps] if analysable else []
        events = sorted(c.events, key=lambda e: e.get("t_s") or 0.0) if analysable else []
        heel = heel_unmeasurable(reps, view, c.rise_mode) if analysable else None
        return Results(reps=reps, events=events, warnings=warnings, not_measurable=[heel] if heel else [],
                       set_stats={**set_stats(reps), "lift_from": "body_rise" if c.rise_mode else "landmarks"})

    def unmeasurable(self, track: Trackability, view: str) -> str | None:
        """Feet too small in the picture or cut off by its edge, or reps that do not stand out of the
        landmark jitter."""
        if self.counter.rise_mode:
            return None
        if track.edge_cut_share is not None and track.edge_cut_share >= EDGE_CUT_SHARE_MAX:
            return (f"The edge of the picture cut off part of a foot on {100 * track.edge_cut_share:.0f} % of the frames "
                    "with a person, so reps cannot be counted reliably; step back or tilt the camera so that both "
                    "feet, toes included, are in the picture.")
        if track.foot_px is not None and track.foot_px < FOOT_PX_MIN:
            return (f"The feet are too small in the picture to count calf raises: about {track.foot_px:.0f} px long "
                    f"in this {track.picture()} (at least {FOOT_PX_MIN} px are needed); film closer or at a higher "
                    f"resolution so that each foot is at least {FOOT_PX_ADVISED} px long.")
        peaks = [r.peak_lift for r in self.counter.reps]
        if track.jitter_fl is None or track.jitter_fl <= 0 or not peaks:
            return None
        peak = float(np.median(peaks))
        need = SNR_MIN.get(view_family(view), SNR_MIN["default"])
        if peak >= need * track.jitter_fl:
            return None
        size = f", feet about {track.foot_px:.0f} px long" if track.foot_px is not None else ""
        return (f"The foot landmarks are too unsteady to count calf raises: the heels jitter by ±{track.jitter_fl:.3f} "
                f"foot lengths from frame to frame in this {track.picture()}{size}, and the reps reach only "
                f"{peak:.2f} foot lengths (counting needs {need:g} times the jitter); film closer, in good light, "
                "with the camera still, or at a higher resolution.")

    # -- --exercise auto -------------------------------------------------------------------
    def rep_tops(self) -> list[float]:
        return [r.t_top for r in self.counter.reps]

    @property
    def landmarks_trusted(self) -> bool:
        return not self.counter.rise_mode

    def auto_score(self, ev: AutoEvidence) -> AutoScore:
        """Upright reps that no foot lift or stretch position explains (exercises/choose.py)."""
        n_lift = n_seated = reps = 0
        for r in self.counter.reps:
            if ev.explained(r.t_start, r.t_end):
                n_lift += 1
            elif ev.upright(r.t_start, r.t_end) < 0.5:
                n_seated += 1
            else:
                reps += 1
        notes = [f"{n_lift} more explained by a foot lifting or a lunge" if n_lift else "",
                 f"{n_seated} more while sitting or squatting" if n_seated else ""]
        return AutoScore(saturate(reps, 1.0), count_words(reps, "rep") + "".join(f" ({n})" for n in notes if n))

    # -- the summary as text and CSV ---------------------------------------------------------
    @classmethod
    def table_lines(cls, res: Results, height_cm: float | None) -> list[str]:
        cm = height_cm is not None
        lines = [f"{'rep':>3} {'side':<5} {'start s':>7} {'peak at s':>9} {'end s':>6} {'lift FL':>7}"
                 + (f" {'lift cm':>7}" if cm else "") + f" {'rise s':>6} {'at top s':>8} {'lower s':>7} {'lower:rise':>10}"]
        for r in res.reps:
            lines.append(f"{r['index']:>3} {r['side']:<5} {fmt(r['t_start']):>7} {fmt(r['t_top']):>9} {fmt(r['t_end']):>6} "
                         f"{fmt(r['peak_lift'], 3):>7}" + (f" {fmt(r['peak_lift_cm'], 1):>7}" if cm else "")
                         + f" {fmt(r['rise_s']):>6} {fmt(r['top_s']):>8} {fmt(r['lower_s']):>7}"
                         + f" {fmt(schema.lower_to_rise_ratio(r), 2):>10}")
        s = res.set_stats
        share = s.get("controlled_lowering_share")
        lines.append(f"reps: {s.get('reps', 0)}   mean peak: {fmt(s.get('mean_peak_lift'), 3)} FL   "
                     f"{DECLINE_LABEL}: {decline_text(s.get('peak_decline_pct'))}   "
                     f"cadence: {fmt(s.get('cadence_per_min'), 1)}/min"
                     + (f"   lowered with control: {100 * share:.0f} %" if isinstance(share, (int, float)) else ""))
        lines.append("FL = foot lengths (a height divided by the foot's length, estimated from the shank); times in s on\n"
                     "the video's clock; 'peak at' = when the heel was highest, 'at top' = time spent above 80 % of the peak;\n"
                     "'lower:rise' = lowering / rise time as the fast-lowering rule judges it (the rise taken as at least\n"
                     "0.35 s; from the side timed on the shoulders); 'with control' = the reps it did not flag.")
        return lines

    @classmethod
    def rep_csv(cls, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``reps.csv``: the row schema's columns (exercises/rows.py; numeric columns stay numeric:
        a sentence such as "not measurable from this view" goes to ``notes``)."""
        out = []
        for r in rows:
            f = schema.rep_fields(r, r["index"])
            note = f["alignment_note"]
            out.append({"index": f["rep_index"], "side": f["side"], **{c: f[c] for c in _CSV_NUMERIC},
                        "notes": f"heel alignment: {note}" if note else ""})
        return out


#: The schema columns ``reps.csv`` shares with the store and the export.
_CSV_NUMERIC = ("t_start_s", "t_top_s", "t_end_s", "peak_lift_fl", "peak_lift_cm", "rise_s", "top_s", "lower_s",
                "heel_in_left_fl", "heel_in_right_fl")
