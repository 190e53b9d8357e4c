"""What the live screen says: the coach's state, the analysed frame and the form cues → a :class:`Screen`.

:func:`screen_for` decides every text of the live screen (counter or hold timer, set, best holds,
the centre panel — GET READY, REST, PAUSED, ALL SETS DONE —, the pain question, the toast, and
the banner: the form cues on screen, else the framing guidance); :func:`done_screen` the screen
after the session; :func:`guidance` and :func:`view_tip` the framing and camera-view advice.  It
reads the coach (:class:`~footform.apps.live.coach.Coach`) and never changes it; drawing is
:mod:`.overlay`'s job.
"""

from __future__ import annotations

import math
from typing import Any

from footform.apps.live.coach import Coach, pump_angle_seen
from footform.apps.live.cues import CueBoard
from footform.apps.live.overlay import Screen
from footform.exercises import registry

#: Why the calf-stretch timer is paused (``FrameResult.rep_phase`` "paused (<reason>)") → the screen's words.
PAUSE_WORDS = {"heel_lift": "BACK HEEL UP", "knee_bend": "STRAIGHTEN BACK KNEE"}


def fmt_clock(seconds: float) -> str:
    """``75.2`` → ``"1:16"`` (seconds rounded up, for a count-down)."""
    s = max(0, int(math.ceil(seconds)))
    return f"{s // 60}:{s % 60:02d}"


def guidance(coach: Coach, res: Any) -> tuple[str, str]:
    """(banner text, kind) for setup / framing problems, or ("", "")."""
    if res is None:
        return "Starting the camera", "guide"
    if not res.has_person:
        return "Stand in front of the camera", "guide"
    lifted = res.stance in ("left", "right") or res.hold_s is not None
    stance = coach.plan.exercise == "single_leg_stance"
    if not res.feet_visible and not (lifted and stance):   # a lifted foot may be hard to see
        g = (res.guidance or "").lower()
        if "one foot" in g:
            return "Move so both feet are in view", "guide"
        return "Step back until your feet are in view", "guide"
    if coach.state == "setup" and res.rep_phase == "calibrating":
        return "Stand still on both feet", "guide"
    if coach.is_pumps and not pump_angle_seen(res):
        # the foot's angle to the shank cannot be seen from straight in front (ankle_pumps.YAW_MIN_DEG)
        return "Sit sideways to the camera for ankle pumps", "guide"
    return "", ""


def view_tip(coach: Coach, view: str) -> tuple[str, bool]:
    """(tip, view is good) for this exercise and camera view — the one source of the view
    guidance: GET READY shows the tip, and the indicator is green exactly when there is no tip
    and the view is recognised (amber otherwise), so the two never disagree."""
    tip = _view_tip(coach, view)
    return tip, not tip and view != "unknown"


def _view_tip(coach: Coach, view: str) -> str:
    fam = "side" if view.startswith("side") else view
    if fam == "unknown":
        return ""
    if coach.is_calf:
        # side: heel height; back: heels in line with the toes (docs/live.md); front: counting only
        return "" if fam in ("side", "back") else "Tip: turn sideways or your back to the camera for calf raises"
    if coach.is_stretch:
        # knee straightness, dorsiflexion and the soleus/gastrocnemius variant need a side view;
        # from the front or back the legs' order comes from the model's depth guess (approximate)
        return "" if fam == "side" else "Tip: turn sideways for the calf stretch"
    if coach.is_pumps:
        seen = coach.last_res is not None and pump_angle_seen(coach.last_res)
        return "" if fam == "side" or seen else "Tip: sit sideways to the camera for ankle pumps"
    return "Tip: face the camera for balance" if fam == "side" else ""


