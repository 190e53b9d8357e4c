"""What every footform report draws with: colours, number formatting and matplotlib figures as inline SVG.

Shared by the session, progress and home-program reports (:mod:`footform.outputs.report`).  The plots are
inline SVG with their text kept as text (escaped by matplotlib); the reports' HTML is in their templates.
"""

from __future__ import annotations

import io
import re
from typing import Any

from footform.exercises.registry import SIDE_COLOURS

# -- colours (colour-blind safe, Okabe–Ito; the sides are the registry's, as on the live screen) --
SEVERITY_COLOURS = {"info": "#56B4E9", "warn": "#E69F00", "stop": "#CC0000", None: "#888888"}
NEUTRAL_KEY = "#4D4D4D"    # legend keys of per-leg bars: neither leg's colour
MARK_COLOURS = {"pain": "#9400D3", "cramp": "#009E73", "note": "#666666"}


# ---------------------------------------------------------------------------------------------
# Matplotlib → inline SVG
# ---------------------------------------------------------------------------------------------

_RC = {
    "svg.fonttype": "none",
    "text.parse_math": False,    # text from the store (flag labels, mark kinds) is drawn as typed: "$" is no markup
    "font.family": "sans-serif",
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.labelsize": 9.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "legend.fontsize": 8.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e3e3e3",
    "grid.linewidth": 0.6,
    "figure.dpi": 72,
}


def figure(w_in: float, h_in: float):
    """A matplotlib figure of ``w_in`` × ``h_in`` inches, laid out by matplotlib (no GUI backend)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(w_in, h_in), layout="constrained")


def svg_of(fig: Any, name: str) -> str:
    """The figure as an inline ``<svg>`` element: no XML prolog, metadata or namespace URLs, ids prefixed."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({**_RC, "svg.hashsalt": f"footform-{name}"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    s = buf.getvalue()
    s = s[s.index("<svg"):]
    s = re.sub(r"<metadata>.*?</metadata>\s*", "", s, flags=re.DOTALL)
    s = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", s)
    s = re.sub(r'\s+version="1\.1"', "", s)

    def new_id(old: str) -> str:
        return old if old.startswith(name + "-") else f"{name}-{old}"

    s = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{new_id(m.group(1))}"', s)
    s = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{new_id(m.group(1))}"', s)
    s = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{new_id(m.group(1))})", s)
    # scale with the page: keep the viewBox, drop the fixed size in points
    s = re.sub(r'<svg([^>]*?)\swidth="[^"]*"\s+height="[^"]*"', r'<svg\1', s, count=1)
    width_px = float(fig.get_size_inches()[0]) * 96.0
    s = s.replace("<svg", f'<svg class="plot" role="img" aria-labelledby="{name}-caption" '
                          f'style="max-width: {width_px:.0f}px"', 1)
    return s.strip()


def with_rc(fn):
    """Run a plotting function under footform's matplotlib style."""

    def wrapper(*a: Any, **k: Any) -> Any:
        import matplotlib

        with matplotlib.rc_context(_RC):
            return fn(*a, **k)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


__all__ = ["MARK_COLOURS", "NEUTRAL_KEY", "SEVERITY_COLOURS", "SIDE_COLOURS", "figure", "svg_of", "with_rc"]
