"""The feedback engine: declarative rules (data, not code) that turn metrics into flags with evidence.

Rules live in one TOML file per exercise (``footform/rules/<exercise>.toml``, schema
``footform.rules/1``) and can be overridden per person with ``--rules PATH``.  Each rule names a
metric, a comparison and threshold, how the threshold relates to the person's own baseline, how
long the condition must hold before it fires (debounce), a cooldown, a severity, the side, the
camera views in which it is valid, and two texts: a plain message for the person and a technical
description for the therapist.  See ``docs/rules.md`` for every key.

Scopes — when a rule is evaluated:

* ``frame`` — on every frame's metrics (live cues; debounce and cooldown apply).  The flag spans
  from the moment the condition started to hold until it stopped.
* ``rep`` / ``hold`` — once per completed repetition / hold, on its summary row.
* ``set`` — once per set, on the set's aggregate row (cadence, left/right asymmetry …).

Thresholds and baselines (``reference``):

* ``absolute`` — ``value  <op>  threshold``.
* ``baseline`` — ``value − baseline  <op>  threshold``: the baseline is the same metric measured on
  the person's own calibration (standing still, double-leg), handed in by the analysis as
  ``baseline[metric]``.  Use this where anatomy varies between people.
* ``typical`` — ``value / typical  <op>  threshold``: *typical* is the median of the same metric
  over this session's earlier reps or holds (needs at least ``min_history`` of them).

A metric that is ``NaN`` (not valid in this frame: foot not seen, not measurable from the view)
never satisfies a condition; a rule whose ``views`` exclude the current camera view is reported
once per session as "not measurable from this view" instead of silently passing.  A rule's
``limits`` (view family → a sentence: the faults too small to be seen from that view, as measured)
are reported the same way once the rule is judged in such a view — the rule still judges there
(a fault beyond the limit is flagged), but a clean result is not a clean bill.
"""

from __future__ import annotations

import math
import operator
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from footform.core.view import view_family
from footform.errors import InputError
from footform.exercises import registry

SCHEMA = "footform.rules/1"
SCOPES = ("frame", "rep", "hold", "set")
SEVERITIES = ("info", "warn", "stop")
REFERENCES = ("absolute", "baseline", "typical")
SIDE_MODES = ("each", "left", "right", "none")
VIEW_FAMILIES = ("front", "back", "side", "unknown")
COMPARISONS: dict[str, Any] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "abs>": lambda a, b: abs(a) > b,
    "abs<": lambda a, b: abs(a) < b,
}

#: What a rule's threshold may be, by what it compares (``reference = "typical"`` compares a ratio
#: whatever the metric).  The ranges hold every threshold a rule could sensibly use and no more: a
#: foot-length metric beyond ±2 FL, an angle beyond ±180° or a ratio beyond 10× could never (or
#: would always) fire, so such a value is a typing mistake, reported before any video is read.
THRESHOLD_RANGES: dict[str, tuple[float, float, str]] = {
    "FL": (-2.0, 2.0, "a length in foot lengths (FL)"),
    "deg": (-180.0, 180.0, "an angle in degrees"),
    "%": (-200.0, 200.0, "a percentage"),
    "ratio": (0.0, 10.0, "a ratio (×)"),
    "share": (0.0, 1.0, "a 0–1 share"),
    "frame": (0.0, 2.0, "a share of the frame height"),
    "count": (0.0, 100.0, "a count"),
    "other": (-1000.0, 1000.0, "a metric of unknown unit"),
}
#: Kinds of the metrics whose rules name no unit (see docs/rules.md for each metric).
_METRIC_KINDS = {"feet_visible": "share", "view_front": "share", "view_side": "share", "body_frac": "frame",
                 "people": "count", "touchdowns": "count", "lower_to_rise": "ratio"}
