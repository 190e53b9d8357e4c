"""The HTML report of one stored session, for a therapist (template ``templates/session.html``).

Header (person, date, exercise, camera view, quality), how to read the numbers, key figures, per set a
table of reps (peak height, rise / top / lowering time, heel alignment) or of holds (duration per leg,
sway and ankle wobble each beside its measurement noise floor), stretch holds or ankle pumps, the plots
(:mod:`.session_plots`), the flags in plain words, pain/cramp marks, other events, and what this camera
view cannot measure.

This module turns a :class:`~footform.outputs.store.SessionRecord` into plain values for the template
(numbers formatted with their units by :mod:`.templating`); the template owns every tag and escapes every
value.  Every plot is a ``<figure id="plot-…">``; rows carry ids (``rep-3``, ``hold-1`` …).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from footform.analysis.summary import DECLINE_LABEL, decline_text
from footform.core.numeric import finite
from footform.exercises import registry
from footform.exercises import rows as schema
from footform.outputs.export import FrameSignals, session_signals
from footform.outputs.report import session_plots as plots
from footform.outputs.report.rows import OWN_EXERCISES, cm_per_fl, counted_reps, extra, hold_figs, lift_name
from footform.outputs.report.templating import NBSP, fmt, fmt_angle, pct, plot, render, tspan
from footform.outputs.report.words import (
    ENDED_BY_WORDS,
    EVENT_WORDS,
    HEEL_SHARE,
    PAUSE_REASON_WORDS,
    REASON_WORDS,
    VIEW_NAMES,
    not_measurable,
    targets_words,
    view_family,
)
from footform.outputs.store import Person, SessionRecord, Store, local_time

#: What the controlled-lowering share counts (exercises/rows.py ``controlled_lowering_share``).
CONTROLLED_WORDS = "of reps lowered with control (not flagged for fast lowering)"


def person_view(p: Person | None) -> dict[str, Any] | None:
    """The person line: name, then height, age band and injured side where recorded."""
    if p is None:
        return None
    bits = []
    if p.height_cm:
        bits.append(f"{p.height_cm:.0f} cm")
    if p.age_band:
        bits.append(f"age {p.age_band}")
    if p.injured_side and p.injured_side != "none":
        bits.append(f"injured side: {p.injured_side}")
    return {"name": p.name, "bits": bits}


def with_noise(v: Any, noise: Any, nd: int, unit: str = "", cm: float | None = None, cm_nd: int = 1,
               cm_unit: str = "cm", square: bool = False) -> dict[str, Any]:
    """A sway / wobble figure with its noise floor (``macros.with_noise``): ``low`` when within twice the noise."""
    x, n = finite(v), finite(noise)
    if isinstance(v, str):
        return {"na": v, "value": None}
    if x is None:
        return {"na": None, "value": None}
    f = (cm * cm if square else cm) if cm else None
    return {"na": None, "value": fmt(x, nd, unit), "cm": fmt(x * f, cm_nd, cm_unit) if f else None,
            "noise": fmt(n, nd), "low": n is not None and x < 2 * n}


def na_or(v: Any, nd: int = 0, angle: bool = False) -> dict[str, Any]:
    """A figure (an estimated angle with ``angle``), or the reason it was not measured, shortened to "n/m: …"."""
    if isinstance(v, str):
        return {"na": v.replace("not measurable from a ", "n/m: ").replace("not measurable", "n/m"), "text": ""}
    return {"na": None, "text": fmt_angle(v) if angle else fmt(v, nd)}


def flag_names(flags: Sequence[Mapping[str, Any]]) -> str:
    return ", ".join(str(f.get("label") or f["code"]) for f in flags)


# ---------------------------------------------------------------------------------------------
# Header, how to read, key figures
# ---------------------------------------------------------------------------------------------

def quality_text(rec: SessionRecord) -> str | None:
    s = rec.session
    frames = s.get("frames")
    if not frames:
        return None
    return (f"person found on {pct(s.get('frames_with_person'), frames)}, both feet seen on "
            f"{pct(s.get('frames_feet_visible'), frames)} of {frames} frames")


def honesty_context(rec: SessionRecord, cm: float | None) -> dict[str, Any]:
    """What the "How to read these numbers" box (``templates/honesty.html``) says about this session."""
    fam = view_family(rec.session.get("view"))
    exercise = rec.session.get("exercise") or ""
    return {"exercise": exercise, "own": exercise in ("calf_stretch", "ankle_pumps"), "family": fam,
            "heel_share": HEEL_SHARE[fam], "body_rise": lift_name(rec) == "body rise", "cm": bool(cm),
            "has_reps": exercise == "calf_raise" or bool(counted_reps(rec)),
            "has_holds": exercise == "single_leg_stance" or bool(rec.holds)}


def own_cards(rec: SessionRecord) -> list[tuple[str, str]]:
    """Key figures of a calf-stretch or ankle-pump session."""
    ex = rec.session.get("exercise")
    cards: list[tuple[str, str]] = []
    if ex == "calf_stretch":
        target = None
        for leg in ("left", "right"):
            held = [finite(extra(h).get("held_s")) or 0.0 for h in rec.holds if h.get("stance_side") == leg]
            cards.append((f"{max(held):.1f} s" if held else "–", f"longest stretch of the {leg} calf in good form ({len(held)} holds)"))
        for h in rec.holds:
            target = finite(extra(h).get("target_s")) or target
        if target:
            n = sum(1 for h in rec.holds if (finite(extra(h).get("held_s")) or 0.0) >= target)
            cards.append((f"{n} of {len(rec.holds)}", f"holds reaching the {target:.0f} s target"))
        pauses = sum(int(extra(h).get("pauses") or 0) for h in rec.holds)
        cards.append((str(pauses), "pauses (back heel up or back knee bent)"))
    elif ex == "ankle_pumps":
        for leg in ("left", "right"):
            reps = [r for r in rec.reps if r.get("side") == leg]
            rom = [v for v in (finite(extra(r).get("rom_deg")) for r in reps) if v is not None]
            cards.append((str(len(reps)), f"pumps of the {leg} foot" + (f", mean range ≈ {np.mean(rom):.0f}° (estimate)" if rom else "")))
        cyc = [v for v in (finite(extra(r).get("cycle_s")) for r in rec.reps) if v is not None]
        if cyc:
            cards.append((f"{60.0 / float(np.median(cyc)):.0f}/min", "pumping pace (median cycle)"))
    return cards


def key_cards(rec: SessionRecord, cm: float | None) -> list[tuple[str, str]]:
    """The key figures: (value with unit, what it is)."""
    cards: list[tuple[str, str]] = []
    reps = counted_reps(rec)
    own = rec.session.get("exercise") in OWN_EXERCISES
    if own:
        cards += own_cards(rec)
    elif rec.session.get("exercise") == "calf_raise" or reps:
        by = {s: sum(1 for r in reps if r.get("side") == s) for s in ("both", "left", "right")}
        detail = ", ".join(f"{n} {s}" for s, n in by.items() if n)
        cards.append((str(len(reps)), "counted reps" + (f" ({detail})" if detail else "")))
        peaks = [p for p in (finite(r.get("peak_lift_fl")) for r in reps) if p is not None]
        if peaks:
            mean = float(np.mean(peaks))
            cm_txt = f" ≈ {mean * cm:.1f} cm" if cm else ""
            cards.append((f"{mean:.2f} FL", f"mean peak {lift_name(rec)}" + cm_txt))
        share = schema.controlled_lowering_share(reps, rec.flags)
        if share is not None:
            cards.append((f"{100 * share:.0f} %", CONTROLLED_WORDS))
        agg = (rec.sets[0].get("aggregates") or {}) if rec.sets else {}
        dec = finite(agg.get("peak_decline_pct"))
        if dec is not None:
            cards.append((decline_text(dec), DECLINE_LABEL))  # the same words as the CLI's table
    if not own and (rec.holds or rec.session.get("exercise") == "single_leg_stance"):
        for leg in ("left", "right"):
            d = [finite(h.get("duration_s")) or 0.0 for h in rec.holds if h.get("stance_side") == leg]
            cards.append((f"{max(d):.1f} s" if d else "–", f"longest hold on the {leg} leg ({len(d)} holds)"))
    cards.append((str(len(rec.flags)), "flags raised"))
    pains = [m for m in rec.marks if m.get("kind") in ("pain", "cramp")]
    if pains:
        worst = max((m.get("rating") or 0) for m in pains)
        cards.append((f"{worst}/10", f"worst of {len(pains)} pain/cramp marks"))
    return cards


# ---------------------------------------------------------------------------------------------
# Tables: one dict of display values per row (templates/session_tables.html)
# ---------------------------------------------------------------------------------------------

def rep_row(rec: SessionRecord, r: Mapping[str, Any], cm: float | None) -> dict[str, Any]:
    lower = finite(r.get("lower_s"))
    ratio = schema.lower_to_rise_ratio(r)     # as the fast-lowering rule judged it; bold when it flagged the rep
    left, right = finite(r.get("heel_in_left_fl")), finite(r.get("heel_in_right_fl"))
    align = [f"{name} {'+' if v > 0 else ''}{fmt(v, 3)}" for name, v in (("L", left), ("R", right)) if v is not None]
    return {"index": r["rep_index"], "side": r.get("side") or "both", "time": tspan(r.get("t_start_s"), r.get("t_end_s")),
            "peak": fmt(r.get("peak_lift_fl"), 3), "cm": fmt(r.get("peak_lift_cm"), 1) if cm else None,
            "rise": fmt(r.get("rise_s"), 2), "top": fmt(r.get("top_s"), 2), "lower": fmt(lower, 2),
            "ratio": fmt(ratio, 2) if ratio is not None else "–",
            "ratio_low": ratio is not None and r["rep_index"] in schema.fast_lowering_reps(rec.flags),
            "align": align, "align_na": None if align else (r.get("alignment_note") or "not measured"),
            "flags": flag_names([f for f in rec.flags if f.get("rep_index") == r["rep_index"]])}


def hold_rows(holds: Sequence[Mapping[str, Any]], cm: float | None) -> dict[str, Any]:
    axis = hold_figs(holds[0])["axis"] if holds else "ml"
    rows = []
    notes: list[str] = []       # sway below what the picture resolves (exercises/single_leg_stance)
    form_notes: list[str] = []  # sway with a flagged knee valgus / trunk lean in it (the same)
    for h in holds:
        sway = h.get("sway") or {}
        nf = h.get("noise_floor") or {}
        wob = h.get("wobble") or {}
        f = hold_figs(h)
        freq = wob.get("dominant_freq_hz")
        rows.append({"index": h["hold_index"], "leg": h.get("stance_side") or "?",
                     "time": tspan(h.get("t_start_s"), h.get("t_end_s")), "duration": fmt(h.get("duration_s"), 1),
                     "ended_by": ENDED_BY_WORDS.get(h.get("ended_by"), h.get("ended_by") or "–"),
                     "touchdowns": h.get("touchdowns") if h.get("touchdowns") is not None else "–",
                     "rms": with_noise(f["rms"], f["rms_noise"], 3, cm=cm), "range": fmt(sway.get(f"range_{axis}"), 3),
                     "vel": with_noise(f["vel"], f["vel_noise"], 3, cm=cm, cm_unit="cm/s"),
                     "area": with_noise(f["area"], f["area_noise"], 4, cm=cm, cm_unit="cm²", square=True),
                     "wobble": with_noise(wob.get("rms_deg"), nf.get("wobble_rms_deg"), 1),
                     "freq": None if isinstance(freq, str) else fmt(freq, 1)})
        # "*": under the resolution limit; "†": a flagged knee valgus / trunk lean is in the sway
        for mark, note, into in (("*", sway.get("note"), notes), ("†", sway.get("form_note"), form_notes)):
            if isinstance(note, str) and rows[-1]["rms"].get("value"):
                rows[-1]["rms"]["value"] += mark
                if note not in into:
                    into.append(note)
    return {"axis": {"ml": "ML", "ap": "AP"}[axis], "rows": rows, "notes": notes, "form_notes": form_notes}


def stretch_row(rec: SessionRecord, h: Mapping[str, Any]) -> dict[str, Any]:
    x = extra(h)
    reasons = x.get("pause_reasons") or {}
    why = ", ".join(f"{n}× {PAUSE_REASON_WORDS.get(k, k)}" for k, n in reasons.items() if n)
    target = finite(x.get("target_s"))
    knee, dorsi = x.get("back_knee_angle_deg"), x.get("dorsiflexion_deg")
    heel = finite(x.get("heel_contact_share"))
    return {
        "index": h["hold_index"], "leg": h.get("stance_side") or "?", "time": tspan(h.get("t_start_s"), h.get("t_end_s")),
        "ended_by": ENDED_BY_WORDS.get(h.get("ended_by"), h.get("ended_by") or ""),
        "held": fmt(finite(x.get("held_s")), 1), "of": fmt(h.get("duration_s"), 1), "target": fmt(target, 0) if target else None,
        "pauses": x.get("pauses") or 0, "pause_why": f"{why}, {fmt(x.get('paused_s'), 1)}{NBSP}s" if why else None,
        "variant": na_or(x.get("variant") or "–"),
        "knee": na_or(knee, angle=True), "knee_bent": (fmt_angle(x.get("back_knee_flex_deg")) if not isinstance(knee, str)
                                                       and finite(x.get("back_knee_flex_deg")) is not None else None),
        "dorsi": na_or(dorsi, angle=True), "dorsi_gain": (fmt_angle(x.get("dorsiflexion_gain_deg")) if not isinstance(dorsi, str)
                                                          and finite(x.get("dorsiflexion_gain_deg")) is not None else None),
        "heel": f"{100 * heel:.0f}{NBSP}%" if heel is not None else "–",
        "heel_lift": fmt(x.get("heel_lift_max_fl"), 2) if finite(x.get("heel_lift_max_fl")) is not None else None,
        "foot_out": na_or(x.get("back_foot_out_deg"), angle=True),
        "flags": flag_names([f for f in rec.flags if f.get("hold_index") == h["hold_index"]])}


def pump_row(rec: SessionRecord, r: Mapping[str, Any]) -> dict[str, Any]:
    x = extra(r)
    vs = finite(x.get("rom_vs_best"))

    def a(k: str) -> str:
        return fmt_angle(x.get(k), False)

    return {"index": r["rep_index"], "foot": r.get("side") or "?", "time": tspan(r.get("t_start_s"), r.get("t_end_s")),
            "rom": a("rom_deg"), "peaks": f"{a('plantar_peak_deg')} / {a('dorsi_peak_deg')}",
            "past_rest": f"{a('plantar_deg')} / {a('dorsi_deg')}", "duration": fmt(x.get("duration_s"), 2),
            "cycle": fmt(x.get("cycle_s"), 2), "leg_moved": a("leg_motion_deg"),
            "vs_best": f"{100 * vs:.0f}{NBSP}%" if vs is not None else "–",
            "flags": flag_names([f for f in rec.flags if f.get("rep_index") == r["rep_index"]])}


def flag_row(f: Mapping[str, Any]) -> dict[str, Any]:
    """A flag in plain words: when, severity, where, the message, its description and its evidence."""
    ev = f.get("evidence") or {}
    evidence = None
    if ev.get("metric") is not None:
        unit = ev.get("unit") or ""
        ref = ev.get("reference")
        thr = finite(ev.get("threshold"))
        evidence = f"{ev['metric']} {fmt(finite(ev.get('value')), 3, unit)}"
        if thr is not None:
            evidence += f" (threshold {ev.get('compare') or ''} {fmt(thr, 3, unit)}"
            base = finite(ev.get("baseline") if ev.get("baseline") is not None else ev.get("typical"))
            if ref and ref != "absolute" and base is not None:
                evidence += f", relative to the person's {ref} {fmt(base, 3, unit)}"
            evidence += ")"
    where = []
    if f.get("rep_index") is not None:
        where.append(f"rep {f['rep_index']}")
    if f.get("hold_index") is not None:
        where.append(f"hold {f['hold_index']}")
    if f.get("side"):
        where.append(str(f["side"]))
    return {"time": tspan(f.get("t_start_s"), f.get("t_end_s")), "severity": f.get("severity") or "",
            "where": ", ".join(where) or "–", "message": f.get("message") or f.get("label") or f["code"],
            "description": f.get("description") or None, "evidence": evidence}


def event_rows(rec: SessionRecord) -> list[dict[str, Any]]:
    """Other events (partial reps, brief lifts …) in words; the stance report leaves out the rep events."""
    skip = ("rep_aborted", "rep_incomplete", "partial_rep") if rec.session.get("exercise") == "single_leg_stance" else ()
    rows = []
    for e in rec.events:
        if not e.get("type") or e.get("type") in skip:
            continue
        data = e.get("data") or {}
        why = None if e.get("type") == "rep_incomplete" else REASON_WORDS.get(data.get("reason"), data.get("reason"))
        rows.append({"time": tspan(e.get("t_s"), e.get("t_end_s")), "side": e.get("side") or "",
                     "what": EVENT_WORDS.get(e.get("type"), e.get("type")), "why": why or None})
    return rows


def mark_row(m: Mapping[str, Any]) -> dict[str, Any]:
    return {"time": fmt(m.get("t_s"), 1, "s"), "kind": m.get("kind") or "",
            "rating": m.get("rating") if m.get("rating") is not None else "–", "side": m.get("side") or "",
            "note": m.get("note") or ""}


def sets_line(rec: SessionRecord) -> str | None:
    """Live sessions: one line per set (its holds or reps, and how it ended)."""
    if rec.session.get("mode") != "live" or not rec.sets:
        return None
    bits = []
    for st in rec.sets:
        agg = st.get("aggregates") or {}
        if st.get("kind") == "holds":
            best = agg.get("best_s") or {}
            what = f"{st.get('n_holds') or 0} holds" + (", best " + ", ".join(
                f"{k} {fmt(v, 0)} s" for k, v in best.items() if v is not None) if best else "")
        else:
            by = agg.get("reps_by_side") or {}
            what = f"{st.get('n_reps') or 0} reps" + (" (" + ", ".join(f"{k} {v}" for k, v in by.items()) + ")" if by else "")
        bits.append(f"set {st['set_index']}: {what}")
    return "; ".join(bits)


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------

def calf_context(rec: SessionRecord, signals: FrameSignals | None, signals_note: str | None, cm: float | None,
                 fam: str) -> dict[str, Any]:
    """The calf-raise section: heel plot, one table per set, fatigue plot."""
    reps = counted_reps(rec)
    body = lift_name(rec) == "body rise"
    caption = (("Rise of the whole body over time, measured from the pixels with the camera's motion removed (the pose "
                "model's leg landmarks were not trusted), in foot lengths above the valley before each rep"
                if body else
                "Heel lift over time as the pose model sees it, in foot lengths above the standing baseline"
                + (" (from the front: the rise of the whole body)" if fam == "front" else ""))
               + ". Shaded: counted reps, numbered; hatched: partial reps; triangles: flags; dashed lines: pain or cramp marks.")
    sets = []
    all_sets = rec.sets or [{"set_index": None}]
    for st in all_sets:
        idx = st.get("set_index")
        set_reps = [r for r in reps if idx is None or r.get("set_index") in (idx, None)]
        agg = st.get("aggregates") or {}
        words = []
        if finite(agg.get("cadence_per_min")) is not None:
            words.append(f"cadence {fmt(agg.get('cadence_per_min'), 0)} reps/min")
        share = schema.controlled_lowering_share(set_reps, rec.flags)
        if share is not None:
            words.append(f"{100 * share:.0f} % {CONTROLLED_WORDS}")
        if finite(agg.get("left_right_peak_diff_pct")) is not None:
            words.append(f"left–right height difference {fmt(agg.get('left_right_peak_diff_pct'), 0)} %")
        sets.append({"label": f"Set {idx}" if idx is not None and len(all_sets) > 1 else "Reps", "n": len(set_reps),
                     "words": "; ".join(words) or None, "rows": [rep_row(rec, r, cm) for r in set_reps]})
    return {"signals_note": None if signals is not None else (signals_note or "no landmark track"),
            "heel": plot(plots.plot_heel(rec, signals, cm)), "heel_caption": caption, "n_reps": len(reps),
            "cm": bool(cm), "sets": sets, "fatigue": plot(plots.plot_fatigue(rec, cm)) if reps else None}


def stance_context(rec: SessionRecord, signals: FrameSignals | None, signals_note: str | None, cm: float | None,
                   fam: str) -> dict[str, Any]:
    """The single-leg stance section: holds table and stabilogram."""
    stab = plots.plot_stabilogram(rec, signals, cm) if signals is not None and rec.holds else None
    return {"table": hold_rows(rec.holds, cm) if rec.holds else None, "side_view": fam == "side",
            "signals_note": None if signals is not None else (signals_note or "no landmark track"),
            "stab": plot(stab) if stab else None,
            "legs": sum(1 for leg in ("left", "right") if any(h.get("stance_side") == leg for h in rec.holds))}


def stretch_context(rec: SessionRecord) -> dict[str, Any]:
    holds = [h for h in rec.holds if extra(h).get("kind") == "calf_stretch"]
    svg = plots.plot_stretch_holds(rec) if holds else None
    return {"sets_line": sets_line(rec), "rows": [stretch_row(rec, h) for h in holds], "plot": plot(svg) if svg else None}


def pumps_context(rec: SessionRecord, signals: FrameSignals | None, signals_note: str | None) -> dict[str, Any]:
    reps = [r for r in counted_reps(rec) if extra(r).get("kind") == "ankle_pump"]
    svg = plots.plot_pumps(rec, signals) if signals is not None and reps else None
    set_ids = sorted({r.get("set_index") for r in reps}, key=lambda v: (v is None, v))
    sets = []
    for idx in set_ids:
        set_reps = [r for r in reps if r.get("set_index") == idx]
        by = {s: sum(1 for r in set_reps if r.get("side") == s) for s in ("left", "right")}
        sets.append({"label": f"Set {idx}" if idx is not None and len(set_ids) > 1 else "Pumps", "left": by["left"],
                     "right": by["right"], "rows": [pump_row(rec, r) for r in set_reps]})
    return {"sets_line": sets_line(rec), "n": len(reps), "plot": plot(svg) if svg else None,
            "signals_note": (signals_note or "no landmark track") if reps and signals is None else None, "sets": sets}


#: A rule's own "not measurable from this view" line (feedback/engine.py), already said by the view's list.
GENERIC_NOT_MEASURABLE = re.compile(r"not measurable from (a \w+|this camera) view$")


def render_session(rec: SessionRecord, signals: FrameSignals | None = None, signals_note: str | None = None) -> str:
    """The HTML report of one stored session (``signals``: its per-frame signals, if the track was usable)."""
    s = rec.session
    summary = rec.summary or {}
    exercise = s.get("exercise") or "unknown"
    ex_name = registry.title(exercise)
    cm = cm_per_fl(rec)
    fam = view_family(s.get("view"))
    own = exercise in OWN_EXERCISES
    reps = counted_reps(rec)
    started = local_time(s.get("started_utc"))
    lr = plots.plot_left_right_own(rec) if own else plots.plot_left_right(rec, cm)
    if own:   # the analysis says what its view could not measure (e.g. "back foot pointing forward: … side view")
        nm = [str(x) for x in summary.get("not_measurable") or []] or ["nothing this exercise measures"]
    else:     # what the view cannot measure in general, then what this analysis found beyond that (a
        # rule's "<label>: not measurable from a <view> view" repeats the general list and is left out)
        nm = not_measurable(fam, exercise)
        nm += [str(x) for x in dict.fromkeys(summary.get("not_measurable") or [])
               if str(x) not in nm and not GENERIC_NOT_MEASURABLE.search(str(x))]
    ctx = {
        "title": f"{ex_name} — {rec.person.name if rec.person else 'session'} — {started}",
        "exercise": exercise, "ex_name": ex_name, "id": rec.id, "uuid": s.get("uuid"), "incomplete": s.get("status") == "incomplete",
        "person": person_view(rec.person), "date": started, "view": VIEW_NAMES.get(s.get("view") or "unknown", s.get("view")),
        "source": s.get("source_name") or "–", "duration": fmt(s.get("duration_s"), 1, "s"), "mode": s.get("mode"),
        "quality": quality_text(rec), "software": s.get("software_version") or "?", "model": s.get("model_name") or "–",
        "sha": (s.get("model_sha256") or "")[:12],
        "targets": targets_words(rec.targets, exercise) if rec.targets else None,
        "not_analysable": ((s.get("not_analysable_reason") or summary.get("reason") or "unknown reason")
                           if summary.get("analysable") is False or s.get("analysable") == 0 else None),
        "warnings": [w for w in rec.warnings if not str(w).startswith("Heel lift is the pose model's estimate")],
        "honesty": honesty_context(rec, cm), "cards": key_cards(rec, cm),
        "stretch": stretch_context(rec) if exercise == "calf_stretch" else None,
        "pumps": pumps_context(rec, signals, signals_note) if exercise == "ankle_pumps" else None,
        "calf": calf_context(rec, signals, signals_note, cm, fam) if not own and (reps or exercise == "calf_raise") else None,
        "stance": (stance_context(rec, signals, signals_note, cm, fam)
                   if not own and (rec.holds or exercise == "single_leg_stance") else None),
        "own": own, "lr": plot(lr) if lr else None, "lr_holds": bool(rec.holds),
        "flags": [flag_row(f) for f in rec.flags], "flags_plot": plot(plots.plot_flags(rec)) if rec.flags else None,
        "rules_ran": "flags" in summary or s.get("mode") == "live",
        "events": event_rows(rec), "marks": [mark_row(m) for m in rec.marks], "not_measurable": nm,
    }
    return render("session.html", **ctx)


def session_report(store: Store, ref: int | str) -> str:
    """Render the session ``ref`` (id, ``last`` or uuid prefix) of ``store`` with its per-frame signals."""
    rec = store.session(ref)
    sig, why = session_signals(rec)
    return render_session(rec, sig, why)


__all__ = ["key_cards", "person_view", "render_session", "session_report", "with_noise"]
