"""Per-frame kinematics: body scale and body-scaled signals, each with a validity flag.

Input: a :class:`~footform.core.landmarks.PoseFrame` (normalised image landmarks) and its
:class:`~footform.core.view.Framing`.  Output: a :class:`Kinematics` record of plain floats, ``NaN``
where a value is not valid in this frame (landmark not seen, foot not usable, not measurable
from the current view).  Nothing here is smoothed and nothing is relative to a baseline: the
exercise state machines calibrate baselines and the filters smooth (see ``filters.py``).

Frames of reference and units
-----------------------------
* Image landmarks are converted to **pixels** (x · width, y · height) before any distance is
  taken, so non-square frames keep the right aspect.
* Heights are measured **upwards** (−y in the image).
* Lengths are then divided by the **foot length FL** (pixels), the body unit of every footform
  figure.  FL is not the heel–toe distance seen in the image (that is foreshortened from the
  front or back) but an anthropometric estimate from the shank (knee–ankle, seen almost full
  length from every view while standing): ``FL = shank · 0.152 / 0.246`` (Drillis & Contini;
  Winter, *Biomechanics and Motor Control of Human Movement*: foot length 0.152 H, shank
  length 0.246 H).  The shank length is a robust running estimate: the median of the last
  :data:`SCALE_WINDOW` valid measurements.
* **Centimetres**, when the person's height H is given: ``cm_per_px = 0.246 · H / shank_px``.
  This is an estimate (individual proportions vary by ~±5 %).
* "Medial/lateral" are the subject's own; they map to image ±x according to the view (front:
  the subject's left is image right; back: image left).  From a side view frontal-plane values
  are ``NaN`` ("not measurable from this view").
* What MediaPipe reports of a heel raise is *less* than the true raise (~83 % from the side,
  64–69 % from behind, 52–58 % front three-quarter; from straight in front the toe point rises
  with the heel).  All heights here are the model's view of the body, not measurements of it.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from footform.core.body_mass import segmental_com_x
from footform.core.landmarks import LEGS, LM, PoseFrame
from footform.core.view import VISIBILITY_MIN, Framing, view_family

#: Anthropometric segment lengths as fractions of standing height (Drillis & Contini 1966, as
#: tabulated by Winter): foot length and shank (knee to ankle) length.
FOOT_PER_HEIGHT = 0.152
SHANK_PER_HEIGHT = 0.246
FOOT_PER_SHANK = FOOT_PER_HEIGHT / SHANK_PER_HEIGHT

#: Number of recent valid shank measurements (the longer of the two usable legs per frame) whose
#: median is the body scale (~1.5 s at 30 fps).
SCALE_WINDOW = 45

#: A "hard cut" (the camera or the person jumps): the ankle midpoint moves more than this many
#: shank lengths between valid frames less than :data:`CUT_MAX_GAP_S` apart, or the shank length
#: changes by more than the factor below, and the next :data:`CUT_CONFIRM_FRAMES` frames agree
#: with the new place.  A person stepping moves the ankle midpoint by < 0.3 shank between frames at
#: 25 fps; the cuts in shared/footage jump by > 0.8 shank or change the scale by > 1.5×.
CUT_JUMP_SHANKS = 0.6
CUT_SCALE_RATIO = 1.5
CUT_MAX_GAP_S = 0.5
CUT_CONFIRM_FRAMES = 3
#: After this long without a usable frame, the stream is treated as restarted (re-baseline).
LOST_GAP_S = 2.0

#: Leg-geometry plausibility (a frame failing it is unusable: no foot is measured on it).
#: * The longer shank (knee–ankle, image) may be at most this many times the shorter one.  Measured
#:   (99th percentile of longer/shorter, person found, full model): 1.06 seated ankle circles,
#:   1.21 lateral leg swings, 1.22 knee raises, 1.26 squat / calf raise (shared/footage); 1.5 is
#:   above all of them with margin.  On the rear waist-down dumbbell clip, where the model puts
#:   both legs' points on one leg, 7.9 % of the frames with a person exceed it.  Only checked while
#:   both ankles are within :data:`LEVEL_ANKLES_SHANKS` of the same height (both feet down): a foot
#:   lifted behind (bent-knee single-leg stance) legitimately foreshortens its shank.
#:   NOT APPLIED (``None``): on the real sample samples/pose2sim_cam01.mp4 a leg swung towards the
#:   camera from a front three-quarter view, foot near the floor, reads 1.5–2× shorter on 31 % of the
#:   frames — a real pair of legs.  Kept for reference; only the foot-jump check below is applied.
LR_SHANK_RATIO_MAX: float | None = None
#: Both feet count as down for the shank check when the ankles' heights differ by less than this
#: many (longer) shanks: 0.3 shank ≈ 0.5 FL, the foot-contact lift threshold (exercises/contact.py).
LEVEL_ANKLES_SHANKS = 0.3
#: * A foot "teleports" (the model swapped it onto the other leg or lost it): one ankle moves faster
#:   than this many shank lengths per second between consecutive frames while the other ankle moves
#:   less than a third as far (a hard cut or camera jerk moves both).  Fastest real ankle motion
#:   measured (99th percentile per frame): 0.31 shank/frame ≈ 9 shank/s in the lateral leg swings
#:   (29.97 fps), 0.51 shank/frame ≈ 13 shank/s in the knee raises (25 fps); 25 shank/s (≈ 10 m/s
#:   for a 40 cm shank) is twice that.
TELEPORT_SHANKS_PER_S = 25.0

#: A thigh (``thigh_incline_deg``) within this angle of vertical is upright (the calf-raise counter
#: and the exercise chooser use it).  Measured (5th–95th percentile of the more upright thigh, per
#: clip): standing 1–23° (rendered calf-raise and stance samples; real knee raises, leg swings, rear
#: dumbbell calf raises in shared/footage), 17–33° in the rendered calf-stretch lunge; seated
#: 57–64° (rendered ankle pumps, legs extended) and 77–80° (real seated ankle circles, knees bent);
#: the squats of shared/footage hard_night_squat_to_calf_raise reach 80–88°.
UPRIGHT_MAX_DEG = 45.0

SIGNAL_NAMES = (
    "heel_toe_left", "heel_toe_right",      # heel above toe, FL
    "heel_h_left", "heel_h_right",          # heel height in the image (up +), FL
    "ankle_h_left", "ankle_h_right",        # ankle height in the image, FL
    "hip_h", "shoulder_h",                  # hip / shoulder midpoint height in the image, FL
    "elev_right_minus_left",                # how much higher the right foot's lowest point is, FL
    "com_x",                                # COM proxy horizontal position in the image, FL
    "com_body_x_left", "com_body_x_right",  # segmental centre of mass standing on that leg, image horizontal, FL
    "foot_x_left", "foot_x_right",          # foot centre horizontal position, FL
    "com_depth_left", "com_depth_right",    # hip midpoint depth minus ankle depth (world z), FL
    "heel_medial_left", "heel_medial_right",  # heel offset from toe towards the midline, FL
    "shank_angle_left", "shank_angle_right",  # frontal-plane shank tilt, deg (+ = knee lateral)
    "knee_medial_left", "knee_medial_right",  # knee offset medially from the hip–ankle line, FL
    "pelvic_drop",                          # hip line tilt, deg (+ = right hip lower)
    "trunk_lean",                           # shoulder midpoint vs hip midpoint, deg (+ = to subject's left)
    "ankle_angle_left", "ankle_angle_right",  # shank–foot angle in the image (side view), deg
    "ankle_medial_left", "ankle_medial_right",  # ankle offset from the heel–toe midpoint towards the midline, FL
    "ankle_above_foot_left", "ankle_above_foot_right",  # ankle height above the foot's lowest point, FL
    "knee_angle_left", "knee_angle_right",  # hip–knee–ankle angle in the image, deg (180 = straight)
    "elev_world_right_minus_left",          # as elev_right_minus_left, from the 3-D world landmarks, FL
    # -- calf stretch / ankle pumps (exercises/calf_stretch.py, ankle_pumps.py) --
    "foot_shank_angle_left", "foot_shank_angle_right",  # shank–foot angle in the image in every view, deg
    "toe_dx_left", "toe_dx_right",          # toe tip minus heel along image x, FL (side view: sign = facing)
    "shank_tilt_left", "shank_tilt_right",  # shank direction in the image from vertical, deg (+ = knee to image right)
    "yaw_deg",                              # body turn from the world hip(+shoulder) axis: 0 = square on, 90 = side on
    "body_rise",                            # camera-compensated rise of the body since the stream began, FL (footform.core.motion)
    "thigh_incline_deg",                    # the more upright thigh's angle from vertical, 3-D world landmarks, deg (posture)
    "fl_px",                                # the FL scale of this frame, pixels (smoothed with the FL signals: FL × this = pixels)
    "heel_ankle_medial_left", "heel_ankle_medial_right",  # heel offset from the ankle towards the midline, FL (heel alignment)
)
SIG = {name: i for i, name in enumerate(SIGNAL_NAMES)}


@dataclass
class Kinematics:
    """Kinematic state of one frame.

    Attributes:
        index, t_s: the frame's index and time (s).
        has_person: the pose stage found a person.
        foot_ok: per side, the foot is usable (see :class:`~footform.core.view.Framing`).
        view: current camera view (``front``/``back``/``side-left``/``side-right``/``unknown``).
        shank_px: robust body scale: median shank length, pixels (NaN until measured).
        foot_px: foot length FL derived from ``shank_px``, pixels.
        cm_per_px: centimetres per pixel at the person's distance (NaN without height).
        cut: a hard cut or a restart after lost tracking happened just before this frame.
        signals: float vector laid out as :data:`SIGNAL_NAMES` (NaN = not valid).
        implausible: ``""``, or why the leg geometry of this frame is not a real pair of legs
            (``"shank_ratio"``, ``"foot_jump"``); such a frame has no usable foot and no signals
            (except ``body_rise``, which comes from the pixels, not the leg landmarks).
        scene_cut: the pose stage saw a hard cut in the pixels before this frame (only when it
            measured the camera-compensated rise, :mod:`footform.core.motion`).
    """

    index: int
    t_s: float
    has_person: bool
    foot_ok: dict[str, bool]
    view: str
    shank_px: float
    foot_px: float
    cm_per_px: float
    cut: bool
    signals: np.ndarray = field(repr=False)
    implausible: str = ""
    scene_cut: bool = False

    def get(self, name: str) -> float:
        return float(self.signals[SIG[name]])

    @property
    def feet_ok(self) -> bool:
        """Both feet usable — or, from the side, the near foot: there the far foot is hidden
        behind it (MediaPipe still guesses it, at visibility ≈ 0.5 on the rendered side-view
        samples) and the near foot carries the measurement."""
        if view_family(self.view) == "side":
            return self.foot_ok.get("left", False) or self.foot_ok.get("right", False)
        return self.foot_ok.get("left", False) and self.foot_ok.get("right", False)


def _lateral_sign(view: str, side: str) -> float:
    """Image-x direction (+1/−1) of the subject's ``side`` in this view; 0 where not frontal."""
    fam = view_family(view)
    if fam == "front":
        return 1.0 if side == "left" else -1.0
    if fam == "back":
        return -1.0 if side == "left" else 1.0
    return 0.0


