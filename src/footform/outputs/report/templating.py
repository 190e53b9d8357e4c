"""The reports' Jinja2 environment and the number formats their templates use.

Every report page is a Jinja2 template in ``templates/`` with **autoescaping on**: text from the store
(names, notes, file names, rule messages, program notes …) is escaped wherever a template prints it.
The only values marked safe are the matplotlib SVG plots (:func:`plot`), which matplotlib writes with
its own escaping, and the stylesheet ``report.css``, which ships beside the templates.  Templates and CSS
are package data, so a designer can change a report without touching Python.

The formatters here return plain text (a no-break space between a number and its unit, U+00A0): they
never return markup, so autoescaping them is harmless.  A missing number is a dash, never "nan".
"""

from __future__ import annotations

import datetime as _dt
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from footform import __version__
from footform.core.numeric import finite

NBSP = "\u00a0"

#: Image angles (2-D, from pose landmarks) are printed in whole degrees, prefixed "≈": tenths are
#: far below what the method resolves — on the rendered side stretch the model's ankle angle was
#: 6–15° off the truth and the pumps' range 6–16° short (docs/metrics.md), and its frame-to-frame
#: jitter is a degree or more.  Whole degrees keep a person's own holds and pumps comparable.
ANGLE_ND = 0


def fmt(v: Any, nd: int = 2, unit: str = "", dash: str = "–") -> str:
    """A number with ``nd`` decimals and a unit (``1.25 s``, minus as U+2212), a dash for missing; text passed through."""
    if isinstance(v, str):
        return v
    x = finite(v)
    if x is None:
        return dash
    s = f"{x:.{nd}f}".replace("-", "−")
    return f"{s}{NBSP}{unit}" if unit else s


def fmt_angle(v: Any, unit: bool = True, dash: str = "–") -> str:
    """An estimated image angle: ``≈ 26°`` (whole degrees); a dash for missing; text passed through."""
    if isinstance(v, str):
        return v
    x = finite(v)
    if x is None:
        return dash
    return f"≈{NBSP}{x:.{ANGLE_ND}f}".replace("-", "−") + ("°" if unit else "")


def pct(part: Any, whole: Any) -> str:
    """``part`` as a whole percentage of ``whole`` (``87 %``); a dash when either is missing or ``whole`` is 0."""
    p, w = finite(part), finite(whole)
    if p is None or not w:
        return "–"
    return f"{100.0 * p / w:.0f}{NBSP}%"


def tspan(a: Any, b: Any) -> str:
    """A time span in seconds, ``1.3–5.3 s``; one time when the end is missing; a dash when the start is."""
    x, y = finite(a), finite(b)
    if x is None:
        return "–"
    return f"{x:.1f}–{y:.1f}{NBSP}s" if y is not None else f"{x:.1f}{NBSP}s"


def plot(svg: str | None) -> Markup:
    """An inline SVG plot made by :func:`footform.outputs.figures.svg_of` (matplotlib escapes its text)."""
    return Markup(svg or "")


@cache
def environment() -> Environment:
    """The reports' Jinja2 environment: package templates, autoescaping, undefined names are errors."""
    env = Environment(loader=PackageLoader("footform.outputs.report", "templates"),
                      autoescape=select_autoescape(["html"], default_for_string=True, default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(fmt=fmt, angle=fmt_angle, tspan=tspan)
    env.globals.update(version=__version__)
    return env


@cache
def stylesheet() -> str:
    """The reports' CSS (``report.css``, package data), inlined into every page so that it opens offline."""
    return resources.files("footform.outputs.report").joinpath("report.css").read_text(encoding="utf-8")


def render(template: str, **context: Any) -> str:
    """Render a page template with its context; the CSS and the time the report was made are added."""
    now = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return environment().get_template(template).render(css=Markup(stylesheet()), made=now, **context)


__all__ = ["ANGLE_ND", "NBSP", "environment", "fmt", "fmt_angle", "pct", "plot", "render", "stylesheet", "tspan"]
