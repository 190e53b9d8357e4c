"""The posed person: the `anny` body model driven by the control signals of :mod:`.motion`.

World frame used everywhere in the renderer and in the truth file ("subject frame"): metres,
origin on the floor midway between the feet in the standing start pose, **x towards the subject's
right, y towards the subject's front (anterior), z up**; the floor is the plane z = 0.  It is anny's
own frame (x left, −y front, z up) turned 180° about z and lowered so the soles touch z = 0.

Posing.  anny's "local-ref" pose parameters are per-bone rotations about the bone's head in
world-aligned axes; the posed world rotation of a bone (relative to the model's reference pose)
is the product of the deltas along its chain, G_c = D_root … D_c, and its head follows by forward
kinematics.  So each frame is solved in world terms: the root (pelvis) position and orientation,
the trunk lean, the feet's rigid motions (a planted foot rotates about a point that stays on the
floor: the ball of the foot for a heel raise, the medial sole edge for a pronation roll, the heel
for seated pumps) and two-bone inverse kinematics from hip to ankle (shoulder to wrist for the
arms), then the deltas D_c = G_parent^T G_c are handed to anny for skinning.  A planted foot
therefore stays exactly where it was put: its bones are placed in world coordinates, never by
accumulating joint angles.

torch and anny are imported here only, when a :class:`BodyModel` is built.

(Over ~500 lines: one class, the pose solver, whose parts share the rig's constants and vertex
groups; splitting it would pass them around rather than make it clearer.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.render.scenario import Body, Scenario

SIDE_TAG = {"left": "L", "right": "R"}
_S = np.diag([-1.0, -1.0, 1.0])  # anny frame <-> subject frame (180° about z)


def rot(axis: str, deg: float) -> np.ndarray:
    """Rotation matrix about a world axis ('x', 'y' or 'z') by ``deg`` degrees (right hand)."""
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    if axis == "x":
        return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    if axis == "y":
        return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(1e-12, float(np.linalg.norm(v)))


def _frame(d: np.ndarray, pole: np.ndarray) -> np.ndarray:
    """Orthonormal frame (columns) with first axis ``d`` and second axis ``pole`` made orthogonal."""
    x = _unit(d)
    y = pole - np.dot(pole, x) * x
    if np.linalg.norm(y) < 1e-6:
        y = np.array([0.0, 0.0, 1.0]) - x[2] * x
    y = _unit(y)
    return np.column_stack([x, y, np.cross(x, y)])


def two_bone_ik(a: np.ndarray, target: np.ndarray, l1: float, l2: float, pole: np.ndarray) -> np.ndarray:
    """Middle joint (knee/elbow) position for a chain a→b→c of lengths l1, l2 reaching ``target``.

    The joint bends towards ``pole`` (a direction).  An out-of-reach target is clamped (the chain
    is then straight and points at the target).
    """
    v = target - a
    d = float(np.linalg.norm(v))
    d = min(max(d, abs(l1 - l2) + 1e-6), l1 + l2 - 1e-7)
    u = v / max(1e-12, float(np.linalg.norm(v)))
    x = (l1 * l1 - l2 * l2 + d * d) / (2 * d)
    h = np.sqrt(max(0.0, l1 * l1 - x * x))
    p = pole - np.dot(pole, u) * u
    p = _unit(p) if np.linalg.norm(p) > 1e-9 else _unit(np.cross(u, [1.0, 0, 0]))
    return a + x * u + h * p


@dataclass
class Posed:
    """One posed frame, subject frame (metres)."""

    vertices: np.ndarray  # (V, 3)
    heads: np.ndarray  # (J, 3) posed bone heads
    com: np.ndarray  # (3,) segment-model centre of mass
    seat: tuple[np.ndarray, np.ndarray] | None = None  # stool box (min corner, max corner)


class BodyModel:
    """anny with the project's vertex groups, landmark definitions and pose solver."""

    def __init__(self, body: Body, arms: str = "sides") -> None:
        import torch  # lazy: only when rendering

        try:  # anny skins through NVIDIA warp, which prints a banner on import unless told not to
            import warp

            warp.config.quiet = True
        except ImportError:
            pass
        import anny

        torch.set_num_threads(1)
        self.torch = torch
        self.model = anny.Anny().to(dtype=torch.float64)
        self.labels = list(self.model.bone_labels)
        self.parents = list(self.model.bone_parents)
        self.J = len(self.labels)
        self.idx = {n: i for i, n in enumerate(self.labels)}
        self.phenotype = {k: float(getattr(body, k)) for k in self.model.phenotype_labels}
        self.arms = arms
        eye = torch.eye(4, dtype=torch.float64)[None, None].repeat(1, self.J, 1, 1)
        with torch.no_grad():
            out = self.model(pose_parameters=eye, phenotype_kwargs=self.phenotype)
        v_anny = out["vertices"][0].numpy()
        h_anny = out["bone_poses"][0][:, :3, 3].numpy()
        self.floor_anny = float(v_anny[:, 2].min())
        self.V0 = self._to_subject(v_anny)
        self.H0 = self._to_subject(h_anny)
        self.faces = self.model.faces.numpy().astype(np.int64)
        w = self.model.vertex_bone_weights.numpy()
        bi = self.model.vertex_bone_indices.numpy()
        self.dom = bi[np.arange(len(bi)), w.argmax(1)]
        self._define_groups()
        self.colors = self._vertex_colors(body)
        self.stature = float(self.V0[:, 2].max())

    # --- frames ------------------------------------------------------------------------------
    def _to_subject(self, p_anny: np.ndarray) -> np.ndarray:
        q = p_anny @ _S.T
        q[..., 2] -= self.floor_anny
        return q

    def _to_anny(self, p: np.ndarray) -> np.ndarray:
        q = p.copy()
        q[..., 2] += self.floor_anny
        return q @ _S.T

    def head(self, name: str) -> np.ndarray:
        return self.H0[self.idx[name]]

    # --- vertex groups and landmark definitions ---------------------------------------------
    def _bones(self, pred) -> np.ndarray:
        return np.array([i for i, n in enumerate(self.labels) if pred(n)])

    def _define_groups(self) -> None:
        V = self.V0
        self.lm_sets: dict[str, np.ndarray] = {}
        self.foot_verts: dict[str, np.ndarray] = {}
        self.heel_pad: dict[str, np.ndarray] = {}
        self.ball: dict[str, np.ndarray] = {}
        self.medial_edge: dict[str, np.ndarray] = {}
        for side, tag in SIDE_TAG.items():
            foot_bones = self._bones(lambda n, t=tag: n.endswith("." + t) and (n.startswith("toe") or n.startswith("foot")))
            fv = np.nonzero(np.isin(self.dom, foot_bones))[0]
            self.foot_verts[side] = fv
            P = V[fv]
            ymin = P[:, 1].min()
            # heel (MediaPipe's "heel"): the back of the heel, 1.5-5 cm above the floor
            band = fv[(P[:, 2] > 0.015) & (P[:, 2] < 0.05)]
            yb = V[band, 1]
            self.lm_sets[f"{side}_heel"] = band[yb <= yb.min() + 0.003]
            # heel pad: posterior 4 cm of the sole region; heel height = its lowest point
            self.heel_pad[side] = fv[(P[:, 1] < ymin + 0.04) & (P[:, 2] < 0.03)]
            # foot index (MediaPipe's "foot_index"): tip of the second toe
            t2 = np.nonzero(self.dom == self.idx[f"toe2-3.{tag}"])[0]
            self.lm_sets[f"{side}_foot_index"] = t2[V[t2, 1] >= V[t2, 1].max() - 0.003]
            # ball of the foot: under the MTP joints (toe bones' heads)
            mtp = np.array([self.head(f"toe{k}-1.{tag}") for k in (1, 2, 3, 4, 5)])
            # (a pivot at 80 % of the MTP heads' height, 5 mm in front of them, keeps the toe pads
            # on the floor best: measured toe slide ≈ 3 mm and floor penetration < 2 mm at 10 cm)
            self.ball[side] = np.array([mtp[:, 0].mean(), mtp[:, 1].mean() + 0.005, 0.8 * mtp[:, 2].mean()])
            # medial sole edge (towards the body's midline)
            med = 1.0 if side == "left" else -1.0  # +x is the subject's right
            sole = fv[P[:, 2] < 0.02]
            xs = V[sole, 0] * med
            self.medial_edge[side] = sole[xs >= np.percentile(xs, 90)]
        # tree pose: the free sole's centre, and how far the standing leg's inner skin is from the
        # line between its joint centres at mid-calf / 45 % up the thigh (reference pose)
        self.sole_centre = {s: V[self.foot_verts[s][V[self.foot_verts[s], 2] < 0.012]].mean(0) for s in SIDE_TAG}
        self.leg_radius: dict[str, dict[str, float]] = {}
        for side, tag in SIDE_TAG.items():
            hip, knee, ank = self.head(f"upperleg01.{tag}"), self.head(f"lowerleg01.{tag}"), self.head(f"foot.{tag}")
            med = 1.0 if side == "left" else -1.0  # +x is the subject's right
            self.leg_radius[side] = {}
            for where, (a, c, bones) in {"calf": (ank, knee, "lowerleg"), "thigh": (knee, hip, "upperleg")}.items():
                p = a + (0.5 if where == "calf" else 0.45) * (c - a)
                vs = np.nonzero(np.isin(self.dom, self._bones(lambda nm, b=bones, t=tag: nm.startswith(b) and nm.endswith("." + t))))[0]
                vs = vs[np.abs(V[vs, 2] - p[2]) < 0.015]
                self.leg_radius[side][where] = float(np.max(med * (V[vs, 0] - p[0])))
        self.toe_contact = {
            s: self.foot_verts[s][(V[self.foot_verts[s], 2] < 0.012) & (V[self.foot_verts[s], 1] > self.ball[s][1] + 0.015)]
            for s in SIDE_TAG
        }

    def _vertex_colors(self, body: Body) -> np.ndarray:
        V = self.V0
        n = len(V)
        col = np.tile(np.array(body.skin, float), (n, 1))
        names = [self.labels[d] for d in self.dom]
        hip_z = self.head("upperleg01.L")[2]
        knee_z = self.head("lowerleg01.L")[2]
        neck_z = self.head("neck01")[2]
        waist_z = hip_z + 0.10
        thigh_cut = knee_z + 0.5 * (hip_z - knee_z)
        limb = ("lowerarm", "wrist", "finger", "metacarpal", "neck", "head", "eye", "toe", "foot", "lowerleg")
        for i, nm in enumerate(names):
            z = V[i, 2]
            if nm.startswith(limb):
                continue
            if z >= waist_z and z < neck_z - 0.015 and not nm.startswith("upperarm02"):
                col[i] = body.shirt
            elif thigh_cut < z < waist_z and not nm.startswith(("upperarm", "shoulder", "clavicle")):
                col[i] = body.shorts
        # hair and eyes give the face detector something to hold on to
        head_i = self.idx["head"]
        eye_z = self.head("eye.L")[2]
        hy = self.head("head")[1]
        for i, d in enumerate(self.dom):
            if d == head_i and (V[i, 2] > eye_z + 0.035 or (V[i, 1] < hy - 0.03 and V[i, 2] > eye_z - 0.04)):
                col[i] = (0.20, 0.14, 0.10)
            elif names[i].startswith("eye"):
                col[i] = (0.12, 0.10, 0.09)
        return col

    # --- forward kinematics -------------------------------------------------------------------
    def fk(self, G: np.ndarray, root_pos: np.ndarray) -> np.ndarray:
        """Posed heads from world rotations ``G`` (J,3,3) and the root head position."""
        P = np.zeros((self.J, 3))
        P[0] = root_pos
        for c in range(1, self.J):
            p = self.parents[c]
            P[c] = P[p] + G[p] @ (self.H0[c] - self.H0[p])
        return P

    def _set_chain(self, G: np.ndarray, names: list[str], R: np.ndarray) -> None:
        for n in names:
            G[self.idx[n]] = R

    def _subtree(self, name: str) -> list[int]:
        root = self.idx[name]
        out = [root]
        for c in range(root + 1, self.J):
            if self.parents[c] in out:
                out.append(c)
        return out

    # --- pose solver --------------------------------------------------------------------------
    def solve(self, ctl: dict[str, float], sc: Scenario, state: dict) -> tuple[np.ndarray, np.ndarray]:
        """World rotations G (J,3,3) and root position for one frame of control signals."""
        ex = sc.exercise
        G = np.tile(np.eye(3), (self.J, 1, 1))
        root0 = self.H0[0].copy()
        ankle0 = {s: self.head(f"foot.{t}") for s, t in SIDE_TAG.items()}
        l_thigh = {s: float(np.linalg.norm(self.head(f"lowerleg01.{t}") - self.head(f"upperleg01.{t}"))) for s, t in SIDE_TAG.items()}
        l_shank = {s: float(np.linalg.norm(ankle0[s] - self.head(f"lowerleg01.{t}"))) for s, t in SIDE_TAG.items()}
        half_width = 0.5 * abs(ankle0["left"][0] - ankle0["right"][0])
        z_com = 0.55 * self.stature

        # 1. feet: rigid motions of the planted feet (rotation about a floor pivot, then offset)
        foot_R: dict[str, np.ndarray] = {}
        foot_t: dict[str, np.ndarray] = {}  # x' = R (x - pivot) + pivot + offset
        foot_pivot: dict[str, np.ndarray] = {}
        toe_R: dict[str, np.ndarray] = {}
        for side, sfx in (("left", "_l"), ("right", "_r")):
            med = 1.0 if side == "left" else -1.0
            R = np.eye(3)
            pivot = self.ball[side].copy()
            offset = np.zeros(3)
            toes = np.eye(3)
            if sc.exercise.kind == "calf_stretch":
                front = ex.front == side
                offset[1] = (0.45 if front else -0.55) * ex.step_cm / 100.0
            if ctl["heel_cm" + sfx] > 1e-6 or abs(ctl["heel_in" + sfx]) > 1e-6:
                th = self.raise_angle(side, ctl["heel_cm" + sfx])
                psi = ctl["heel_in" + sfx]
                R = rot("z", med * psi) @ rot("y", -med * 0.5 * psi) @ rot("x", -th)
                toes = rot("z", med * psi)
            elif ctl["arch" + sfx] > 1e-6:
                pivot = self.V0[self.medial_edge[side]].mean(0)
                pivot[2] = 0.0
                R = rot("y", med * ctl["arch" + sfx])
                toes = R
            if self.seated_ref is not None:
                pivot = self.seated_ref["heel"][side]
                offset = self.seated_ref["offset"][side]
                R = rot("x", self.seated_ref["pitch"] - ctl["pump" + sfx])
                toes = R
                # the heel rests on the floor: lift the foot by whatever of the heel pad would sink
                zmin = float(((self.V0[self.heel_pad[side]] - pivot) @ R.T)[:, 2].min() + pivot[2])
                offset = offset + np.array([0.0, 0.0, max(0.0, -zmin)])
            foot_R[side], foot_pivot[side], foot_t[side], toe_R[side] = R, pivot, offset, toes

        def foot_apply(side: str, p: np.ndarray) -> np.ndarray:
            return foot_R[side] @ (p - foot_pivot[side]) + foot_pivot[side] + foot_t[side]

        ank_t = {s: foot_apply(s, ankle0[s]) for s in SIDE_TAG}

        # 2. pelvis (root) position and orientation
        seated = self.seated_ref is not None
        if seated:
            root = root0 + self.seated_ref["root_offset"]
        else:
            stance_sides = [s for s in SIDE_TAG if ctl["lift" + ("_l" if s == "left" else "_r")] < 0.5]
            if not stance_sides:
                stance_sides = list(SIDE_TAG)
            disp = np.mean([ank_t[s] - ankle0[s] for s in stance_sides], axis=0)
            if ex.kind == "calf_stretch":
                disp = np.mean([ank_t[s] - ankle0[s] for s in SIDE_TAG], axis=0)
                front = ex.front
                disp[1] += ctl["stretch"] * (ex.lunge_cm / 100.0)
                disp[2] = 0.0
            root = root0 + disp
            root[0] += ctl["shift_ml"] * (half_width + 0.012)
        tilt_ml = np.degrees(np.arctan2(ctl["sway_ml"], z_com))
        tilt_ap = np.degrees(np.arctan2(ctl["sway_ap"], z_com))
        root[0] += ctl["sway_ml"] * root[2] / z_com
        root[1] += ctl["sway_ap"] * root[2] / z_com
        stance = ex.stance if ex.kind == "single_leg_stance" else (ex.legs if ex.legs != "double" else None)
        drop = ctl["hip_drop"]
        drop_sign = 0.0 if stance is None else (1.0 if stance == "left" else -1.0)
        R_root = rot("y", tilt_ml) @ rot("x", -tilt_ap) @ rot("y", drop_sign * drop)
        G[0] = R_root

        # knee flexion wanted on planted legs (valgus needs a slightly bent knee)
        def max_reach(side: str, flex_deg: float) -> float:
            a, b = l_thigh[side], l_shank[side]
            return float(np.sqrt(a * a + b * b + 2 * a * b * np.cos(np.radians(flex_deg))))

        def hip_of(s, rp):
            return rp + R_root @ (self.head(f"upperleg01.{SIDE_TAG[s]}") - root0)
        if not seated:
            order = ["left", "right"]
            if ex.kind == "calf_stretch":  # the straight back leg first, then the bent front leg
                order = [s for s in order if s != ex.front] + [ex.front]
            for _ in range(2):
                for side in order:
                    sfx = "_l" if side == "left" else "_r"
                    if ctl["lift" + sfx] >= 0.5 and ex.kind != "calf_stretch":
                        continue
                    flex = self.ref_flex[side] + 1.6 * ctl["valgus" + sfx]
                    if ex.kind == "calf_stretch" and side != ex.front:
                        flex = max(self.ref_flex[side], ex.back_knee_deg)
                    hp = hip_of(side, root)
                    v = ank_t[side] - hp
                    d = float(np.linalg.norm(v))
                    dmax = max_reach(side, flex)
                    need_exact = ex.kind == "calf_stretch" and side != ex.front
                    if d > dmax or need_exact:
                        # lower the pelvis so that |hip - ankle| = dmax
                        hxy = v[:2]
                        dz = np.sqrt(max(0.0, dmax * dmax - float(hxy @ hxy)))
                        root[2] += (hp[2] - (ank_t[side][2] + dz)) * -1.0
        # trunk: undo the hip drop and the sway tilt partially, then lean
        lean = rot("y", ctl["lean_ml"]) @ rot("x", -(ctl["lean_ap"] + (ex.lean_deg * ctl["stretch"])))
        R_sp = R_root.T @ rot("y", tilt_ml) @ rot("x", -tilt_ap)  # trunk tilts with the sway only
        spine = ["spine05", "spine04", "spine03", "spine02", "spine01"]
        quarter = _pow_rot(lean, 0.25)
        G_s = R_root @ R_sp
        G[self.idx["spine05"]] = G_s
        for n in spine[1:]:
            G_s = quarter @ G_s
            G[self.idx[n]] = G_s
        for c in self._subtree("spine01")[1:]:
            G[c] = G_s
        for tag in SIDE_TAG.values():
            G[self.idx[f"pelvis.{tag}"]] = R_root

        # 3. legs (the standing leg first: a tree-pose free foot is placed on it)
        heads = self.fk(G, root)
        knees: dict[str, np.ndarray] = {}
        free_ik = ex.kind == "single_leg_stance" and ex.free_leg != "bent" and not seated
        for side in (sorted(SIDE_TAG, key=lambda s: s != ex.stance) if free_ik else SIDE_TAG):
            tag = SIDE_TAG[side]
            sfx = "_l" if side == "left" else "_r"
            hp = heads[self.idx[f"upperleg01.{tag}"]]
            k0 = self.head(f"lowerleg01.{tag}")
            pole = rot("z", (1.0 if side == "left" else -1.0) * (-4.0 * ctl["valgus" + sfx])) @ np.array([0.0, 1.0, 0.0])
            if ctl["valgus" + sfx] > 0:
                med = np.array([1.0 if side == "left" else -1.0, 0, 0])
                pole = _unit(np.array([0.0, 1.0, 0.0]) + med * np.tan(np.radians(min(80.0, 7.0 * ctl["valgus" + sfx]))))
            if seated:
                pole = _unit(np.array([0.0, 0.25, 1.0]))
            b = ctl["lift" + sfx]
            ik_free = free_ik and side != ex.stance and b > 0
            if ik_free:  # low lift or tree pose: the free foot is placed, the knee follows by IK
                st = ex.stance
                ank_t[side], foot_R[side], pole = self.free_foot(
                    side, b, ex, ankle0[side], hp, max_reach(side, self.ref_flex[side] + 4.0),
                    (heads[self.idx[f"upperleg01.{SIDE_TAG[st]}"]], knees[st], ank_t[st]))
                toe_R[side] = foot_R[side]
            knee = two_bone_ik(hp, ank_t[side], l_thigh[side], l_shank[side], pole)
            knees[side] = knee
            F0t = _frame(k0 - self.head(f"upperleg01.{tag}"), np.array([0.0, 1.0, 0.0]))
            F0s = _frame(ankle0[side] - k0, np.array([0.0, 1.0, 0.0]))
            Gt = _frame(knee - hp, _knee_pole(knee - hp, pole)) @ F0t.T
            Gs = _frame(ank_t[side] - knee, _knee_pole(ank_t[side] - knee, pole)) @ F0s.T
            Gf = foot_R[side]
            Gtoe = toe_R[side]
            if b > 0 and not seated and not ik_free:
                hipf = ex.free_hip_deg * b
                knf = ex.free_knee_deg * b
                Rh = rot("x", hipf)
                Gt = Rh @ Gt
                Gs = rot("x", hipf - knf) @ Gs
                Gf = rot("x", hipf - knf - 12.0 * b) @ Gf
                Gtoe = Gf
            self._set_chain(G, [f"upperleg01.{tag}", f"upperleg02.{tag}"], Gt)
            self._set_chain(G, [f"lowerleg01.{tag}", f"lowerleg02.{tag}"], Gs)
            G[self.idx[f"foot.{tag}"]] = Gf
            for c in self._subtree(f"foot.{tag}")[1:]:
                G[c] = Gtoe

        # 4. arms
        heads = self.fk(G, root)
        for side, tag in SIDE_TAG.items():
            lat = np.array([-1.0 if side == "left" else 1.0, 0.0, 0.0])
            sh = heads[self.idx[f"upperarm01.{tag}"]]
            el0 = self.head(f"lowerarm01.{tag}")
            wr0 = self.head(f"wrist.{tag}")
            sh0 = self.head(f"upperarm01.{tag}")
            la, lb = float(np.linalg.norm(el0 - sh0)), float(np.linalg.norm(wr0 - el0))
            trunk = G[self.idx["spine01"]]
            if self.arms == "hips":
                hp = heads[self.idx[f"upperleg01.{tag}"]]
                target = hp + trunk @ (0.075 * lat + np.array([0.0, -0.01, 0.11]))
                pole = trunk @ _unit(lat + np.array([0.0, -0.6, 0.0]))
            elif self.arms == "forward":
                target = sh + trunk @ np.array([0.06 * lat[0], 0.93 * (la + lb), -0.12])
                pole = trunk @ _unit(np.array([lat[0], 0.0, -1.0]))
            else:
                down = 0.055 * lat + np.array([0.0, 0.05, -0.96 * (la + lb)])
                if ctl["arms_up"] > 0:  # arms = overhead: raised sideways, up to 15° from vertical
                    down = rot("y", -lat[0] * 165.0 * ctl["arms_up"]) @ down
                target = sh + trunk @ down
                pole = trunk @ np.array([0.0, -1.0, 0.0])
            el = two_bone_ik(sh, target, la, lb, pole)
            Fa = _frame(el0 - sh0, np.array([0.0, -1.0, 0.0]))
            Fb = _frame(wr0 - el0, np.array([0.0, -1.0, 0.0]))
            Gu = _frame(el - sh, pole) @ Fa.T
            Gl = _frame(target - el, pole) @ Fb.T
            self._set_chain(G, [f"upperarm01.{tag}", f"upperarm02.{tag}"], Gu)
            for c in self._subtree(f"lowerarm01.{tag}"):
                G[c] = Gl
        return G, root

    # --- helpers used by the solver ---------------------------------------------------------
    def free_foot(self, side: str, b: float, ex, ankle0: np.ndarray, hip: np.ndarray, reach: float,
                  stance_leg: tuple[np.ndarray, np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Free foot of a single-leg stance placed in the world (``free_leg`` = low or tree), at lift
        fraction ``b`` (0 = on the floor, 1 = fully up): (ankle target, foot rotation, knee pole).

        * ``low``: the foot rises level by ``free_lift_cm`` (its lowest point exactly that high when
          fully up) and a little backwards (0.4 × the lift); the knee bends forwards.
        * ``tree``: the sole rests against the inner side of the standing leg, at mid-calf
          (``tree_at = calf``) or 45 % of the way from knee to hip (``thigh``), toes pointing down and
          a little forwards, heel up, the knee turned out (pole: outwards and 30° forwards).  The
          ankle moves there on a straight line while the foot turns (fraction ``b`` of the rotation).
        ``stance_leg`` is the standing leg's posed hip, knee and ankle joint centres.  ``hip`` is the
        free leg's hip joint and ``reach`` the hip–ankle distance it may span (knee slightly bent):
        with the weight over the standing foot the pelvis has moved sideways, so a foot lifted in
        place may be out of reach; it then comes in under the hip (sideways only) so that its
        height and forward position are still the commanded ones.
        """
        if ex.free_leg == "low":
            lift = ex.free_lift_cm / 100.0
            target = ankle0 + b * np.array([0.0, -0.4 * lift, lift])
            return self._within_reach(target, hip, reach), np.eye(3), np.array([0.0, 1.0, 0.0])
        hip_s, knee_s, ank_s = stance_leg
        n = np.array([1.0 if ex.stance == "right" else -1.0, 0.0, 0.0])  # from the free leg towards the standing leg
        if ex.tree_at == "calf":
            axis = ank_s + 0.5 * (knee_s - ank_s)
        else:
            axis = knee_s + 0.45 * (hip_s - knee_s)
        contact = axis - n * (self.leg_radius[ex.stance][ex.tree_at] + 0.004)
        toe = _unit(np.array([0.0, 0.35, -1.0]))
        R = np.column_stack([np.cross(toe, -n), toe, -n])  # foot x, y (toes), z (dorsum) in the world
        sole0 = self.sole_centre[side]
        target = contact + R @ (ankle0 - sole0)
        pole = _unit(-n + np.array([0.0, 0.58, 0.0]))
        return self._within_reach(ankle0 + b * (target - ankle0), hip, reach), _pow_rot(R, b), pole

    @staticmethod
    def _within_reach(target: np.ndarray, hip: np.ndarray, reach: float) -> np.ndarray:
        """``target`` moved sideways (x only) towards ``hip`` until it is at most ``reach`` away."""
        v = target - hip
        if float(np.linalg.norm(v)) <= reach:
            return target
        dx2 = reach * reach - v[1] * v[1] - v[2] * v[2]
        out = target.copy()
        out[0] = hip[0] + np.sign(v[0]) * np.sqrt(max(0.0, dx2))
        return out

    def raise_angle(self, side: str, heel_cm: float) -> float:
        """Plantar-flexion angle (deg) about the ball of the foot that lifts the heel pad by heel_cm."""
        if heel_cm <= 0:
            return 0.0
        lut = self._heel_lut.get(side)
        if lut is not None:  # skinned heel pad height → rigid-foot height (see prepare)
            heel_cm = float(np.interp(heel_cm, lut[0], lut[1]))
        P = self.V0[self.heel_pad[side]] - self.ball[side]
        lo, hi = 0.0, 70.0
        z0 = self.V0[self.heel_pad[side], 2].min()
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            z = (P @ rot("x", -mid).T)[:, 2].min() - z0
            if z < heel_cm / 100.0:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    seated_ref: dict | None = None
    ref_flex: dict[str, float] = {}
    _heel_lut: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def prepare(self, sc: Scenario) -> None:
        """Per-scenario constants: reference knee flexion, seated placement."""
        self.ref_flex = {}
        for side, tag in SIDE_TAG.items():
            h, k, a = self.head(f"upperleg01.{tag}"), self.head(f"lowerleg01.{tag}"), self.head(f"foot.{tag}")
            c = np.dot(_unit(k - h), _unit(a - k))
            self.ref_flex[side] = float(np.degrees(np.arccos(np.clip(c, -1, 1)))) + 1.0
        self.seated_ref = None
        # the skin of the heel pad does not move rigidly with the foot bone: calibrate the
        # commanded heel lift against the skinned mesh (lookup table, 0–16 cm)
        self._heel_lut = {}
        if sc.exercise.kind == "calf_raise":
            rigid = np.linspace(0.0, 16.0, 17)
            skinned = {"left": [0.0], "right": [0.0]}
            z0 = {s: self.V0[self.heel_pad[s], 2].min() for s in SIDE_TAG}
            for h in rigid[1:]:
                ctl = {k: 0.0 for k in _CTL_KEYS}
                ctl["heel_cm_l"] = ctl["heel_cm_r"] = float(h)
                V = self.pose(ctl, sc).vertices
                for s in SIDE_TAG:
                    skinned[s].append(100.0 * (V[self.heel_pad[s], 2].min() - z0[s]))
            self._heel_lut = {s: (np.maximum.accumulate(np.array(skinned[s])), rigid) for s in SIDE_TAG}
        if sc.exercise.kind == "ankle_pumps":
            seat = sc.exercise.seat_height_cm / 100.0
            root0 = self.H0[0]
            # pelvis: hip joints ~ 9 cm above the seat, hips a little behind the origin
            root_offset = np.array([0.0, -0.25, seat + 0.085 - self.head("upperleg01.L")[2]])
            heel = {}
            offset = {}
            for side in SIDE_TAG:
                hb = self.V0[self.heel_pad[side]]
                hc = hb[np.argmin(hb[:, 2])].copy()
                hc[2] = 0.0
                heel[side] = hc
                offset[side] = np.array([0.0, 0.32, 0.0])
            self.seated_ref = {"root_offset": root_offset, "heel": heel, "offset": offset, "pitch": 0.0,
                               "seat": seat, "root": root0 + root_offset}
            # neutral: the foot keeps its reference angle to the shank (iterate foot pitch ↔ IK)
            ctl0 = {k: 0.0 for k in _CTL_KEYS}
            for _ in range(4):
                G, _root = self.solve(ctl0, sc, {})
                shank = G[self.idx["lowerleg01.L"]]
                fwd = shank @ np.array([0.0, 1.0, 0.0])
                self.seated_ref["pitch"] = float(np.degrees(np.arctan2(fwd[2], fwd[1])))

    # --- posing ------------------------------------------------------------------------------
    def pose(self, ctl: dict[str, float], sc: Scenario) -> Posed:
        torch = self.torch
        G, root = self.solve(ctl, sc, {})
        D = np.zeros((self.J, 4, 4))
        D[:, 3, 3] = 1.0
        for c in range(self.J):
            p = self.parents[c]
            Gp = G[p] if p >= 0 else np.eye(3)
            D[c, :3, :3] = _S @ (Gp.T @ G[c]) @ _S
        D[0, :3, 3] = self._to_anny(root)
        with torch.no_grad():
            out = self.model(pose_parameters=torch.from_numpy(D)[None], phenotype_kwargs=self.phenotype)
        V = self._to_subject(out["vertices"][0].numpy())
        H = self._to_subject(out["bone_poses"][0][:, :3, 3].numpy())
        seat = None
        if self.seated_ref is not None:
            s = self.seated_ref
            r = s["root"]
            seat = (np.array([r[0] - 0.23, r[1] - 0.22, 0.0]), np.array([r[0] + 0.23, r[1] + 0.12, s["seat"]]))
        return Posed(vertices=V, heads=H, com=self.com(V, H), seat=seat)

    # --- truth points ------------------------------------------------------------------------
    def landmarks(self, V: np.ndarray, H: np.ndarray) -> dict[str, np.ndarray]:
        """True 3D points (subject frame, m) with MediaPipe's definitions."""
        out: dict[str, np.ndarray] = {}
        for side, tag in SIDE_TAG.items():
            out[f"{side}_shoulder"] = H[self.idx[f"upperarm01.{tag}"]]
            out[f"{side}_hip"] = H[self.idx[f"upperleg01.{tag}"]]
            out[f"{side}_knee"] = H[self.idx[f"lowerleg01.{tag}"]]
            out[f"{side}_ankle"] = H[self.idx[f"foot.{tag}"]]
            out[f"{side}_heel"] = V[self.lm_sets[f"{side}_heel"]].mean(0)
            out[f"{side}_foot_index"] = V[self.lm_sets[f"{side}_foot_index"]].mean(0)
        return out

    def com(self, V: np.ndarray, H: np.ndarray) -> np.ndarray:
        """Segment-model centre of mass (de Leva 1996 mass fractions, simplified segment ends)."""
        i = self.idx
        lm = self.landmarks(V, H)
        hipm = 0.5 * (lm["left_hip"] + lm["right_hip"])
        shm = 0.5 * (lm["left_shoulder"] + lm["right_shoulder"])
        parts = [(0.0694, H[i["head"]] + np.array([0, 0, 0.05])), (0.4346, hipm + 0.55 * (shm - hipm))]
        for tag, side in (("L", "left"), ("R", "right")):
            sh, el, wr = H[i[f"upperarm01.{tag}"]], H[i[f"lowerarm01.{tag}"]], H[i[f"wrist.{tag}"]]
            parts += [(0.0271, sh + 0.577 * (el - sh)), (0.0162, el + 0.457 * (wr - el)), (0.0061, wr + 0.3 * (wr - el))]
            hp, kn, an = lm[f"{side}_hip"], lm[f"{side}_knee"], lm[f"{side}_ankle"]
            foot = (an + lm[f"{side}_heel"] + lm[f"{side}_foot_index"]) / 3.0
            parts += [(0.1416, hp + 0.4095 * (kn - hp)), (0.0433, kn + 0.4459 * (an - kn)), (0.0137, foot)]
        m = sum(w for w, _ in parts)
        return sum(w * p for w, p in parts) / m


_CTL_KEYS = (
    "heel_cm_l", "heel_cm_r", "heel_in_l", "heel_in_r", "arch_l", "arch_r", "valgus_l", "valgus_r",
    "lift_l", "lift_r", "pump_l", "pump_r", "shift_ml", "sway_ml", "sway_ap", "hip_drop",
    "lean_ml", "lean_ap", "stretch", "arms_up",
)


def _knee_pole(d: np.ndarray, pole: np.ndarray) -> np.ndarray:
    return pole


def _pow_rot(R: np.ndarray, f: float) -> np.ndarray:
    """R to the power f (same axis, f × the angle)."""
    ang = np.arccos(np.clip((np.trace(R) - 1) / 2, -1, 1))
    if ang < 1e-9:
        return np.eye(3)
    axis = np.array([R[2, 1] - R[1, 2], R[0, 2] - R[2, 0], R[1, 0] - R[0, 1]]) / (2 * np.sin(ang))
    a = f * ang
    K = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(a) * K + (1 - np.cos(a)) * K @ K