_SUFFIX_KINDS = (("_fl", "FL"), ("_deg", "deg"), ("_pct", "%"), ("_vs_target", "ratio"), ("_vs_best", "ratio"))
#: Debounce and cooldown, seconds.
TIME_RANGE_S = (0.0, 3600.0)
#: Earlier rows a ``typical`` rule needs.
MIN_HISTORY_RANGE = (1, 100)


def threshold_range(rule: Mapping[str, Any]) -> tuple[float, float, str]:
    """``(low, high, what)``: the thresholds allowed for ``rule`` (a rule dict; see :data:`THRESHOLD_RANGES`)."""
    unit = str(rule.get("unit") or "")
    metric = str(rule.get("metric") or "").replace("_{side}", "").replace("{side}", "")
    if rule.get("reference") == "typical" or unit.startswith("×"):
        kind = "ratio"
    elif unit in THRESHOLD_RANGES:
        kind = unit
    elif metric in _METRIC_KINDS:
        kind = _METRIC_KINDS[metric]
    else:
        kind = next((k for suffix, k in _SUFFIX_KINDS if metric.endswith(suffix)), "other")
    return THRESHOLD_RANGES[kind]


_REQUIRED = ("code", "label", "scope", "metric", "compare", "threshold", "severity", "message", "description")
_OPTIONAL: dict[str, Any] = {
    "reference": "absolute",
    "side": "none",
    "views": list(VIEW_FAMILIES),
    "during": [],
    "debounce_s": 0.0,
    "cooldown_s": 0.0,
    "min_history": 2,
    "enabled": True,
    "unit": "",
    "limits": {},
}


@dataclass(frozen=True)
class Rule:
    """One check, as written in a rule file (see the module docstring for the semantics)."""

    code: str
    label: str
    scope: str
    metric: str
    compare: str
    threshold: float
    severity: str
    message: str
    description: str
    reference: str = "absolute"
    side: str = "none"
    views: tuple[str, ...] = VIEW_FAMILIES
    during: tuple[str, ...] = ()
    debounce_s: float = 0.0
    cooldown_s: float = 0.0
    min_history: int = 2
    enabled: bool = True
    unit: str = ""
    #: view family → what cannot be seen from there (measured detection limit), as a phrase that
    #: follows "not measurable" (e.g. "below a 12° drop from a front view: …")
    limits: tuple[tuple[str, str], ...] = ()
    source: str = ""  # "file:line" the rule came from, for messages
    exercise: str = ""  # the exercise of the file it came from ("common" for framing rules)

    def sides(self) -> tuple[str | None, ...]:
        if self.side == "each":
            return ("left", "right")
        if self.side in ("left", "right"):
            return (self.side,)
        return (None,)

    def metric_for(self, side: str | None) -> str:
        return self.metric.replace("{side}", side) if side else self.metric

    def valid_in(self, view: str) -> bool:
        return view_family(view) in self.views

    def text(self, template: str, side: str | None, value: float | None = None) -> str:
        return template.format(side=side or "", threshold=_fmt(self.threshold), unit=self.unit, value=_fmt(value))


def _fmt(v: float | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:.3g}"


@dataclass
class Flag:
    """A fired rule: what, where, when, and the evidence for it.

    Times are seconds on the source clock.  ``evidence`` holds the metric name, the worst value
    seen while the condition held, the threshold, the reference kind and the baseline / typical
    value it was compared against (``None`` for absolute thresholds).
    """

    code: str
    label: str
    severity: str
    side: str | None
    t_start: float
    t_end: float
    message: str
    description: str
    evidence: dict[str, Any]
    rep: int | None = None
    hold: int | None = None
    set: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------- loading