#: The heel alignment (``heel_medial_*``, ``heel_ankle_medial_*``) is measured only while the body
#: is turned at most this far from facing or backing the camera (degrees, from the world hip +
#: shoulder axis), whatever the view label says.  Measured turn on the rendered set
#: (bench/scenarios, 640×360–1280×720): back / front 4–20°, back three-quarter 40–58°, front
#: three-quarter 41–46°, side views 82–85°.  The limit was 65° (every three-quarter view measured)
#: until the back three-quarter graded heel renders (``hg_back-three-quarter-*``, 1280×720) showed
#: what the alignment reads there: on the calibration clips' clean reps −0.036 to +0.030 FL, beyond
#: the rules' ±0.025 FL on 5 of 10 clean foot-reps (false "heel rolls" warnings on half of them),
#: against −0.024 to +0.023 FL on the clean reps from behind — a three-quarter view turns the
#: heel's sideways drift partly into depth, which the image does not see.  30° sits in the gap
#: between the frontal views' measured turn and the three-quarter views'; beyond it the heel rules
#: say "not measurable" (docs/rules.md, "Heel alignment").
HEEL_TURN_MAX_DEG = 30.0


def _hip_shoulder_axis(frame: PoseFrame) -> np.ndarray | None:
    """The body's left-minus-right world axis (hips, plus shoulders when both are visible; m)."""
    if frame.world is None:
        return None
    w = frame.world
    axis = w[LM.LEFT_HIP] - w[LM.RIGHT_HIP]
    if min(frame.visibility(LM.LEFT_SHOULDER), frame.visibility(LM.RIGHT_SHOULDER)) >= VISIBILITY_MIN:
        axis = axis + (w[LM.LEFT_SHOULDER] - w[LM.RIGHT_SHOULDER])
    return axis


