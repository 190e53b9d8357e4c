"""Published reference values shown beside a person's results, each with its full citation.

These are **references, not diagnoses**: each comes from a specific test protocol (surface, arms,
cadence, ceiling, how many trials) that a home exercise session filmed by a webcam does not
reproduce, so the report shows them as context lines and says so.  Only numbers we could check
are included; values marked ``approximate`` were read from the paper's tables as summarised
elsewhere and should be checked against the original before being quoted.

No published reference applies to footform's sway figures (a camera COM proxy in foot lengths is
not a force-plate centre of pressure in millimetres): sway is compared with the person's own
earlier sessions only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Citation:
    """A publication, enough to find it."""

    key: str
    authors: str
    year: int
    title: str
    journal: str
    volume: str
    pages: str
    doi: str | None = None

    def text(self) -> str:
        doi = f" doi:{self.doi}" if self.doi else ""
        return f"{self.authors} ({self.year}). {self.title}. {self.journal} {self.volume}:{self.pages}.{doi}"


@dataclass(frozen=True)
class ReferenceValue:
    """One published figure: what test, what statistic, for whom, from where."""

    test: str            # "heel_rise" | "unipedal_stance"
    label: str           # short label for a plot line
    value: float
    unit: str            # "reps" | "s"
    statistic: str       # e.g. "median", "mean of best of 3 trials", "criterion for normal"
    population: str
    protocol: str
    citation: Citation
    condition: str | None = None   # e.g. "eyes open"
    age_band: str | None = None    # e.g. "40-49"
    sex: str | None = None         # "female" | "male" | None (all)
    approximate: bool = False

    def describe(self) -> str:
        approx = "≈ " if self.approximate else ""
        who = ", ".join(x for x in (self.sex, f"age {self.age_band}" if self.age_band else None, self.condition) if x)
        return f"{approx}{self.value:g} {self.unit} — {self.statistic}{f' ({who})' if who else ''}"


LUNSFORD_PERRY_1995 = Citation(
    key="lunsford1995",
    authors="Lunsford BR, Perry J",
    year=1995,
    title="The standing heel-rise test for ankle plantar flexion: criterion for normal",
    journal="Physical Therapy",
    volume="75(8)",
    pages="694–698",
    doi="10.1093/ptj/75.8.694",
)

HEBERT_LOSIER_2017 = Citation(
    key="hebertlosier2017",
    authors="Hébert-Losier K, Wessman C, Alricsson M, Svantesson U",
    year=2017,
    title="Updated reliability and normative values for the standing heel-rise test in healthy adults",
    journal="Physiotherapy",
    volume="103(4)",
    pages="446–452",
    doi="10.1016/j.physio.2017.03.002",
)

SPRINGER_2007 = Citation(
    key="springer2007",
    authors="Springer BA, Marin R, Cyhan T, Roberts H, Gill NW",
    year=2007,
    title="Normative values for the unipedal stance test with eyes open and closed",
    journal="Journal of Geriatric Physical Therapy",
    volume="30(1)",
    pages="8–15",
    doi="10.1519/00139143-200704000-00003",
)

_HEEL_RISE_PROTOCOL = "single-leg heel raises to fatigue, one leg at a time"

HEEL_RISE: tuple[ReferenceValue, ...] = (
    ReferenceValue(
        test="heel_rise", label="25 reps (Lunsford & Perry 1995)", value=25, unit="reps",
        statistic="proposed criterion for a normal single-leg heel-rise test",
        population="healthy adults", protocol=_HEEL_RISE_PROTOCOL + ", on level ground",
        citation=LUNSFORD_PERRY_1995,
    ),
    ReferenceValue(
        test="heel_rise", label="men: median 24 (Hébert-Losier 2017)", value=24, unit="reps",
        statistic="median", sex="male", population="566 healthy volunteers aged 20–81",
        protocol=_HEEL_RISE_PROTOCOL + ", standing on a 10° incline", citation=HEBERT_LOSIER_2017,
    ),
    ReferenceValue(
        test="heel_rise", label="women: median 21 (Hébert-Losier 2017)", value=21, unit="reps",
        statistic="median", sex="female", population="566 healthy volunteers aged 20–81",
        protocol=_HEEL_RISE_PROTOCOL + ", standing on a 10° incline", citation=HEBERT_LOSIER_2017,
    ),
)

#: Springer et al. 2007 age bands (years).
SPRINGER_BANDS = ("18-39", "40-49", "50-59", "60-69", "70-79", "80-99")
_SPRINGER_PROTOCOL = ("timed unipedal stance, arms crossed over the chest, 45 s maximum, best of 3 trials; "
                      "549 healthy adults aged 18–99")

#: Best of 3 trials, eyes closed (s), (female, male) by age band.
_SPRINGER_EC_BEST = {
    "18-39": (13.1, 16.9), "40-49": (13.5, 12.0), "50-59": (7.9, 8.6),
    "60-69": (3.6, 5.1), "70-79": (3.7, 2.6), "80-99": (2.1, 1.8),
}
#: Best of 3 trials, eyes open (s), (female, male) by age band — approximate (see module doc).
_SPRINGER_EO_BEST = {
    "18-39": (45.1, 44.4), "40-49": (42.1, 41.6), "50-59": (40.9, 41.5),
    "60-69": (30.4, 33.8), "70-79": (16.7, 25.9), "80-99": (10.6, 8.7),
}


def _springer(condition: str, table: dict[str, tuple[float, float]], approximate: bool) -> tuple[ReferenceValue, ...]:
    out = []
    for band, (f, m) in table.items():
        for sex, v in (("female", f), ("male", m)):
            out.append(ReferenceValue(
                test="unipedal_stance", label=f"{condition}, {sex} {band}: {v:g} s", value=v, unit="s",
                statistic="mean of each person's best of 3 trials", condition=condition, age_band=band, sex=sex,
                population=f"healthy adults aged {band.replace('-', '–')}", protocol=_SPRINGER_PROTOCOL,
                citation=SPRINGER_2007, approximate=approximate,
            ))
    return tuple(out)


UNIPEDAL_STANCE: tuple[ReferenceValue, ...] = (
    _springer("eyes open", _SPRINGER_EO_BEST, approximate=True)
    + _springer("eyes closed", _SPRINGER_EC_BEST, approximate=False)
)

ALL: tuple[ReferenceValue, ...] = HEEL_RISE + UNIPEDAL_STANCE
CITATIONS: tuple[Citation, ...] = (LUNSFORD_PERRY_1995, HEBERT_LOSIER_2017, SPRINGER_2007)

#: What every display of these values must say.
DISCLAIMER = ("Published reference values are shown for context only. They come from standardised clinical tests "
              "(fixed protocol, supervised and timed by a clinician) that a filmed home exercise session does not "
              "reproduce; they are not diagnoses, and not targets unless the therapist sets them as such.")


def springer_band(age_band: str | int | None) -> str | None:
    """The Springer et al. (2007) age band for an age or an age band such as ``"40-49"`` / ``"80+"``.

    A band that spans two Springer bands (e.g. ``"35-44"``) maps to the band of its lower bound.
    """
    if age_band is None:
        return None
    nums = [int(n) for n in re.findall(r"\d+", str(age_band))]
    if not nums:
        return None
    age = nums[0]
    if age < 18:
        return None
    for band in SPRINGER_BANDS:
        lo, hi = (int(x) for x in band.split("-"))
        if lo <= age <= hi:
            return band
    return "80-99"


def unipedal_stance(age_band: str | int | None, sex: str | None = None) -> list[ReferenceValue]:
    """Springer et al. 2007 values for this person's age band (both sexes unless ``sex`` given)."""
    band = springer_band(age_band)
    if band is None:
        return []
    return [r for r in UNIPEDAL_STANCE if r.age_band == band and (sex is None or r.sex == sex)]


def heel_rise(sex: str | None = None) -> list[ReferenceValue]:
    """Heel-rise test references (criterion and medians; by sex where the paper gives it)."""
    return [r for r in HEEL_RISE if sex is None or r.sex in (None, sex)]