def screen_for(coach: Coach, t: float, res: Any = None, cues: CueBoard | None = None) -> Screen:
    """The live screen at ``t`` (seconds, source clock) for the coach's state and ``res`` (the last
    analysed frame by default); ``cues``: the form cues to show in the banner (every cue on the
    board at ``t``, one per line), which take the banner from the framing guidance."""
    res = coach.last_res if res is None else res
    p = coach.plan
    s = Screen()
    if res is not None:
        s.feet_ok = bool(res.feet_visible) or (p.exercise == "single_leg_stance" and res.stance in ("left", "right"))
        s.view = res.view
        _, s.view_ok = view_tip(coach, res.view)
    cur = coach.current
    rec = cur or (coach.sets[-1] if coach.sets else None)
    set_no = cur.index if cur else max(1, coach.set_index)
    if coach.counts_reps:
        s.label = "REPS"
        s.big, s.big_suffix = str(rec.n_reps if rec else 0), f"/ {p.reps}"
        if coach.is_pumps:
            by = rec.by_side if rec else {}
            s.label = "PUMPS EACH FOOT"
            s.sub2 = f"LEFT {by.get('left', 0)}   RIGHT {by.get('right', 0)}"
    else:
        _hold_panel(coach, s, str(getattr(res, "rep_phase", "") or ""), rec.best if rec else {})
    s.sub = f"SET {set_no} OF {p.sets}"
    # centre panel
    if coach.paused:
        s.centre_title, s.centre_big, s.centre_sub = "PAUSED", "", "Press SPACE to go on"
    elif coach.state == "setup":
        tip, _ = view_tip(coach, res.view if res is not None else "unknown")
        s.centre_title = "GET READY"
        s.centre_sub = tip or registry.title(p.exercise)
    elif coach.state == "rest":
        s.centre_title, s.centre_big = "REST", fmt_clock(coach.rest_left)
        s.centre_sub = f"Next: set {coach.set_index + 1} of {p.sets}. Press N to start now"
    elif coach.state == "done":
        s.centre_title, s.centre_big, s.centre_sub = "ALL SETS DONE", "", "Well done!  Press Q to finish"
    elif not coach.counts_reps and cur is not None and coach.hold_side is None:
        done = [side for side in ("left", "right") if cur.best.get(side, 0.0) >= p.hold_s]
        if len(done) == 1:
            other = "RIGHT" if done[0] == "left" else "LEFT"
            s.toast = f"NOW STRETCH YOUR {other} LEG" if coach.is_stretch else f"NOW STAND ON YOUR {other} LEG"
    # banner: the form cues on the board (all of them) > framing guidance.  A cue that fired on the
    # set's last rep is shown on the ALL SETS DONE screen too.
    shown = cues.now(t) if cues is not None and coach.state in ("active", "rest", "done") and not coach.paused else []
    g, gk = guidance(coach, res)
    if coach.paused:
        pass
    elif shown:
        s.banner = "\n".join(c.text for c in shown)
        s.banner_kind = "stop" if any(c.kind == "stop" for c in shown) else "warn"
    elif g:
        s.banner, s.banner_kind = g, gk
    # prompt and toast
    digits = coach.pain_digits
    if digits is not None:
        s.prompt = f"PAIN 0-10?  Type a number{(': ' + digits) if digits else ''}"
    s.toast = coach.toast_at(t) or s.toast
    return s


def _hold_panel(coach: Coach, s: Screen, phase: str, best: dict[str, float]) -> None:
    """The counter panel of a hold (stance, calf stretch): leg, timer, target, progress, best per leg."""
    p = coach.plan
    word = "STRETCH" if coach.is_stretch else "HOLD"
    if coach.hold_side is not None:
        s.label = f"{word} - {coach.hold_side.upper()} LEG"
        if coach.is_stretch and phase.startswith("paused"):
            why = phase[phase.find("(") + 1:].rstrip(")")
            s.label = f"PAUSED - {PAUSE_WORDS.get(why, why.replace('_', ' ').upper())}"
        s.big, s.big_suffix = str(int(coach.hold_s)), f"s / {int(p.hold_s)}"
        s.progress = min(1.0, coach.hold_s / p.hold_s) if p.hold_s > 0 else None
    else:
        if coach.is_stretch:
            s.label = "HOLD STILL - TIMER STARTS" if phase == "position" else "STEP INTO THE STRETCH"
        else:
            s.label = "LIFT ONE FOOT"
        s.big, s.big_suffix = "0", f"s / {int(p.hold_s)}"

    def b(side: str) -> str:
        return f"{int(best[side])} s" if side in best else "-"

    s.sub2 = f"BEST  L {b('left')}   R {b('right')}"


def done_screen(coach: Coach, seconds_left: float) -> Screen:
    """The screen shown once the session has ended (everything is saved by then): what was done,
    per set, and the pain/cramp marks; it closes on any key or after ``seconds_left``."""
    lines: list[str] = []
    for rec in coach.sets:
        if rec.kind == "reps":
            by = ""
            if rec.by_side:
                by = "  (" + ", ".join(f"{k[0].upper()} {v}" for k, v in sorted(rec.by_side.items())) + ")"
            lines.append(f"SET {rec.index}: {rec.n_reps} OF {coach.plan.reps} {'PUMPS' if coach.is_pumps else 'REPS'}{by}")
        else:
            best = "  ".join(f"{side[0].upper()} {int(rec.best[side])} s" if side in rec.best else f"{side[0].upper()} -"
                             for side in ("left", "right"))
            lines.append(f"SET {rec.index}: BEST  {best}  (TARGET {int(coach.plan.hold_s)} s)")
    if not lines:
        lines.append("NO SET WAS STARTED")
    counts = {k: sum(1 for m in coach.marks if m["kind"] == k) for k in ("pain", "cramp")}
    marks = ", ".join(f"{k.upper()} {n}x" for k, n in counts.items() if n)
    if marks:
        lines.append(f"MARKED: {marks}")
    lines.append("Saved: the report and summary (see the terminal)")
    title = "ALL SETS DONE" if coach.state == "done" else "SESSION DONE"
    return Screen(centre_title=title, centre_lines=lines, quality=False,
                  centre_sub=f"Press any key to close ({max(0, math.ceil(seconds_left))} s)")