def _line_of(text: str, rule_no: int, key: str | None) -> int:
    """1-based line of the ``rule_no``-th ``[[rule]]`` table (and of ``key`` inside it, if found)."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip().startswith("[[rule]]")]
    if rule_no >= len(starts):
        return 1
    start = starts[rule_no]
    end = starts[rule_no + 1] if rule_no + 1 < len(starts) else len(lines)
    if key:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for i in range(start, end):
            if pattern.match(lines[i]):
                return i + 1
    return start + 1


def _parse(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"rule file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"rule file {path} cannot be read: {e}.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        # tomllib's message ends with "(at line L, column C)".
        raise InputError(f"rule file {path}: {e}.") from None
    return data, text


def _check_rule(raw: dict[str, Any], path: Path, text: str, n: int, partial: bool,
                base: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    def fail(key: str | None, problem: str) -> InputError:
        code = raw.get("code") if isinstance(raw.get("code"), str) and raw.get("code") else None
        where = f"rule file {path}, line {_line_of(text, n, key)}" + (f", rule '{code}'" if code else "")
        return InputError(f"{where}: {problem}.")

    known = set(_REQUIRED) | set(_OPTIONAL)
    for key in raw:
        if key not in known:
            raise fail(key, f"unknown key '{key}' (known keys: {', '.join(sorted(known))})")
    if "code" not in raw or not isinstance(raw["code"], str) or not raw["code"]:
        raise fail(None, "every [[rule]] needs a 'code' (a short name such as \"heel_sickling\")")
    if not partial:
        for key in _REQUIRED:
            if key not in raw:
                raise fail("code", f"the rule has no '{key}'")
    checks = {
        "scope": SCOPES,
        "severity": SEVERITIES,
        "reference": REFERENCES,
        "side": SIDE_MODES,
        "compare": tuple(COMPARISONS),
    }
    for key, allowed in checks.items():
        if key in raw and raw[key] not in allowed:
            raise fail(key, f"'{key}' must be one of {', '.join(allowed)}, not {raw[key]!r}")
    for key in ("threshold", "debounce_s", "cooldown_s"):
        if key in raw:
            v = raw[key]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise fail(key, f"'{key}' must be a number, not {v!r}")
            if key != "threshold" and not TIME_RANGE_S[0] <= v <= TIME_RANGE_S[1]:
                raise fail(key, f"'{key}' must be from {TIME_RANGE_S[0]:g} to {TIME_RANGE_S[1]:g} s, "
                                f"not {v:g}")
    if "threshold" in raw:
        # an override changing only the threshold is judged by the metric of the rule it overrides
        lo, hi, what = threshold_range({**(base or {}).get(raw["code"], {}), **raw})
        if not lo <= raw["threshold"] <= hi:
            raise fail("threshold", f"'threshold' must be from {lo:g} to {hi:g} for {what}, "
                                    f"not {raw['threshold']:g}")
    if "min_history" in raw:
        v = raw["min_history"]
        if isinstance(v, bool) or not isinstance(v, int) or not MIN_HISTORY_RANGE[0] <= v <= MIN_HISTORY_RANGE[1]:
            raise fail("min_history", f"'min_history' must be a whole number from "
                                      f"{MIN_HISTORY_RANGE[0]} to {MIN_HISTORY_RANGE[1]}, not {v!r}")
    if "views" in raw:
        views = raw["views"]
        if not isinstance(views, list) or not views or any(v not in VIEW_FAMILIES for v in views):
            raise fail("views", f"'views' must be a list drawn from {', '.join(VIEW_FAMILIES)}")
    if "limits" in raw:
        lim = raw["limits"]
        if not isinstance(lim, dict) or any(v not in VIEW_FAMILIES or not isinstance(t, str) or not t for v, t in lim.items()):
            raise fail("limits", f"'limits' must map view families ({', '.join(VIEW_FAMILIES)}) to text")
    if "during" in raw and (not isinstance(raw["during"], list) or not all(isinstance(p, str) for p in raw["during"])):
        raise fail("during", "'during' must be a list of phase names")
    for key in ("message", "description", "label", "metric", "unit"):
        if key in raw and not isinstance(raw[key], str):
            raise fail(key, f"'{key}' must be text")
    if "enabled" in raw and not isinstance(raw["enabled"], bool):
        raise fail("enabled", "'enabled' must be true or false")
    side, metric = raw.get("side"), raw.get("metric")
    if side == "each" and metric is not None and "{side}" not in metric:
        raise fail("metric", "a rule with side = \"each\" needs '{side}' in its metric name")
    for key in ("message", "description"):
        if key in raw:
            try:
                raw[key].format(side="", threshold="", unit="", value="")
            except (KeyError, IndexError, ValueError) as e:
                raise fail(key, f"'{key}' may only use {{side}}, {{threshold}}, {{unit}} and {{value}} ({e})") from None
    out = dict(raw)
    out["source"] = f"{path.name}:{_line_of(text, n, 'code')}"
    return out


def load_rule_file(path: str | Path, partial: bool = False,
                   base: Mapping[str, Mapping[str, Any]] | None = None) -> tuple[str | None, list[dict[str, Any]]]:
    """Read and validate a rule file; returns its exercise and raw rule dicts.

    ``partial`` allows rules that only name a ``code`` and the keys they change (override files);
    ``base`` (rules by code) are the rules they override, whose metric and unit set the range a
    changed threshold must lie in.  Every problem is one :class:`InputError` sentence naming the
    file, the line, the rule and the field.
    """
    path = Path(path)
    data, text = _parse(path)
    schema = data.get("schema", SCHEMA)
    if schema != SCHEMA:
        raise InputError(f"rule file {path}, line 1: schema must be \"{SCHEMA}\", not {schema!r}.")
    rules = data.get("rule", [])
    if not isinstance(rules, list):
        raise InputError(f"rule file {path}: rules must be written as [[rule]] tables.")
    return data.get("exercise"), [_check_rule(r, path, text, n, partial, base) for n, r in enumerate(rules)]


def _to_rule(raw: Mapping[str, Any]) -> Rule:
    kw = {**_OPTIONAL, **raw}
    kw["views"] = tuple(kw["views"])
    kw["during"] = tuple(kw["during"])
    kw["limits"] = tuple(sorted(dict(kw["limits"]).items()))
    kw["threshold"] = float(kw["threshold"])
    kw["debounce_s"] = float(kw["debounce_s"])
    kw["cooldown_s"] = float(kw["cooldown_s"])
    return Rule(**kw)


def bundled_rules_path(exercise: str) -> Path:
    """The rule file of an exercise (``common``: the framing rules): the registry's ``rules_file``
    when it names one, else ``feedback/rules/<exercise>.toml`` in the package."""
    info = registry.find(exercise)
    if info is not None and info.rules_file is not None:
        return Path(info.rules_file)
    return Path(str(resources.files("footform.feedback") / "rules" / f"{exercise}.toml"))


def load_rules(exercise: str, overrides: str | Path | None = None) -> list[Rule]:
    """The rules for ``exercise`` (``"auto"``: every exercise's), plus the common framing rules.

    The bundled files are read first; an override file is then merged over them by ``code``: an
    override rule with a known code changes only the keys it names (e.g. ``threshold``,
    ``severity``, ``enabled = false``); an unknown code adds a new rule, which must then be
    complete.  An override file that names an ``exercise`` applies to that exercise only.
    """
    exercises = list(registry.IDS) if exercise == registry.AUTO else [exercise]
    merged: dict[str, dict[str, Any]] = {}
    for ex in ["common", *exercises]:
        path = bundled_rules_path(ex)
        if not path.is_file():
            raise InputError(f"footform has no rule file for the exercise '{ex}'.")
        for r in load_rule_file(path)[1]:
            merged[r["code"]] = {**r, "exercise": ex}
    if overrides is not None:
        o_exercise, extra = load_rule_file(overrides, partial=True, base=merged)
        if o_exercise is None or o_exercise in exercises or o_exercise == "common":
            for r in extra:
                if r["code"] in merged:
                    merged[r["code"]] = {**merged[r["code"]], **r, "source": r["source"]}
                    continue
                missing = [k for k in _REQUIRED if k not in r]
                if missing:
                    line = r["source"].rsplit(":", 1)[1]
                    raise InputError(
                        f"rule file {overrides}, line {line}: rule '{r['code']}' is not one of footform's "
                        f"rules, so it must be complete (missing {', '.join(missing)})."
                    )
                merged[r["code"]] = {**r, "exercise": o_exercise or exercises[0]}
    return [_to_rule(r) for r in merged.values() if r.get("enabled", True)]


# --------------------------------------------------------------------------- evaluation


@dataclass
class _FrameState:
    since: float | None = None       # the condition has held since this time
    active: Flag | None = None       # the open flag, if fired
    last_end: float | None = None    # when the previous flag of this rule/side ended
    worst: float = math.nan
    worst_ref: float | None = None


@dataclass
class FeedbackEngine:
    """Evaluates rules online: ``step()`` per frame, ``on_row()`` per completed rep/hold/set.

    ``flags`` holds every flag so far (open frame flags are closed by :meth:`finish`);
    ``not_measurable`` maps rule codes to one sentence each, for rules the camera view did not
    allow.  Fired flags are also returned by ``step``/``on_row`` so a live display or voice can
    speak them at once.
    """

    rules: list[Rule]
    flags: list[Flag] = field(default_factory=list)
    not_measurable: dict[str, str] = field(default_factory=dict)
    _states: dict[tuple[str, str | None], _FrameState] = field(default_factory=dict)
    _history: dict[tuple[str, str, str | None], list[float]] = field(default_factory=dict)
    _last_t: float = 0.0

    def _unmeasurable(self, rule: Rule, view: str) -> None:
        if rule.code not in self.not_measurable:
            fam = view_family(view)
            where = "this camera view" if fam == "unknown" else f"a {fam} view"
            self.not_measurable[rule.code] = f"{rule.label}: not measurable from {where}"

    def _limited(self, rule: Rule, view: str) -> None:
        """Report the rule's measured detection limit in this view (once per session)."""
        if rule.limits and rule.code not in self.not_measurable:
            text = dict(rule.limits).get(view_family(view))
            if text:
                self.not_measurable[rule.code] = f"{rule.label}: not measurable {text}"

    @staticmethod
    def _compare(rule: Rule, value: float, reference: float | None) -> bool:
        if math.isnan(value):
            return False
        if rule.reference == "baseline":
            if reference is None or math.isnan(reference):
                return False
            value = value - reference
        elif rule.reference == "typical":
            if reference is None or math.isnan(reference) or reference == 0:
                return False
            value = value / reference
        return bool(COMPARISONS[rule.compare](value, rule.threshold))

    def step(
        self,
        t_s: float,
        metrics: Mapping[str, float],
        view: str,
        phase: str | None = None,
        baseline: Mapping[str, float] | None = None,
        rep: int | None = None,
        hold: int | None = None,
    ) -> list[Flag]:
        """Evaluate the frame-scope rules on one frame's metrics; returns flags that fired now."""
        self._last_t = t_s
        fired: list[Flag] = []
        for rule in self.rules:
            if rule.scope != "frame":
                continue
            if not rule.valid_in(view):
                self._unmeasurable(rule, view)
                continue
            self._limited(rule, view)
            for side in rule.sides():
                key = (rule.code, side)
                st = self._states.setdefault(key, _FrameState())
                in_phase = not rule.during or (phase in rule.during)
                name = rule.metric_for(side)
                value = float(metrics.get(name, math.nan))
                ref = None if baseline is None else baseline.get(name)
                holds = in_phase and self._compare(rule, value, ref)
                if holds:
                    if st.since is None:
                        st.since = t_s
                        st.worst, st.worst_ref = value, ref
                    elif _worse(rule, value, st.worst):
                        st.worst, st.worst_ref = value, ref
                    if st.active is not None:
                        st.active.t_end = t_s
                        st.active.evidence["value"] = st.worst
                    elif t_s - st.since >= rule.debounce_s and (
                        st.last_end is None or st.since - st.last_end >= rule.cooldown_s
                    ):
                        flag = self._flag(rule, side, st.since, t_s, st.worst, st.worst_ref, rep=rep, hold=hold)
                        st.active = flag
                        self.flags.append(flag)
                        fired.append(flag)
                else:
                    if st.active is not None:
                        st.active.t_end = t_s
                        st.last_end = t_s
                        st.active = None
                    st.since = None
        return fired

    def on_row(self, scope: str, row: Mapping[str, Any], view: str, index_key: str = "index", learn: bool = True) -> list[Flag]:
        """Evaluate the ``scope`` rules (rep / hold / set) on one completed row's metrics.

        ``learn=False`` judges the row without adding it to the history that ``typical``
        references are computed from (a partial rep must not lower the person's typical height).
        """
        fired: list[Flag] = []
        for rule in self.rules:
            if rule.scope != scope:
                continue
            if not rule.valid_in(view):
                self._unmeasurable(rule, view)
                continue
            self._limited(rule, view)
            for side in rule.sides():
                name = rule.metric_for(side)
                raw = row.get(name)
                value = math.nan if raw is None else float(raw)
                hist_key = (scope, name, row.get("side") if rule.side == "none" else side)
                history = self._history.setdefault(hist_key, [])
                ref: float | None = None
                if rule.reference == "typical":
                    ref = _median(history) if len(history) >= rule.min_history else None
                elif rule.reference == "baseline":
                    b = row.get("baseline") or {}
                    ref = b.get(name) if isinstance(b, Mapping) else None
                if self._compare(rule, value, ref):
                    t0 = float(row.get("t_start", self._last_t))
                    t1 = float(row.get("t_end", t0))
                    kw = {scope: row.get(index_key)} if scope in ("rep", "hold", "set") else {}
                    flag = self._flag(rule, side or row.get("side") or row.get("stance_side"), t0, t1, value, ref, **kw)
                    self.flags.append(flag)
                    fired.append(flag)
                if learn and not math.isnan(value):
                    history.append(value)
        return fired

    def _flag(self, rule: Rule, side: str | None, t0: float, t1: float, value: float, ref: float | None, **where: Any) -> Flag:
        return Flag(
            code=rule.code,
            label=rule.label,
            severity=rule.severity,
            side=side,
            t_start=t0,
            t_end=t1,
            message=rule.text(rule.message, side, value),
            description=rule.text(rule.description, side, value),
            evidence={
                "metric": rule.metric_for(side) if side in ("left", "right") and "{side}" in rule.metric else rule.metric,
                "value": value,
                "compare": rule.compare,
                "threshold": rule.threshold,
                "reference": rule.reference,
                "baseline": ref if rule.reference == "baseline" else None,
                "typical": ref if rule.reference == "typical" else None,
                "unit": rule.unit,
                "rule_source": rule.source,
            },
            **where,
        )

    def finish(self, t_end: float | None = None) -> list[Flag]:
        """Close flags still open at the end of the session; returns all flags in time order."""
        end = self._last_t if t_end is None else t_end
        for st in self._states.values():
            if st.active is not None:
                st.active.t_end = end
                st.active = None
        self.flags.sort(key=lambda f: (f.t_start, f.code))
        return self.flags


def _worse(rule: Rule, value: float, worst: float) -> bool:
    if math.isnan(worst):
        return True
    if rule.compare in (">", ">="):
        return value > worst
    if rule.compare in ("<", "<="):
        return value < worst
    if rule.compare == "abs>":
        return abs(value) > abs(worst)
    return abs(value) < abs(worst)


def _median(values: Iterable[float]) -> float:
    v = sorted(values)
    n = len(v)
    if n == 0:
        return math.nan
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


def with_threshold(rules: list[Rule], code: str, threshold: float) -> list[Rule]:
    """A copy of ``rules`` with one rule's threshold changed (for sweeps in benchmarks)."""
    return [replace(r, threshold=threshold) if r.code == code else r for r in rules]
