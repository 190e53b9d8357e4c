"""Exports of stored sessions: CSV tables and one JSON document (``footform.export/1``).

Every numeric column carries its unit in its name (``docs/export-schema.md``):

* ``_s`` seconds (times on the session's source clock, durations); ``_hz`` hertz; ``_deg`` degrees;
* ``_fl`` body-scaled lengths in foot lengths (FL = 0.618 × the shank length seen in the
  image, Drillis–Contini proportions) and ``_fl2`` areas; ``_fl_per_s`` speeds (spelled as in the
  store, the summary's CSVs and the rules: one row schema, ``exercises/rows.py``);
* ``_cm``, ``_cm2``, ``_cm_per_s`` the same in centimetres, present only when the person's height
  was known (an anthropometric estimate, not a measurement);
* ``_pct`` percent, ``_0_10`` a 0–10 rating, ``_per_min`` a rate.

A value that cannot be measured (for example ankle wobble from a side view) is an empty cell, with
the reason in the matching ``*_note`` column — never a number.

Tables: ``sessions``, ``sets``, ``reps``, ``holds``, ``flags``, ``marks``, ``events``, ``signals``
(per frame, replayed from the session's landmark track) and, only when asked
(``with_landmarks``), ``landmarks`` (raw pose-model output).  No video is ever exported.

The package's modules: ``columns`` (tables, units, meanings), ``signals`` (per-frame signals
replayed from a track), ``tables`` (a session's rows), ``programs`` (adherence rows) and
``writers`` (CSV / JSON); the public names are this package's.
"""

from __future__ import annotations

# the unit vocabulary of every column: the row schema's (exercises/rows.py)
from footform.exercises.rows import FL, UNIT_OF_SUFFIX, unit_name
from footform.outputs.export.columns import (
    COLUMN_MEANINGS,
    COLUMNS_FILE,
    EVENT_COLUMNS,
    EXPORT_SCHEMA,
    FLAG_COLUMNS,
    HOLD_COLUMNS,
    LANDMARK_COLUMNS,
    MARK_COLUMNS,
    PUMP_REP_COLUMNS,
    REP_COLUMNS,
    SESSION_COLUMNS,
    SET_COLUMNS,
    SIGNAL_COLUMNS,
    STRETCH_HOLD_COLUMNS,
    TABLES,
    UNITS,
    all_columns,
    column_meaning,
    column_rows,
    column_unit,
    columns_markdown,
)
from footform.outputs.export.programs import (
    ADHERENCE_ITEM_COLUMNS,
    ADHERENCE_WEEK_COLUMNS,
    program_tables,
)
from footform.outputs.export.signals import (
    FrameSignals,
    frame_signals,
    session_signals,
)
from footform.outputs.export.tables import (
    event_rows,
    flag_rows,
    hold_rows,
    landmark_rows,
    mark_rows,
    rep_rows,
    session_row,
    session_tables,
    set_rows,
)
from footform.outputs.export.writers import (
    export_csv,
    export_document,
    export_json,
)

__all__ = [
    "FL",
    "UNIT_OF_SUFFIX",
    "unit_name",
    "ADHERENCE_ITEM_COLUMNS",
    "ADHERENCE_WEEK_COLUMNS",
    "COLUMNS_FILE",
    "COLUMN_MEANINGS",
    "EVENT_COLUMNS",
    "EXPORT_SCHEMA",
    "FLAG_COLUMNS",
    "FrameSignals",
    "HOLD_COLUMNS",
    "LANDMARK_COLUMNS",
    "MARK_COLUMNS",
    "PUMP_REP_COLUMNS",
    "REP_COLUMNS",
    "SESSION_COLUMNS",
    "SET_COLUMNS",
    "SIGNAL_COLUMNS",
    "STRETCH_HOLD_COLUMNS",
    "TABLES",
    "UNITS",
    "all_columns",
    "column_meaning",
    "column_rows",
    "column_unit",
    "columns_markdown",
    "event_rows",
    "export_csv",
    "export_document",
    "export_json",
    "flag_rows",
    "frame_signals",
    "hold_rows",
    "landmark_rows",
    "mark_rows",
    "program_tables",
    "rep_rows",
    "session_row",
    "session_signals",
    "session_tables",
    "set_rows",
]