def _turn_deg(axis: np.ndarray | None) -> float | None:
    """How far the body axis ``axis`` (:func:`_hip_shoulder_axis`) is turned from square to the
    camera (0° facing or backing it, 90° side on); None without it."""
    if axis is None or (axis[0] == 0.0 and axis[2] == 0.0):
        return None
    return math.degrees(math.atan2(abs(float(axis[2])), abs(float(axis[0]))))


def heel_lateral_sign(frame: PoseFrame, view: str, side: str) -> float:
    """Image-x direction (+1/−1) of the subject's ``side`` for the heel alignment, 0 where it is not
    measured: when the body is turned more than :data:`HEEL_TURN_MAX_DEG` from frontal (whatever
    the view label), or without world landmarks and a front / back label.  The view's direction
    (:func:`_lateral_sign`) in a front or back view, otherwise the world hip (+ shoulder) axis's."""
    axis = _hip_shoulder_axis(frame)
    turn = _turn_deg(axis)
    if turn is not None and turn > HEEL_TURN_MAX_DEG:
        return 0.0
    lat = _lateral_sign(view, side)
    if lat != 0.0 or axis is None or float(axis[0]) == 0.0:
        return lat
    # facing the camera (dx > 0) the subject's left is on the image right
    left = 1.0 if float(axis[0]) > 0 else -1.0
    return left if side == "left" else -left


