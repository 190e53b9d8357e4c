"""The exercise registry: the one place that names each exercise and says how its results are counted.

Every stage above the exercises (analysis, live coaching, the CLI, the store, the reports, the
evaluator) looks an exercise up here instead of keeping its own table of names, labels or units.
Adding an exercise means its own module in :mod:`footform.exercises`, its rules file in
``footform/rules/`` and one :class:`ExerciseInfo` entry below.

Names:

* ``id`` — the identifier in files, the store and the code: ``calf_raise``.
* ``cli`` — what a user types after ``--exercise``: ``calf-raise``.
* ``label`` — the exercise in a sentence, lower case: "calf raise".
* ``title`` — a heading: "Calf raises".

The side colours live here too (:data:`SIDE_COLOURS`): the live overlay and every plot draw the
person's left and right in the same two colours.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExerciseInfo:
    """What every stage needs to know to name an exercise and its results.

    Attributes:
        id: identifier in files, the store and code (``calf_raise``).
        cli: the ``--exercise`` value (``calf-raise``).
        label: the exercise in running text, lower case (``"calf raise"``).
        title: the exercise as a heading (``"Calf raises"``).
        unit: what one counted result is called (``"rep"``, ``"hold"``, ``"pump"``).
        counted_in: which result rows it produces: ``"reps"`` (rep rows) or ``"holds"`` (hold rows).
        colour: its colour in plots across sessions (hex, Okabe–Ito palette).
        default_reps: reps per set when the person gives no ``--reps`` (None: counted in holds).
        go_text: what the live coach says when the session is ready to start.
        own_machine: True when its state machine, frame metrics and rules all run inside the
            analysis as one unit (calf stretch, ankle pumps); False for the calf-raise counter and
            the single-leg stance, which share the foot-contact stage.
        auto: True when ``--exercise auto`` can pick it from the movement.
    """

    id: str
    cli: str
    label: str
    title: str
    unit: str
    counted_in: str
    colour: str
    default_reps: int | None
    go_text: str
    own_machine: bool
    auto: bool = True

    @property
    def counts_reps(self) -> bool:
        """True when the exercise is counted in reps (else in holds per leg)."""
        return self.counted_in == "reps"

    def count(self, n: int) -> str:
        """``n`` results in words with the right plural: "1 rep", "3 holds", "20 pumps"."""
        return f"{n} {self.unit}{'' if n == 1 else 's'}"


EXERCISES: tuple[ExerciseInfo, ...] = (
    ExerciseInfo("calf_raise", "calf-raise", "calf raise", "Calf raises", "rep", "reps", "#0072B2", 12,
                 "Ready. Start your calf raises.", own_machine=False),
    ExerciseInfo("single_leg_stance", "single-leg-stance", "single-leg stance", "Single-leg stance", "hold", "holds",
                 "#009E73", None, "Ready. Lift one foot and hold.", own_machine=False),
    ExerciseInfo("calf_stretch", "calf-stretch", "calf stretch", "Standing calf stretch", "hold", "holds", "#CC79A7",
                 None, "Ready. Step into the stretch, back heel down.", own_machine=True),
    ExerciseInfo("ankle_pumps", "ankle-pumps", "ankle pumps", "Ankle pumps", "pump", "reps", "#E69F00", 20,
                 "Ready. Point your toes, then pull them up.", own_machine=True),
)

#: The value of ``--exercise`` that lets the analysis decide.
AUTO = "auto"

_BY_ID = {e.id: e for e in EXERCISES}
_BY_CLI = {e.cli: e for e in EXERCISES}

#: Every exercise id, in the registry's order.
IDS: tuple[str, ...] = tuple(_BY_ID)
#: Every ``--exercise`` value, ``auto`` first.
CLI_CHOICES: tuple[str, ...] = (AUTO, *_BY_CLI)

#: The person's left and right in every picture footform draws (overlay, plots), colour-blind safe
#: (Okabe–Ito blue and vermillion); ``both`` / unknown in neutral grey.
SIDE_COLOURS: dict[str | None, str] = {"left": "#0072B2", "right": "#D55E00", "both": "#4D4D4D", None: "#4D4D4D"}


def get(name: str) -> ExerciseInfo:
    """The exercise with this id (``calf_raise``) or CLI name (``calf-raise``); KeyError otherwise."""
    if name in _BY_ID:
        return _BY_ID[name]
    if name in _BY_CLI:
        return _BY_CLI[name]
    raise KeyError(f"unknown exercise {name!r}; footform knows {', '.join(IDS)}")


def find(name: str | None) -> ExerciseInfo | None:
    """Like :func:`get`, but None for an unknown (or missing) name — for labelling stored data."""
    if not name:
        return None
    return _BY_ID.get(name) or _BY_CLI.get(name)


def to_id(name: str) -> str:
    """An exercise's id from its id, its CLI name or ``auto`` (kept as ``auto``)."""
    return AUTO if name == AUTO else get(name).id


def label(name: str | None) -> str:
    """The exercise in running text ("calf raise"); unknown names as they are, with spaces."""
    info = find(name)
    return info.label if info else (name or "unknown exercise").replace("_", " ")


def title(name: str | None) -> str:
    """The exercise as a heading ("Calf raises"); unknown names capitalised."""
    info = find(name)
    return info.title if info else (name or "Unknown exercise").replace("_", " ").capitalize()


def hex_to_bgr(colour: str) -> tuple[int, int, int]:
    """``"#RRGGBB"`` as an OpenCV BGR tuple."""
    c = colour.lstrip("#")
    r, g, b = (int(c[i:i + 2], 16) for i in (0, 2, 4))
    return b, g, r


__all__ = ["AUTO", "CLI_CHOICES", "EXERCISES", "IDS", "SIDE_COLOURS", "ExerciseInfo", "find", "get", "hex_to_bgr",
           "label", "title", "to_id"]
