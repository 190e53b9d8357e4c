"""Camera geometry and offscreen rendering (pyrender through OSMesa).

The pinhole camera here is the one pyrender renders with, so the truth file's pixel points are
exact: ``u = cx + f·X/Z``, ``v = cy − f·Y/Z`` in the camera frame (X right, Y up, Z backwards as in
OpenGL, so a visible point has Z < 0 and u = cx + f·X/(−Z)), with ``f = (H/2)/tan(vfov/2)`` and
``(cx, cy) = (W/2, H/2)``.  Pixel coordinates are continuous: 0 is the left/top *edge* of the
image and the centre of pixel (i, j) is (i + 0.5, j + 0.5) — the same convention as MediaPipe's
normalised coordinates multiplied by the image size.

pyrender and OpenGL are imported lazily in :class:`Renderer`; ``PYOPENGL_PLATFORM`` is set to
``osmesa`` unless the caller set it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from tools.render.scenario import Camera, Light


@dataclass
class CameraModel:
    """A pinhole camera in the subject frame (metres)."""

    position: np.ndarray  # (3,)
    R_wc: np.ndarray  # (3,3) columns = camera axes (right, up, back) in world coordinates
    f_px: float
    width: int
    height: int
    vfov_deg: float

    @classmethod
    def from_spec(cls, cam: Camera, azimuth_deg: float, target_z: float, target_xy=(0.0, 0.0)) -> CameraModel:
        a = np.radians(azimuth_deg)
        # azimuth from the subject's front (+y) towards the subject's left (−x)
        pos = np.array([target_xy[0] - cam.distance_m * np.sin(a), target_xy[1] + cam.distance_m * np.cos(a), cam.height_m])
        target = np.array([target_xy[0], target_xy[1], target_z])
        back = pos - target
        back /= np.linalg.norm(back)
        right = np.cross([0.0, 0.0, 1.0], back)
        right /= np.linalg.norm(right)
        up = np.cross(back, right)
        if cam.roll_deg:
            r = np.radians(cam.roll_deg)
            right, up = np.cos(r) * right + np.sin(r) * up, -np.sin(r) * right + np.cos(r) * up
        R = np.column_stack([right, up, back])
        f = 0.5 * cam.height / np.tan(np.radians(cam.vfov_deg) / 2)
        return cls(pos, R, float(f), cam.width, cam.height, cam.vfov_deg)

    @property
    def pose(self) -> np.ndarray:
        """4×4 camera-to-world matrix (OpenGL camera axes)."""
        T = np.eye(4)
        T[:3, :3] = self.R_wc
        T[:3, 3] = self.position
        return T

    def to_camera(self, p: np.ndarray) -> np.ndarray:
        return (np.asarray(p) - self.position) @ self.R_wc

    def project(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixel coordinates (…, 2) and depth in metres along the viewing axis (…,)."""
        c = self.to_camera(p)
        depth = -c[..., 2]
        u = self.width / 2 + self.f_px * c[..., 0] / depth
        v = self.height / 2 - self.f_px * c[..., 1] / depth
        return np.stack([u, v], -1), depth


class Renderer:
    """Offscreen renderer for one clip: a floor, an optional stool, the body mesh and a light."""

    def __init__(self, cam: CameraModel, light: Light, faces: np.ndarray, colors: np.ndarray) -> None:
        os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")
        if not hasattr(np, "infty"):  # pyrender 0.1.45 still uses np.infty (removed in numpy 2)
            np.infty = np.inf  # type: ignore[attr-defined]
        import pyrender
        import trimesh

        self.pyrender, self.trimesh = pyrender, trimesh
        self.cam, self.light = cam, light
        self.faces = faces
        self.colors = np.concatenate([colors, np.ones((len(colors), 1))], 1)
        self.scene = pyrender.Scene(bg_color=[*light.background, 1.0], ambient_light=[light.ambient] * 3)
        floor = trimesh.creation.box(extents=[12.0, 12.0, 0.02])
        floor.apply_translation([0, 0, -0.01])
        fmat = pyrender.MetallicRoughnessMaterial(baseColorFactor=[*light.floor, 1.0], metallicFactor=0.0, roughnessFactor=0.9)
        self.scene.add(pyrender.Mesh.from_trimesh(floor, material=fmat, smooth=False))
        pc = pyrender.IntrinsicsCamera(fx=cam.f_px, fy=cam.f_px, cx=cam.width / 2, cy=cam.height / 2, znear=0.05, zfar=30.0)
        self.scene.add(pc, pose=cam.pose)
        az, el = np.radians(light.azimuth_deg), np.radians(light.elevation_deg)
        # light comes from azimuth (from the subject's front towards their left) and elevation
        d = np.array([-np.sin(az) * np.cos(el), np.cos(az) * np.cos(el), np.sin(el)])  # towards the light
        z = d / np.linalg.norm(d)
        x = np.cross([0, 0, 1.0], z)
        x = x / np.linalg.norm(x) if np.linalg.norm(x) > 1e-6 else np.array([1.0, 0, 0])
        Lp = np.eye(4)
        Lp[:3, :3] = np.column_stack([x, np.cross(z, x), z])
        self.scene.add(pyrender.DirectionalLight(color=[1.0, 0.98, 0.95], intensity=light.intensity), pose=Lp)
        # a weak fill light from the camera so the side away from the key light is not black
        self.scene.add(pyrender.DirectionalLight(color=[1.0, 1.0, 1.0], intensity=0.35 * light.intensity), pose=cam.pose)
        self.r = pyrender.OffscreenRenderer(cam.width, cam.height)
        self.body_node = None
        self.seat_node = None
        self.flags = pyrender.RenderFlags.SHADOWS_DIRECTIONAL if light.shadows else pyrender.RenderFlags.NONE

    def set_seat(self, box: tuple[np.ndarray, np.ndarray] | None) -> None:
        if box is None or self.seat_node is not None:
            return
        lo, hi = box
        m = self.trimesh.creation.box(extents=hi - lo)
        m.apply_translation((hi + lo) / 2)
        mat = self.pyrender.MetallicRoughnessMaterial(baseColorFactor=[0.35, 0.25, 0.18, 1.0], metallicFactor=0.0, roughnessFactor=0.8)
        self.seat_node = self.scene.add(self.pyrender.Mesh.from_trimesh(m, material=mat, smooth=False))

    def render(self, vertices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """RGB uint8 (H, W, 3) and depth (H, W) in metres (0 = background)."""
        tm = self.trimesh.Trimesh(vertices=vertices, faces=self.faces, vertex_colors=self.colors, process=False)
        mesh = self.pyrender.Mesh.from_trimesh(tm, smooth=True)
        if self.body_node is not None:
            self.scene.remove_node(self.body_node)
        self.body_node = self.scene.add(mesh)
        color, depth = self.r.render(self.scene, flags=self.flags)
        return np.ascontiguousarray(color[..., :3]), depth

    def close(self) -> None:
        self.r.delete()
