"""Home-program adherence as export rows (``program_weeks``, ``program_week_items``)."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from footform.core.numeric import finite
from footform.outputs.store import Store

# ---------------------------------------------------------------------------------------------
# Home-program adherence (footform.outputs.program, footform.outputs.adherence; docs/programs.md)
# ---------------------------------------------------------------------------------------------

ADHERENCE_WEEK_COLUMNS = (
    "person", "program_version", "week", "iso_year", "iso_week", "week_monday", "program_week", "status",
    "days_in_program", "days_prescribed", "days_done", "days_complete", "sessions_done", "adherence_pct",
    "on_target", "pain_ratings", "pain_max_0_10", "pain_mean_0_10", "cramps",
)
ADHERENCE_ITEM_COLUMNS = (
    "person", "program_version", "week", "item_index", "exercise", "dose", "sessions_prescribed", "sessions_done",
    "days_done", "sets_prescribed", "sets_done", "reps_prescribed", "reps_done", "reps_good_form", "good_form_pct",
    "holds_prescribed", "holds_done", "holds_at_target", "holds_good_form", "hold_time_prescribed_s",
    "hold_time_done_s", "hold_time_good_form_s",
)


def program_tables(store: Store, person: str, today: _dt.date | None = None) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """The person's adherence as CSV rows (``program_weeks``, ``program_week_items``) and, for JSON,
    one entry per program version (the program, its adherence); empty when the person has no program."""
    from footform.outputs.program import person_adherence

    pa = person_adherence(store, person, today=today)
    weeks: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    docs: list[dict[str, Any]] = []
    for sp, res in zip(pa.programs, pa.results):
        for w in res.weeks:
            weeks.append({"person": person, "program_version": sp.version, "week": w.label, "iso_year": w.iso_year,
                          "iso_week": w.iso_week, "week_monday": w.monday.isoformat(), "program_week": w.program_week,
                          "status": w.status, "days_in_program": w.days_in_program, "days_prescribed": w.days_prescribed,
                          "days_done": w.days_done, "days_complete": w.days_complete, "sessions_done": w.sessions_done,
                          "adherence_pct": finite(w.adherence_pct, 1), "on_target": w.on_target,
                          "pain_ratings": w.pain_ratings, "pain_max_0_10": w.pain_max,
                          "pain_mean_0_10": finite(w.pain_mean, 2), "cramps": w.cramps})
            for iw in w.items:
                items.append({"person": person, "program_version": sp.version, "week": w.label,
                              "item_index": iw.item_index, "exercise": iw.exercise,
                              "dose": sp.item(iw.item_index).dose(), "sessions_prescribed": iw.sessions_prescribed,
                              "sessions_done": iw.sessions_done, "days_done": iw.days_done,
                              "sets_prescribed": iw.sets_prescribed, "sets_done": iw.sets_done,
                              "reps_prescribed": iw.reps_prescribed if sp.item(iw.item_index).counted else None,
                              "reps_done": iw.reps_done if sp.item(iw.item_index).counted else None,
                              "reps_good_form": iw.reps_good if sp.item(iw.item_index).counted else None,
                              "good_form_pct": finite(iw.good_form_pct, 1),
                              **({} if sp.item(iw.item_index).counted else {
                                  "holds_prescribed": iw.holds_prescribed, "holds_done": iw.holds_done,
                                  "holds_at_target": iw.holds_at_target, "holds_good_form": iw.holds_good,
                                  "hold_time_prescribed_s": float(iw.hold_s_prescribed),
                                  "hold_time_done_s": float(iw.hold_s_done),
                                  "hold_time_good_form_s": float(iw.hold_s_good)})})
        docs.append({"version": sp.version, "set_utc": sp.created_utc, "source_name": sp.source_name,
                     "program": sp.program.to_dict(), "adherence": res.to_dict()})
    return {"program_weeks": weeks, "program_week_items": items}, docs
