"""One exercise interface: every exercise implements exercises/base.py and the stages above dispatch
through the registry.

The proof that a fifth exercise needs only its own module, its rules file and one registry entry: a
toy exercise defined here (and registered only inside the test) runs through the real Analyzer, the
real feedback engine with its own rules file, the summary, its JSON/CSV writers and the CLI table.
"""

from __future__ import annotations

import ast
import csv
import json
from typing import Any

import pytest
from synth import generate, lift, still

from footform.analysis.analyzer import AnalysisConfig, Analyzer, analyze_frames
from footform.analysis.summary import format_table, write_summary
from footform.exercises import registry
from footform.exercises.base import (
    AutoEvidence,
    AutoScore,
    Exercise,
    FrameState,
    FrameUpdate,
    Results,
    Setup,
    StreamEnd,
)
from footform.feedback.engine import load_rules

SRC = __import__("pathlib").Path(__file__).resolve().parents[1] / "src" / "footform"


class FootLifts(Exercise):
    """Toy exercise: every lift of a foot off the floor (the shared foot contact) is one rep."""

    id = "toy_foot_lifts"
    uses_contact = True

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.reps: list[dict[str, Any]] = []

    def step(self, state: FrameState) -> FrameUpdate:
        new = []
        for lf in state.lifts_finished:
            if lf.t_on is None:
                continue
            dur = round(lf.t_on - lf.t_off, 3)
            row = {"index": len(self.reps) + 1, "side": lf.lifted_side, "t_start": round(lf.t_off, 3),
                   "t_end": round(lf.t_on, 3), "duration_s": dur, "form": {"lift_duration_s": dur}}
            self.reps.append(row)
            new.append(("rep", row))
        up = state.lift_current is not None
        return FrameUpdate(shown={"reps": len(self.reps), "rep_phase": "up" if up else "down"}, judge=new)

    def finish(self, end: StreamEnd) -> None:
        pass

    def completed(self, start: int) -> list[dict[str, Any]]:
        return self.reps[start:]

    def results(self, analysable: bool, view: str) -> Results:
        return Results(reps=list(self.reps) if analysable else [],
                       set_stats={"reps": len(self.reps)} if analysable else {})

    def auto_score(self, ev: AutoEvidence) -> AutoScore:
        return AutoScore(0.0, "a toy is never chosen")


RULES = """schema = "footform.rules/1"
exercise = "toy_foot_lifts"

[[rule]]
code = "toy_long_lift"
label = "short lifts"
scope = "rep"
metric = "lift_duration_s"
compare = ">"
threshold = 2.0
severity = "info"
unit = "s"
message = "Put the {side} foot down sooner."
description = "The {side} foot was up for {value} s; threshold {threshold} s."
"""


@pytest.fixture
def toy(tmp_path):
    rules = tmp_path / "toy_foot_lifts.toml"
    rules.write_text(RULES, encoding="utf-8")
    info = registry.ExerciseInfo("toy_foot_lifts", "toy-foot-lifts", "toy foot lift", "Toy foot lifts", "lift", "reps",
                                 "#000000", 5, "Ready. Lift a foot.", own_machine=True, machine=FootLifts,
                                 plural="toy foot lifts", rules_file=rules)
    with registry.registered(info):
        yield info
    assert registry.find("toy_foot_lifts") is None and "toy_foot_lifts" not in registry.IDS


def _stream():
    frames, truth = generate([still(1.5), lift("right", 3.5), still(1.5), lift("left", 1.2), still(1.5)],
                             view="front", seed=41)
    return frames, truth


