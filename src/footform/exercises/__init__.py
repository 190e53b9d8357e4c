"""Exercise state machines: one module per exercise, each a plain object with ``step()`` per frame."""

from __future__ import annotations

#: The one label of each exercise in everything the CLI prints (tables, session lists, messages).
#: ``unknown``: ``--exercise auto`` on footage that could not be analysed, so nothing told the exercise.
EXERCISE_LABELS = {"calf_raise": "calf raise", "single_leg_stance": "single-leg stance", "calf_stretch": "calf stretch",
                   "ankle_pumps": "ankle pumps", "unknown": "unknown"}


def exercise_label(name: str | None) -> str:
    """The CLI's label of the exercise ``name`` (``calf_raise`` → ``calf raise``); ``–`` for none."""
    if not name:
        return "–"
    return EXERCISE_LABELS.get(name, name.replace("_", " "))
