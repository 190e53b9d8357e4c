"""Writing exports: one CSV per table with ``columns.csv`` beside them, or one JSON document."""

from __future__ import annotations

import csv
import datetime as _dt
import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from footform import __version__
from footform.errors import InputError, OutputError, os_reason
from footform.outputs.export.columns import (
    COLUMNS_FILE,
    EXPORT_SCHEMA,
    LANDMARK_COLUMNS,
    PUMP_REP_COLUMNS,
    SIGNAL_COLUMNS,
    STRETCH_HOLD_COLUMNS,
    TABLES,
    UNITS,
    all_columns,
    column_meaning,
    column_rows,
    column_unit,
)
from footform.outputs.export.programs import (
    ADHERENCE_ITEM_COLUMNS,
    ADHERENCE_WEEK_COLUMNS,
    program_tables,
)
from footform.outputs.export.signals import (
    session_signals,
)
from footform.outputs.export.tables import (
    landmark_rows,
    session_tables,
)
from footform.outputs.store import SessionRecord, Store

# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------

def _columns(table: str, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    cols = list(TABLES[table])
    kinds = {r.get("kind") for r in rows}
    if table == "holds" and "calf_stretch" in kinds:
        cols += list(STRETCH_HOLD_COLUMNS)
    if table == "reps" and "ankle_pump" in kinds:
        cols += [c for c in PUMP_REP_COLUMNS if c not in cols]
    extra = sorted({k for r in rows for k in r} - set(cols))
    return cols + extra


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else ""
    return v


def _open_out(path: Path):
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open("w", newline="", encoding="utf-8")
    except OSError as e:
        raise OutputError(f"cannot write {path}: {os_reason(e, path.parent)}.") from None


def _records(store: Store, session: int | str | None, person: str | None) -> list[SessionRecord]:
    if session is not None:
        return [store.session(session)]
    if person is None:
        raise InputError("say which session to export (SESSION) or whose sessions (--person NAME).")
    infos = store.sessions(person=person)
    if not infos:
        raise InputError(f"{person} has no sessions in {store.path}.")
    return [store.session(i.id) for i in infos]


def export_csv(store: Store, out_dir: str | os.PathLike, session: int | str | None = None, person: str | None = None,
               with_signals: bool = True, with_landmarks: bool = False) -> list[Path]:
    """Write one CSV per table into ``out_dir`` (rows of every selected session); returns the files."""
    recs = _records(store, session, person)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file; --csv needs a folder.")
    written: list[Path] = []
    names = ["sessions", "sets", "reps", "holds", "flags", "marks", "events"] + (["signals"] if with_signals else [])
    per_table: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    for rec in recs:
        t = session_tables(rec, with_signals=with_signals, with_landmarks=False)
        for n in names:
            per_table[n].extend(t.get(n) or [])
    written_cols: dict[str, list[str]] = {}
    for n in names:
        path = out / f"{n}.csv"
        rows = per_table[n]
        cols = _columns(n, rows)
        written_cols[n] = cols
        with _open_out(path) as f:
            w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
            w.writeheader()
            for r in rows:
                w.writerow({k: _cell(r.get(k)) for k in cols})
        written.append(path)
    if person is not None and session is None:
        tables, docs = program_tables(store, person)
        if docs:
            for n, cols in (("program_weeks", ADHERENCE_WEEK_COLUMNS), ("program_week_items", ADHERENCE_ITEM_COLUMNS)):
                path = out / f"{n}.csv"
                with _open_out(path) as f:
                    w = csv.DictWriter(f, fieldnames=list(cols), extrasaction="ignore")
                    w.writeheader()
                    for r in tables[n]:
                        w.writerow({k: _cell(r.get(k)) for k in cols})
                written.append(path)
    if with_landmarks:
        path = out / "landmarks.csv"
        with _open_out(path) as f:
            w = csv.DictWriter(f, fieldnames=list(LANDMARK_COLUMNS))
            w.writeheader()
            for rec in recs:
                for r in landmark_rows(rec):
                    w.writerow({k: _cell(r.get(k)) for k in LANDMARK_COLUMNS})
        written.append(path)
        written_cols["landmarks"] = list(LANDMARK_COLUMNS)
    # beside the tables: every column written, with its unit and meaning
    path = out / COLUMNS_FILE
    with _open_out(path) as f:
        w = csv.DictWriter(f, fieldnames=["table", "column", "unit", "meaning"])
        w.writeheader()
        w.writerows(column_rows(written_cols))
    written.append(path)
    return written


def export_document(store: Store, session: int | str | None = None, person: str | None = None,
                    with_signals: bool = True, with_landmarks: bool = False) -> dict[str, Any]:
    """The ``footform.export/1`` JSON document of one session or of all of a person's sessions."""
    recs = _records(store, session, person)
    people: dict[int, dict[str, Any]] = {}
    sessions = []
    for rec in recs:
        if rec.person is not None:
            people[rec.person.id] = {k: v for k, v in rec.person.to_dict().items() if k != "created_utc"}
        t = session_tables(rec, with_signals=False, with_landmarks=False)
        doc: dict[str, Any] = {
            "session": t["sessions"][0],
            "program_targets": rec.targets,
            "quality": rec.quality,
            "warnings": rec.warnings,
            **{n: t[n] for n in ("sets", "reps", "holds", "flags", "marks", "events")},
        }
        if with_signals:
            sig, why = session_signals(rec)
            if sig is None:
                doc["signals"] = None
                doc["signals_note"] = why
            else:
                doc["signals"] = {c: [r[c] for r in sig.rows()] for c in SIGNAL_COLUMNS if c != "session_id"}
        if with_landmarks:
            doc["landmarks"] = _landmark_arrays(rec)
        sessions.append(doc)
    out = {
        "schema": EXPORT_SCHEMA,
        "exported_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "software": {"name": "footform", "version": __version__},
        "units": UNITS,
        "columns": {t: {c: {"unit": column_unit(c), "meaning": column_meaning(t, c)} for c in cols}
                    for t, cols in all_columns().items()},
        "selection": {"session": None if session is None else str(session), "person": person},
        "people": list(people.values()),
        "sessions": sessions,
    }
    if person is not None and session is None:
        _, docs = program_tables(store, person)
        if docs:
            out["programs"] = docs     # each program version with its adherence (docs/programs.md)
    return out


def _landmark_arrays(rec: SessionRecord) -> dict[str, Any] | None:
    from footform.core.landmarks import IMAGE_COLUMNS, LANDMARK_NAMES, WORLD_COLUMNS
    from footform.io.track import TrackReader

    p = rec.track_path
    if p is None or not p.is_file():
        return None
    frames, ts, image, world = [], [], [], []
    for fr in TrackReader(p):
        frames.append(fr.index)
        ts.append(fr.t_s)
        image.append(None if fr.image is None else np.round(fr.image.astype(float), 6).tolist())
        world.append(None if fr.world is None else np.round(fr.world.astype(float), 5).tolist())
    return {"names": list(LANDMARK_NAMES), "image_columns": list(IMAGE_COLUMNS), "world_columns": list(WORLD_COLUMNS),
            "frame": frames, "t_s": ts, "image": image, "world_m": world}


def export_json(store: Store, path: str | os.PathLike, session: int | str | None = None, person: str | None = None,
                with_signals: bool = True, with_landmarks: bool = False) -> Path:
    """Write :func:`export_document` to ``path`` (atomically); returns the path."""
    doc = export_document(store, session, person, with_signals, with_landmarks)
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, allow_nan=False, indent=1)
            f.write("\n")
        os.replace(tmp, p)
    except OSError as e:
        raise OutputError(f"cannot write {p}: {os_reason(e, p.parent)}.") from None
    return p