def test_a_fifth_exercise_runs_through_the_analyzer_and_the_summary(toy, tmp_path):
    assert registry.plural("toy_foot_lifts") == "toy foot lifts" and "toy-foot-lifts" in registry.CLI_CHOICES
    assert {r.code for r in load_rules("toy_foot_lifts")} >= {"toy_long_lift"}
    frames, truth = _stream()
    seen = []
    an = Analyzer(AnalysisConfig(exercise="toy_foot_lifts"), on_frame=seen.append)
    rows = []
    for f in frames:
        an.step(f)
        rows += an.completed()[0]
    s = an.finish()
    assert s.analysable and s.exercise == "toy_foot_lifts"
    # one rep per lift, on the lifted side, at the lift's times (the contact stage's own tolerance)
    assert [r["side"] for r in s.reps] == [lf["side"] for lf in truth.lifts] == ["right", "left"]
    for r, lf in zip(s.reps, truth.lifts):
        assert abs(r["t_start"] - lf["t_off"]) < 0.3 and abs(r["t_end"] - lf["t_on"]) < 0.3
    assert [r["index"] for r in rows] == [1, 2]          # completed() handed each row out once, live
    assert max(res.reps for res in seen) == 2            # and the screen counted them
    # its own rule judged its rows: the long lift only, with the evidence in its unit
    toy_flags = [f for f in s.flags if f["code"] == "toy_long_lift"]
    assert [f["rep"] for f in toy_flags] == [1] and toy_flags[0]["evidence"]["unit"] == "s"
    assert any(f.code == "toy_long_lift" for res in seen for f in res.flags)   # live cue too
    # the writers and the CLI table go through the protocol
    path = write_summary(s, tmp_path / "out")
    doc = json.loads(path.read_text())
    assert doc["exercise"] == "toy_foot_lifts" and len(doc["reps"]) == 2
    csv_rows = list(csv.DictReader((tmp_path / "out" / "reps.csv").open()))
    assert [r["side"] for r in csv_rows] == ["right", "left"] and "duration_s" in csv_rows[0]
    table = format_table(s)
    assert "toy foot lift" in table and "duration_s=" in table


def test_auto_scores_a_registered_fifth_exercise(toy):
    frames, _ = _stream()
    s = analyze_frames(frames, AnalysisConfig())
    choice = s.exercise_choice
    assert choice is not None and set(choice["scores"]) == set(registry.IDS)
    assert choice["scores"]["toy_foot_lifts"] == 0.0 and choice["chosen"] != "toy_foot_lifts"
    assert choice["evidence"]["toy_foot_lifts"] == "a toy is never chosen"


def test_every_registered_exercise_implements_the_protocol():
    for e in registry.EXERCISES:
        cls = registry.machine(e.id)
        assert issubclass(cls, Exercise) and cls.id == e.id, e.id
        assert e.plural and e.label
        for name in ("step", "finish", "results"):
            assert getattr(cls, name) is not getattr(Exercise, name), f"{e.id} lacks {name}"


def _exercise_words() -> set[str]:
    return {w for e in registry.EXERCISES for w in (e.id, e.cli)}


def test_analysis_compares_no_exercise_id_strings():
    """analysis/ dispatches through the registry and the protocol: no ``== "calf_raise"``,
    ``in ("ankle_pumps", ...)`` or ``!= "calf-stretch"`` anywhere in it."""
    words = _exercise_words()
    wrong = []
    for p in sorted((SRC / "analysis").rglob("*.py")):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare):
                continue
            for side in (node.left, *node.comparators):
                consts = [side] if isinstance(side, ast.Constant) else (
                    list(side.elts) if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [])
                hits = [c.value for c in consts if isinstance(c, ast.Constant) and c.value in words]
                if hits:
                    wrong.append(f"{p.relative_to(SRC)}:{node.lineno} compares with {hits}")
    assert not wrong, "\n".join(wrong)


def test_one_row_schema_for_the_store_the_export_and_the_summary_csvs(tmp_path):
    """reps / holds / flags / events: the store's columns, the export's columns and the summary's
    CSV names come from exercises/rows.py, with foot lengths spelled ``_fl`` everywhere."""
    import sqlite3

    from footform.exercises import rows as schema
    from footform.exercises.calf_raise import REP_COLUMNS as SUMMARY_REP_COLUMNS
    from footform.outputs import export
    from footform.outputs.store import Store

    db = tmp_path / "s.db"
    Store.open(db).close()
    con = sqlite3.connect(db)
    for table, kind in schema.KINDS.items():
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
        own = [c for c in cols if c not in ("id", "session_id") and not c.endswith("_json")]
        assert own == list(schema.names(kind, stored_only=True)), table
        assert export.TABLES[table][:1 + len(kind)] == ("session_id", *schema.names(kind)), table
        for f in kind:   # columns.csv / the JSON "columns": the schema's unit and meaning
            assert export.column_meaning(table, f.name) == f.meaning and export.column_unit(f.name) == f.unit
    con.close()
    unit_named = [c for c in SUMMARY_REP_COLUMNS if schema.column_unit(c)]
    assert unit_named and set(unit_named) <= set(schema.names(schema.REP))
    every = [c for cols in export.all_columns().values() for c in cols]
    assert not [c for c in every if "footlengths" in c] and "peak_lift_fl" in every and "sway_rms_ml_fl" in every
