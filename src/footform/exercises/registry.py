"""The exercise registry: the one place that names each exercise, maps it to its class and says how
its results are counted.

Every stage above the exercises (analysis, live coaching, the CLI, the store, the reports, the
evaluator) looks an exercise up here instead of keeping its own table of names, labels or units,
and drives it through the protocol of :mod:`footform.exercises.base` (``machine``).  Adding an
exercise means its own module in :mod:`footform.exercises` (a class implementing
:class:`~footform.exercises.base.Exercise`), its rules file in ``feedback/rules/`` and one
:class:`ExerciseInfo` entry below (docs/architecture.md, "How to add an exercise").

Names:

* ``id`` — the identifier in files, the store and the code: ``calf_raise``.
* ``cli`` — what a user types after ``--exercise``: ``calf-raise``.
* ``label`` — the exercise in a sentence, lower case: "calf raise".
* ``title`` — a heading: "Calf raises".
* ``plural`` — the exercise as a thing done several times, lower case: "calf raises".

The side colours live here too (:data:`SIDE_COLOURS`): the live overlay and every plot draw the
person's left and right in the same two colours.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from footform.exercises.ankle_pumps import AnklePumpsExercise
from footform.exercises.base import Exercise
from footform.exercises.calf_raise import CalfRaise
from footform.exercises.calf_stretch import CalfStretchExercise
from footform.exercises.single_leg_stance import SingleLegStanceExercise


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
        machine: its class (the protocol of :mod:`footform.exercises.base`).
        plural: the exercise in running text as a thing done several times (``"calf raises"``).
        runs_with: exercises that run beside it on the same frames and share its live screen (the
            calf raise and the single-leg stance share the foot-contact stage: a hold timer shows
            during calf raises and the rep counter during a stance).  In ``auto`` every exercise
            runs, and the screen shows the first registered one and those running with it.
        posture: ``"standing"`` or ``"seated"``; a seated recording in which ``auto`` recognises
            nothing falls back to the first seated exercise (else to the first one).
        rules_file: its rules file when not bundled as ``feedback/rules/<id>.toml``.
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
    machine: type[Exercise] | None = None
    plural: str = ""
    runs_with: tuple[str, ...] = ()
    posture: str = "standing"
    rules_file: Path | None = field(default=None, compare=False)

    @property
    def counts_reps(self) -> bool:
        """True when the exercise is counted in reps (else in holds per leg)."""
        return self.counted_in == "reps"

    def count(self, n: int) -> str:
        """``n`` results in words with the right plural: "1 rep", "3 holds", "20 pumps"."""
        return f"{n} {self.unit}{'' if n == 1 else 's'}"


EXERCISES: tuple[ExerciseInfo, ...] = (
    ExerciseInfo("calf_raise", "calf-raise", "calf raise", "Calf raises", "rep", "reps", "#0072B2", 12,
                 "Ready. Start your calf raises.", own_machine=False, machine=CalfRaise, plural="calf raises",
                 runs_with=("single_leg_stance",)),
    ExerciseInfo("single_leg_stance", "single-leg-stance", "single-leg stance", "Single-leg stance", "hold", "holds",
                 "#009E73", None, "Ready. Lift one foot and hold.", own_machine=False, machine=SingleLegStanceExercise,
                 plural="single-leg stance", runs_with=("calf_raise",)),
    ExerciseInfo("calf_stretch", "calf-stretch", "calf stretch", "Standing calf stretch", "hold", "holds", "#CC79A7",
                 None, "Ready. Step into the stretch, back heel down.", own_machine=True, machine=CalfStretchExercise,
                 plural="calf stretch"),
    ExerciseInfo("ankle_pumps", "ankle-pumps", "ankle pumps", "Ankle pumps", "pump", "reps", "#E69F00", 20,
                 "Ready. Point your toes, then pull them up.", own_machine=True, machine=AnklePumpsExercise,
                 plural="ankle pumps", posture="seated"),
)

#: The value of ``--exercise`` that lets the analysis decide.
AUTO = "auto"

_BY_ID: dict[str, ExerciseInfo] = {}
_BY_CLI: dict[str, ExerciseInfo] = {}
#: Every exercise id, in the registry's order.
IDS: tuple[str, ...] = ()
#: Every ``--exercise`` value, ``auto`` first.
CLI_CHOICES: tuple[str, ...] = (AUTO,)


def _index() -> None:
    global IDS, CLI_CHOICES
    _BY_ID.clear()
    _BY_CLI.clear()
    _BY_ID.update({e.id: e for e in EXERCISES})
    _BY_CLI.update({e.cli: e for e in EXERCISES})
    IDS = tuple(_BY_ID)
    CLI_CHOICES = (AUTO, *_BY_CLI)


_index()


def register(info: ExerciseInfo) -> None:
    """Add an exercise at run time (a plug-in, or a test's own exercise); its id must be new."""
    global EXERCISES
    if info.id in _BY_ID or info.cli in _BY_CLI or info.id == AUTO:
        raise ValueError(f"an exercise called {info.id!r} / {info.cli!r} is already registered")
    if info.machine is None:
        raise ValueError(f"exercise {info.id!r} has no machine (a class implementing exercises.base.Exercise)")
    EXERCISES = (*EXERCISES, info)
    _index()


def unregister(exercise_id: str) -> None:
    """Remove an exercise added with :func:`register`."""
    global EXERCISES
    EXERCISES = tuple(e for e in EXERCISES if e.id != exercise_id)
    _index()


@contextmanager
def registered(info: ExerciseInfo) -> Iterator[ExerciseInfo]:
    """``with registered(info):`` the exercise is known inside the block only."""
    register(info)
    try:
        yield info
    finally:
        unregister(info.id)


def group(exercise_id: str) -> tuple[ExerciseInfo, ...]:
    """The exercise and those that run with it (``runs_with``), in the registry's order."""
    ids = {exercise_id, *get(exercise_id).runs_with}
    return tuple(e for e in EXERCISES if e.id in ids)


def plural(name: str | None) -> str:
    """The exercise in running text as a thing done several times ("calf raises"); unknown names as
    they are, with spaces."""
    info = find(name)
    return (info.plural or info.label) if info else (name or "unknown exercise").replace("_", " ")


def machine(name: str) -> type[Exercise]:
    """The class implementing the exercise's protocol (``KeyError`` for an unknown name)."""
    info = get(name)
    if info.machine is None:
        raise KeyError(f"exercise {name!r} has no machine")
    return info.machine

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


__all__ = ["AUTO", "CLI_CHOICES", "EXERCISES", "IDS", "SIDE_COLOURS", "ExerciseInfo", "find", "get", "group",
           "hex_to_bgr", "label", "machine", "plural", "register", "registered", "title", "to_id", "unregister"]