class KinematicsEstimator:
    """Turns pose frames into :class:`Kinematics`; holds only the running scale and cut state."""

    def __init__(self, height_cm: float | None = None) -> None:
        self.height_cm = height_cm
        self._shanks: deque[float] = deque(maxlen=SCALE_WINDOW)
        self._ref_pos: np.ndarray | None = None   # ankle midpoint (px) of the last accepted frame
        self._ref_ankles: dict[str, np.ndarray] = {}  # its usable ankles (px) by side
        self._ref_shank: float | None = None
        self._ref_t: float | None = None
        self._pending: list[tuple[np.ndarray, float]] = []
        self._restart = True
        self._prev_ankles: tuple[float, np.ndarray] | None = None  # (t_s, 2×2 px) of the last frame with a person
        #: Accumulated camera-compensated rise of the person (FL, up +) since the stream began:
        #: the sum of the pose stage's per-frame ``rise_px``, each converted with the body scale
        #: of its time (so a later change of scale does not rescale the past).  Frames where it
        #: was not measured, frames before any scale and scene cuts add nothing, so the signal
        #: stays continuous (a cut changes the camera, not how high the person stands); its slow
        #: drift is the rep counter's business (calf_raise.py, "Body rise").
        self._rise_total_fl = 0.0

    def reset_scale(self) -> None:
        self._shanks.clear()

    def _cut_check(self, t_s: float, ankles: dict[str, np.ndarray], shank: float) -> tuple[bool, bool]:
        """(accept this frame, a cut happened).  Frames inside an unconfirmed jump are held back.

        The jump is measured per foot, on the feet usable both now and in the reference frame, and
        the *smallest* (or the midpoint's, if smaller) counts: a cut or a camera jerk moves every foot, while one leg tucked behind
        the other, hidden or misplaced by the model moves only its own foot (issue #16: a tucked
        free leg read as a cut and ended single-leg holds).
        """
        pos = np.mean(list(ankles.values()), axis=0)
        if self._ref_pos is None or self._ref_t is None or self._ref_shank is None:
            return True, False
        if t_s - self._ref_t > LOST_GAP_S:
            return True, True
        ref = self._ref_shank
        jump = float(np.linalg.norm(pos - self._ref_pos)) / ref
        common = [s for s in ankles if s in self._ref_ankles]
        if common:  # (the midpoint still counts: a left/right swap by the model moves both feet, not it)
            jump = min(jump, min(float(np.linalg.norm(ankles[s] - self._ref_ankles[s])) for s in common) / ref)
        ratio = max(shank, 1e-6) / ref
        far = jump > CUT_JUMP_SHANKS or ratio > CUT_SCALE_RATIO or ratio < 1.0 / CUT_SCALE_RATIO
        if not far:
            self._pending.clear()
            return True, False
        if self._pending:
            p0, s0 = self._pending[-1]
            consistent = float(np.linalg.norm(pos - p0)) / max(s0, 1e-6) < CUT_JUMP_SHANKS / 2 and \
                1 / 1.25 < shank / max(s0, 1e-6) < 1.25
            if not consistent:
                self._pending.clear()
        self._pending.append((pos, shank))
        if len(self._pending) >= CUT_CONFIRM_FRAMES:
            self._pending.clear()
            return True, True
        return False, False

    def leg_problem(self, frame: PoseFrame) -> str:
        """Why this frame's leg geometry is not a plausible pair of legs (``""`` when it is).

        Checks (thresholds and what they were measured on: :data:`LR_SHANK_RATIO_MAX`,
        :data:`TELEPORT_SHANKS_PER_S`): left and right shank lengths must agree, and one ankle may
        not jump while the other stays.  Keeps the previous frame's ankles (call once per frame).
        """
        if frame.image is None:
            self._prev_ankles = None
            return ""
        P = frame.image[:, :2].astype(float) * np.array([frame.width, frame.height], float)
        ankles = np.array([P[LEGS["left"].ankle], P[LEGS["right"].ankle]])
        shanks = [float(np.linalg.norm(P[LEGS[s].knee] - P[LEGS[s].ankle])) for s in ("left", "right")]
        prev, self._prev_ankles = self._prev_ankles, (frame.t_s, ankles)
        level = abs(ankles[0, 1] - ankles[1, 1]) < LEVEL_ANKLES_SHANKS * max(shanks)
        if LR_SHANK_RATIO_MAX is not None and level and max(shanks) > LR_SHANK_RATIO_MAX * max(min(shanks), 1e-6):
            return "shank_ratio"
        if prev is not None:
            dt = frame.t_s - prev[0]
            scale = self.shank_px if self._shanks else max(shanks)
            if 0.0 < dt <= CUT_MAX_GAP_S and scale > 0:
                d = np.linalg.norm(ankles - prev[1], axis=1) / scale
                if d.max() > TELEPORT_SHANKS_PER_S * dt and d.min() < d.max() / 3.0:
                    return "foot_jump"
        return ""

    def step(self, frame: PoseFrame, framing: Framing, view: str) -> Kinematics:
        sig = np.full(len(SIGNAL_NAMES), np.nan)
        fl_before = self.shank_px * FOOT_PER_SHANK
        if math.isfinite(frame.rise_px) and not frame.scene_cut and math.isfinite(fl_before):
            self._rise_total_fl += frame.rise_px / fl_before
        if math.isfinite(frame.rise_px) and math.isfinite(fl_before) and framing.any_foot_ok:
            # From the pixels, so also on frames whose leg landmarks are implausible; but only
            # while the model sees a foot in the picture (a close-up of the hips or the legs
            # without the feet must not count reps, whatever the body does).
            sig[SIG["body_rise"]] = self._rise_total_fl
        cut_px = frame.scene_cut
        problem = self.leg_problem(frame)
        if frame.image is None or not framing.any_foot_ok:
            return Kinematics(frame.index, frame.t_s, frame.has_person, dict(framing.foot_ok), view,
                              self.shank_px, self.shank_px * FOOT_PER_SHANK, self._cm_per_px(), False, sig,
                              scene_cut=cut_px)
        if problem:
            # the model did not see a real pair of legs here: nothing else on this frame is measured
            return Kinematics(frame.index, frame.t_s, True, {"left": False, "right": False}, view, self.shank_px,
                              self.shank_px * FOOT_PER_SHANK, self._cm_per_px(), False, sig, implausible=problem,
                              scene_cut=cut_px)
        W, H = frame.width, frame.height
        P = frame.image[:, :2].astype(float) * np.array([W, H], float)  # pixels, x right / y down
        ok = dict(framing.foot_ok)
        sides = [s for s in ("left", "right") if ok[s]]
        shanks = [float(np.linalg.norm(P[LEGS[s].knee] - P[LEGS[s].ankle])) for s in sides]
        # The longer shank: a bent or lifted leg only ever looks shorter (foreshortening).
        shank_now = float(max(shanks))
        ankles_now = {s: P[LEGS[s].ankle] for s in sides}
        pos = np.mean(list(ankles_now.values()), axis=0)
        accept, cut = self._cut_check(frame.t_s, ankles_now, shank_now)
        if not accept:
            return Kinematics(frame.index, frame.t_s, True, {"left": False, "right": False}, view,
                              self.shank_px, self.shank_px * FOOT_PER_SHANK, self._cm_per_px(), False, sig,
                              scene_cut=cut_px)
        if cut:
            self._shanks.clear()
        if self._restart:
            cut, self._restart = True, False
        self._ref_ankles = ankles_now
        self._ref_pos, self._ref_shank, self._ref_t = pos, (shank_now if cut or self._ref_shank is None else
                                                             0.8 * self._ref_shank + 0.2 * shank_now), frame.t_s
        self._shanks.append(shank_now)
        shank_px = self.shank_px
        fl = shank_px * FOOT_PER_SHANK
        up = lambda y: -y / fl  # noqa: E731 - image y (px) → height in FL
        sig[SIG["fl_px"]] = fl

        for s in sides:
            leg = LEGS[s]
            heel, toe, ankle, knee, hip = P[leg.heel], P[leg.toe], P[leg.ankle], P[leg.knee], P[leg.hip]
            sig[SIG[f"heel_toe_{s}"]] = (toe[1] - heel[1]) / fl
            sig[SIG[f"heel_h_{s}"]] = up(heel[1])
            sig[SIG[f"ankle_h_{s}"]] = up(ankle[1])
            sig[SIG[f"foot_x_{s}"]] = (heel[0] + toe[0] + ankle[0]) / 3.0 / fl
            # Arch-collapse proxy components: the ankle sinking towards the floor and drifting
            # over the inside of the foot (pronation) shows as less height above the foot's lowest
            # point and more medial offset from the heel–toe midpoint.
            sig[SIG[f"ankle_above_foot_{s}"]] = (max(heel[1], toe[1]) - ankle[1]) / fl
            # image-plane shank–foot angle and shank direction in every view (the exercise decides
            # where they mean something: a foot seen end-on from the front has no usable angle)
            sh_v, ft_v = knee - ankle, toe - heel
            cos_fs = float(np.dot(sh_v, ft_v) / max(np.linalg.norm(sh_v) * np.linalg.norm(ft_v), 1e-9))
            sig[SIG[f"foot_shank_angle_{s}"]] = math.degrees(math.acos(max(-1.0, min(1.0, cos_fs))))
            sig[SIG[f"toe_dx_{s}"]] = (toe[0] - heel[0]) / fl
            sig[SIG[f"shank_tilt_{s}"]] = math.degrees(math.atan2(knee[0] - ankle[0], ankle[1] - knee[1]))
            if frame.visibility(leg.hip) >= VISIBILITY_MIN:
                u, v = hip - knee, ankle - knee
                cosk = float(np.dot(u, v) / max(np.linalg.norm(u) * np.linalg.norm(v), 1e-9))
                sig[SIG[f"knee_angle_{s}"]] = math.degrees(math.acos(max(-1.0, min(1.0, cosk))))
            heel_lat = heel_lateral_sign(frame, view, s)
            if heel_lat != 0.0:
                # heel offset from the toe, towards the midline (medial = −lateral)
                sig[SIG[f"heel_medial_{s}"]] = -heel_lat * (heel[0] - toe[0]) / fl
                # the same from the ankle: from behind the toe tip is hidden and guessed (its drift is
                # the bias of heel_medial), the ankle is seen (issue #17, docs/rules.md)
                sig[SIG[f"heel_ankle_medial_{s}"]] = -heel_lat * (heel[0] - ankle[0]) / fl
            lat = _lateral_sign(view, s)
            if lat != 0.0:
                sig[SIG[f"ankle_medial_{s}"]] = -lat * (ankle[0] - 0.5 * (heel[0] + toe[0])) / fl
                # shank tilt from vertical: + when the knee is lateral of the ankle
                dx, dy = knee[0] - ankle[0], ankle[1] - knee[1]
                sig[SIG[f"shank_angle_{s}"]] = math.degrees(math.atan2(lat * dx, dy))
                if frame.visibility(leg.hip) >= VISIBILITY_MIN:
                    # knee distance from the hip–ankle line, + medial (valgus direction)
                    ha = ankle - hip
                    t = float(np.dot(knee - hip, ha) / max(np.dot(ha, ha), 1e-9))
                    foot_pt = hip + t * ha
                    sig[SIG[f"knee_medial_{s}"]] = -lat * (knee[0] - foot_pt[0]) / fl
            else:
                # side view: angle between shank (ankle→knee) and foot (heel→toe), degrees
                a = knee - ankle
                b = toe - heel
                cosang = float(np.dot(a, b) / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-9))
                sig[SIG[f"ankle_angle_{s}"]] = math.degrees(math.acos(max(-1.0, min(1.0, cosang))))
            if frame.world is not None:
                wz = frame.world[:, 2].astype(float)
                wshank = float(np.linalg.norm(frame.world[leg.knee] - frame.world[leg.ankle]))
                if wshank > 1e-3:
                    hip_z = 0.5 * (wz[LM.LEFT_HIP] + wz[LM.RIGHT_HIP])
                    sig[SIG[f"com_depth_{s}"]] = (hip_z - wz[leg.ankle]) / (wshank * FOOT_PER_SHANK)

        if ok["left"] and ok["right"]:
            low_l = max(P[LM.LEFT_HEEL][1], P[LM.LEFT_FOOT_INDEX][1])
            low_r = max(P[LM.RIGHT_HEEL][1], P[LM.RIGHT_FOOT_INDEX][1])
            sig[SIG["elev_right_minus_left"]] = (low_l - low_r) / fl
            if frame.world is not None:
                # World landmarks (metres, y down) see a foot lifted towards the camera, which the
                # image hides by perspective (rendered front-view stance: a 7 cm lift reads 0.02 FL
                # in the image, 7.4 cm in world y).  Normalised by the world shank → FL.  Not yet
                # used for foot contact: its resting bias drifts (on the real knee-raise clip it sat
                # 0.25 FL off after each landing), see docs/metrics.md "Known gaps".
                w = frame.world.astype(float)
                wsh = 0.5 * (np.linalg.norm(w[LM.LEFT_KNEE] - w[LM.LEFT_ANKLE]) + np.linalg.norm(w[LM.RIGHT_KNEE] - w[LM.RIGHT_ANKLE]))
                if wsh > 1e-3:
                    wl = max(w[LM.LEFT_HEEL, 1], w[LM.LEFT_FOOT_INDEX, 1])
                    wr = max(w[LM.RIGHT_HEEL, 1], w[LM.RIGHT_FOOT_INDEX, 1])
                    sig[SIG["elev_world_right_minus_left"]] = (wl - wr) / (wsh * FOOT_PER_SHANK)

        hips_seen = min(frame.visibility(LM.LEFT_HIP), frame.visibility(LM.RIGHT_HIP)) >= VISIBILITY_MIN
        sh_seen = min(frame.visibility(LM.LEFT_SHOULDER), frame.visibility(LM.RIGHT_SHOULDER)) >= VISIBILITY_MIN
        if hips_seen:
            hip_mid = 0.5 * (P[LM.LEFT_HIP] + P[LM.RIGHT_HIP])
            sig[SIG["hip_h"]] = up(hip_mid[1])
            com = hip_mid
            if sh_seen:
                sh_mid = 0.5 * (P[LM.LEFT_SHOULDER] + P[LM.RIGHT_SHOULDER])
                sig[SIG["shoulder_h"]] = up(sh_mid[1])
                # COM proxy: the whole-body centre of mass lies ~10 % of the hip–shoulder
                # distance above the hip joints in quiet standing (Winter: COM at ~0.55 H,
                # hip joint ~0.53 H, shoulder ~0.82 H → (0.55−0.53)/(0.82−0.53) ≈ 0.1).
                com = hip_mid + 0.1 * (sh_mid - hip_mid)
                lat_l = _lateral_sign(view, "left")
                if lat_l != 0.0:
                    dx, dy = sh_mid[0] - hip_mid[0], hip_mid[1] - sh_mid[1]
                    sig[SIG["trunk_lean"]] = math.degrees(math.atan2(lat_l * dx, dy))
            sig[SIG["com_x"]] = com[0] / fl
            if sh_seen:
                for s in ("left", "right"):
                    sig[SIG[f"com_body_x_{s}"]] = segmental_com_x(P, stance=s) / fl
            lat_l = _lateral_sign(view, "left")
            if lat_l != 0.0:
                d = P[LM.LEFT_HIP] - P[LM.RIGHT_HIP]  # points to the subject's left in the image
                # + when the right hip is lower (larger y) than the left
                sig[SIG["pelvic_drop"]] = math.degrees(math.atan2(P[LM.RIGHT_HIP][1] - P[LM.LEFT_HIP][1], abs(d[0]) + 1e-9))

        if frame.world is not None and hips_seen:
            inclines = []
            for s in ("left", "right"):
                if frame.visibility(LEGS[s].knee) >= VISIBILITY_MIN:
                    thigh = frame.world[LEGS[s].knee].astype(float) - frame.world[LEGS[s].hip].astype(float)
                    n = float(np.linalg.norm(thigh))
                    if n > 1e-6:  # world y points down: a thigh hanging straight down has cos = +1
                        inclines.append(math.degrees(math.acos(max(-1.0, min(1.0, float(thigh[1]) / n)))))
            if inclines:
                sig[SIG["thigh_incline_deg"]] = min(inclines)
        if frame.world is not None:
            axis = frame.world[LM.LEFT_HIP] - frame.world[LM.RIGHT_HIP]
            if sh_seen:
                axis = axis + (frame.world[LM.LEFT_SHOULDER] - frame.world[LM.RIGHT_SHOULDER])
            sig[SIG["yaw_deg"]] = math.degrees(math.atan2(abs(float(axis[2])), abs(float(axis[0]))))
        return Kinematics(frame.index, frame.t_s, True, ok, view, shank_px, fl, self._cm_per_px(), cut, sig,
                          scene_cut=cut_px)

    @property
    def shank_px(self) -> float:
        return float(np.median(self._shanks)) if self._shanks else float("nan")

    def _cm_per_px(self) -> float:
        if self.height_cm is None or not self._shanks:
            return float("nan")
        return SHANK_PER_HEIGHT * self.height_cm / self.shank_px


#: Standing heights (cm) footform accepts for its centimetre estimates: children to the very tall;
#: outside this range a typed height is a mistake (a negative number, metres instead of cm).
HEIGHT_CM_RANGE = (50.0, 250.0)


def cm_per_fl(height_cm: float | None) -> float | None:
    """Centimetres per foot length FL for a person of ``height_cm`` (FL = 0.152 H), or None.

    Since FL itself is derived from the shank (0.246 H), this is the same as converting pixels
    with ``0.246 H / shank_px``; it is an anthropometric estimate, not a measurement.
    """
    return None if height_cm is None else FOOT_PER_HEIGHT * float(height_cm)
