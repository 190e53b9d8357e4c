"""Rendered ground-truth footage: exercise clips of a parametric person with exact per-frame labels.

A development tool (not part of the analysis pipeline): a scenario file (TOML) describes an
exercise, its faults, the body, camera, light and video degradation; the generator poses the
`anny` body model (NAVER, Apache-2.0, MakeHuman CC0 assets) frame by frame, renders it offscreen
with `pyrender` (OSMesa) and writes the video plus a truth file (``footform.render-truth/1``) with
the true 2D/3D landmark points, heel heights, sway, fault windows, reps and holds.

Heavy dependencies (torch, anny, pyrender) are imported lazily inside :mod:`tools.render.body`
and :mod:`tools.render.scene`, only when a clip is rendered, so ``import footform`` and even
``import tools.render.scenario`` never need them.  See docs/rendering.md.

Usage::

    python -m tools.render SCENARIO.toml --out DIR
    python -m tools.render.batch bench/scenarios --out DIR
    python -m tools.render.check DIR_OR_SAMPLES --model models/pose_landmarker_full.task
    python -m tools.render.evaluate DIR [--out report.json]   # footform vs the truth (docs/evaluation.md)
"""

TRUTH_SCHEMA = "footform.render-truth/1"

__all__ = ["TRUTH_SCHEMA"]
