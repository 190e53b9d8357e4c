"""The pose stage: MediaPipe Tasks ``PoseLandmarker`` turning frames into :class:`PoseFrame` records.

The landmarker runs in VIDEO mode (it tracks the person from frame to frame) with strictly
increasing integer-millisecond timestamps derived from the source's clock.  The model is one of
the bundles shipped in ``models/`` (package data ``footform/models/`` once installed) or any
PoseLandmarker ``.task`` file the user points ``--model`` at.  Nothing is downloaded.

Person identity: with ``num_poses=1`` the landmarker follows the region of the person it tracked
in the previous frame and only runs its detector again when tracking is lost.  When other people
may be in view, use ``num_poses >= 2``: every candidate is then scored against the previously
tracked person (torso centre and size) and the same person is kept; ``PoseFrame.n_people``
reports how many people were seen.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import cv2
import numpy as np

from footform.core.landmarks import LM, NUM_LANDMARKS, PoseFrame
from footform.core.motion import MotionSample, PersonMotion
from footform.errors import ModelError
from footform.io.capture import Frame

#: Bundles shipped with footform, by short name.
BUNDLED_MODELS = {
    "full": "pose_landmarker_full.task",
    "heavy": "pose_landmarker_heavy.task",
}
#: Default model for offline analysis and for live use (see models/README.md for the measurements).
DEFAULT_MODEL_OFFLINE = "full"
DEFAULT_MODEL_LIVE = "full"

#: Automatic grey margin above the frame (``PoseEstimator(pad_top=None)``): switched on when the
#: model missed the person on at least this share of the last ``AUTO_MARGIN_WINDOW`` frames
#: while finding them on some.  Measured with ``pad_top=None``: it never switched on for the five
#: other clips in shared/footage (the close-up included) nor for the eight clips in samples/; on
#: the rear waist-down clip it switched on at 0.3 s (person found on 367 instead of 278 of 411
#: frames; docs/metrics.md).
AUTO_MARGIN = 1.0
AUTO_MARGIN_WINDOW = 30
AUTO_MARGIN_MISSED = 0.25
AUTO_MARGIN_START_FRAMES = 10
#: With the automatic body rise (``motion=None``), the rise is reported from the first frame on
#: which the person's segmentation mask reaches the top edge of the frame (its top
#: ``AUTO_MOTION_TOP_EDGE`` of the rows): the picture cuts the person off, so the landmarks guess
#: the missing body.  Measured, highest mask edge over all frames (fraction of the height from the
#: top): rear waist-down clip 0 on 98 % of frames (its first mask, 0.07 s after the margin came
#: on, included); whole-body clips — knee raises 0.037, leg swings 0.092, seated ankle circles
#: 0.020, eight rendered samples ≥ 0.083; night squat 0 on 15 % of frames (the head, after its
#: cut; its margin never switches on).  So a whole-body recording that switches the margin on
#: (it starts with nobody in view) keeps its landmark counting (checked by prepending 20
#: featureless frames to the leg-swing, knee-raise and side calf-raise clips: same results).
AUTO_MOTION_TOP_EDGE = 0.01

_TASK_MEMBERS = {"pose_detector.tflite", "pose_landmarks_detector.tflite"}


def models_dir() -> Path | None:
    """The folder holding the bundled models: package data when installed, ``models/`` in a checkout."""
    try:
        packaged = resources.files("footform") / "models"
        if packaged.is_dir():
            return Path(str(packaged))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - defensive
        pass
    checkout = Path(__file__).resolve().parents[3] / "models"
    if checkout.is_dir():
        return checkout
    return None


@dataclass(frozen=True)
class ModelInfo:
    """The pose model in use: short name, file path, SHA-256 of the file."""

    name: str
    path: str
    sha256: str

    def to_dict(self) -> dict:
        return {"name": self.name, "file": Path(self.path).name, "path": self.path, "sha256": self.sha256}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def resolve_model(spec: str | os.PathLike | None = None, live: bool = False) -> ModelInfo:
    """Find the model file for ``spec``: ``None`` (the default), ``"full"``, ``"heavy"`` or a path.

    Raises :class:`ModelError` with one sentence when the file is missing or is not a
    PoseLandmarker bundle.
    """
    if spec is None:
        spec = DEFAULT_MODEL_LIVE if live else DEFAULT_MODEL_OFFLINE
    spec = str(spec)
    if spec in BUNDLED_MODELS:
        folder = models_dir()
        path = folder / BUNDLED_MODELS[spec] if folder else None
        if path is None or not path.is_file():
            raise ModelError(
                f"the bundled '{spec}' pose model is missing from this installation "
                f"(expected {BUNDLED_MODELS[spec]} in footform's models folder); reinstall footform or pass --model PATH."
            )
        name = spec
    else:
        path = Path(spec).expanduser()
        if not path.is_file():
            raise ModelError(f"model file {path} does not exist.")
        name = path.stem
    try:
        with zipfile.ZipFile(path) as z:
            members = set(z.namelist())
    except (zipfile.BadZipFile, OSError):
        raise ModelError(f"{path} is not a MediaPipe PoseLandmarker .task bundle (not a zip archive).") from None
    if not _TASK_MEMBERS <= members:
        raise ModelError(
            f"{path} is not a PoseLandmarker .task bundle (it lacks {', '.join(sorted(_TASK_MEMBERS - members))})."
        )
    return ModelInfo(name=name, path=str(path.resolve()), sha256=_sha256(path))


def _conf(value: float | None) -> float:
    """A landmark confidence, 0 where the model gave none."""
    return 0.0 if value is None else float(value)


def _torso(image: np.ndarray) -> tuple[np.ndarray, float]:
    """Centre (normalised x, y) and size (shoulder-to-hip distance) of a candidate's torso."""
    pts = image[[LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER, LM.LEFT_HIP, LM.RIGHT_HIP], :2]
    centre = pts.mean(axis=0)
    size = float(np.linalg.norm(pts[:2].mean(axis=0) - pts[2:].mean(axis=0)))
    return centre, max(size, 1e-6)


def _import_mediapipe_without_audio() -> None:
    """Keep ``import mediapipe`` from loading PortAudio through ``sounddevice``.

    ``mediapipe/__init__.py`` imports its audio tasks, whose ``audio_record`` module imports
    ``sounddevice`` (and catches ImportError).  On Linux ``sounddevice`` then looks for PortAudio
    with ``ctypes.util.find_library`` for three names, and each miss runs ``/sbin/ldconfig -p``,
    ``gcc`` and ``ld`` as child processes (about 40 executions per pose process where PortAudio is
    absent); where it is present, ``sounddevice`` initialises PortAudio, which opens the sound
    system.  footform uses no MediaPipe audio task, so ``sounddevice`` is marked unavailable
    (a ``None`` entry in ``sys.modules`` makes its import raise ImportError) unless something in
    this process already imported it.  docs/privacy.md has the measurement.
    """
    import sys

    if "mediapipe" not in sys.modules:
        sys.modules.setdefault("sounddevice", None)


class PoseEstimator:
    """Runs the PoseLandmarker on frames, one :class:`PoseFrame` out per frame in.

    Use as a context manager (or call :meth:`close`).  ``num_poses`` above 1 costs ~1.75× per
    frame (measured on this project's 2-core machine) and enables tracking the same person among
    several.  ``motion=True`` also asks the model for the person's segmentation mask and fills
    ``PoseFrame.rise_px`` / ``scene_cut`` (:mod:`footform.core.motion`), which the calf-raise counter
    then uses instead of the leg landmarks; ``motion=None`` (the default) switches it on together
    with the automatic grey margin — on footage where the model keeps losing a person who is
    there, its leg landmarks are not trustworthy either (the rear waist-down clip: they collapse
    onto one leg), while the mask still outlines the person — and reports the rise once the mask
    shows the picture cutting the person off at the top (:data:`AUTO_MOTION_TOP_EDGE`).  Cost:
    the pose stage takes ~1.7× as long while it is on (docs/metrics.md, "Rear view, waist-down
    footage").
    """

    def __init__(
        self,
        model: ModelInfo,
        num_poses: int = 1,
        min_detection_confidence: float = 0.5,
        min_presence_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        pad_top: float | None = None,
        motion: bool | None = None,
    ) -> None:
        # Imported here: importing mediapipe takes ~1 s and is not needed to replay tracks.
        _import_mediapipe_without_audio()
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        self._mp = mp
        self.model = model
        self.num_poses = num_poses
        if pad_top is not None and not 0.0 <= pad_top <= 3.0:
            raise ValueError("pad_top must be between 0 and 3 (a fraction of the frame height)")
        #: Neutral grey margin added above each frame before the landmarker, as a fraction of the
        #: frame height (0 = off).  Landmarks are mapped back to the original frame.  BlazePose's
        #: detector keys on the head and upper body; on waist-down footage a margin of 1.0 makes
        #: the legs the lower half of a taller scene.  Measured (docs/metrics.md, "Rear view,
        #: waist-down footage"): person found on 67.6 → 89.8 % of the rear waist-down clip's frames,
        #: unchanged (± 1 frame) on four full-body real clips, but 8 % fewer usable-feet frames on the
        #: rendered rear sample.  Off by default; ``None`` = automatic: off until the model misses
        #: the person on :data:`AUTO_MARGIN_MISSED` of the last :data:`AUTO_MARGIN_WINDOW` frames
        #: while finding them on others (the detector keeps losing a person who is there), then
        #: :data:`AUTO_MARGIN` for the rest of the stream; also when the first
        #: :data:`AUTO_MARGIN_START_FRAMES` frames show nobody (a person entering the picture is
        #: then analysed with the margin, which does not change full-body results).
        self.auto_margin = pad_top is None
        self.auto_motion = motion is None and self.auto_margin
        self._rise_confirmed = not self.auto_motion
        self.pad_top = 0.0 if pad_top is None else float(pad_top)
        #: time (s) at which the automatic margin was switched on, or None
        self.margin_from_s: float | None = None
        self._found: deque[bool] = deque(maxlen=AUTO_MARGIN_WINDOW)
        self._options = dict(
            base_options=BaseOptions(model_asset_path=model.path),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=num_poses,
            min_pose_detection_confidence=min_detection_confidence,
            min_pose_presence_confidence=min_presence_confidence,
            min_tracking_confidence=min_tracking_confidence,
            # the person's mask drives the camera-compensated rise (footform.core.motion)
            output_segmentation_masks=bool(motion),
        )
        self._vision = vision
        self._landmarker = self._create()
        self._motion = PersonMotion() if motion else None
        self._last_ts_ms = -1
        self._previous: np.ndarray | None = None

    @property
    def measures_motion(self) -> bool:
        """The body rise and scene cuts are being measured (:mod:`footform.core.motion`)."""
        return self._motion is not None

    @property
    def reports_rise(self) -> bool:
        """The body rise is being reported in ``PoseFrame.rise_px`` (measured, and in automatic
        mode confirmed by the person being cut off at the top of the picture)."""
        return self._motion is not None and self._rise_confirmed

    def _create(self):
        try:
            return self._vision.PoseLandmarker.create_from_options(self._vision.PoseLandmarkerOptions(**self._options))
        except (RuntimeError, ValueError) as e:
            raise ModelError(f"the pose model {self.model.path} could not be loaded: {str(e).splitlines()[0]}") from None

    def _maybe_switch_margin(self, found: bool, t_s: float) -> None:
        if not self.auto_margin or self.pad_top > 0.0:
            return
        self._found.append(found)
        # the window is still filling at the start (AUTO_MARGIN_START_FRAMES < AUTO_MARGIN_WINDOW)
        start = len(self._found) == AUTO_MARGIN_START_FRAMES and not any(self._found)
        if start or len(self._found) == self._found.maxlen and any(self._found) and \
                self._found.count(False) >= AUTO_MARGIN_MISSED * len(self._found):
            # a fresh landmarker: its tracking state refers to the unpadded image
            self._landmarker.close()
            if self.auto_motion:
                self._options["output_segmentation_masks"] = True
                self._motion = PersonMotion()
            self._landmarker = self._create()
            self._last_ts_ms = -1
            self.pad_top = AUTO_MARGIN
            self.margin_from_s = t_s
            self._previous = None

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None

    def _timestamp_ms(self, t_s: float) -> int:
        ts = int(round(t_s * 1000.0))
        if ts <= self._last_ts_ms:  # VIDEO mode needs strictly increasing timestamps
            ts = self._last_ts_ms + 1
        self._last_ts_ms = ts
        return ts

    def _choose(self, candidates: list[np.ndarray]) -> int:
        """Index of the candidate that continues the previously tracked person (or the largest)."""
        if len(candidates) == 1:
            return 0
        if self._previous is None:
            return int(np.argmax([_torso(c)[1] for c in candidates]))
        prev_c, prev_s = _torso(self._previous)
        costs = []
        for c in candidates:
            centre, size = _torso(c)
            costs.append(float(np.linalg.norm(centre - prev_c)) / prev_s + abs(np.log(size / prev_s)))
        return int(np.argmin(costs))

    def process_rgb(self, rgb: np.ndarray, index: int, t_s: float) -> PoseFrame:
        """Landmarks for one RGB ``(H, W, 3)`` uint8 image taken at ``t_s`` seconds."""
        mp = self._mp
        height, width = rgb.shape[:2]
        pad = int(round(self.pad_top * height))
        padded = rgb
        if pad:
            padded = cv2.copyMakeBorder(rgb, pad, 0, 0, 0, cv2.BORDER_CONSTANT, value=(128, 128, 128))
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(padded))
        result = self._landmarker.detect_for_video(image, self._timestamp_ms(t_s))
        poses = result.pose_landmarks or []
        self._maybe_switch_margin(bool(poses), t_s)
        if not poses:
            motion = self._motion.update(rgb, None) if self._motion is not None else MotionSample()
            if not self._rise_confirmed:
                motion = MotionSample(scene_cut=motion.scene_cut)
            return PoseFrame(index=index, t_s=t_s, width=width, height=height, n_people=0,
                             rise_px=motion.rise_px, scene_cut=motion.scene_cut)
        candidates = [
            np.array([[p.x, p.y, p.z, _conf(p.visibility), _conf(p.presence)] for p in pose], dtype=np.float32)
            for pose in poses
        ]
        if pad:
            # back to the original frame: y' = (y · (H + pad) − pad) / H; x and z are unchanged
            # (z is on the scale of x, the width, which the margin does not change)
            for c in candidates:
                c[:, 1] = (c[:, 1] * (height + pad) - pad) / height
        k = self._choose(candidates)
        world = np.array([[p.x, p.y, p.z] for p in result.pose_world_landmarks[k]], dtype=np.float32)
        chosen = candidates[k]
        assert chosen.shape == (NUM_LANDMARKS, 5)
        self._previous = chosen
        motion = MotionSample()
        if self._motion is not None:
            masks = result.segmentation_masks or []
            mask = masks[k].numpy_view()[pad:, :, 0] if k < len(masks) else None
            motion = self._motion.update(rgb, mask)
            if not self._rise_confirmed:
                edge = max(1, int(round(AUTO_MOTION_TOP_EDGE * height)))
                self._rise_confirmed = mask is not None and bool((mask[:edge] > 0.5).any())
                if not self._rise_confirmed:
                    motion = MotionSample(scene_cut=motion.scene_cut)
        return PoseFrame(index=index, t_s=t_s, width=width, height=height, image=chosen, world=world,
                         n_people=len(poses), rise_px=motion.rise_px, scene_cut=motion.scene_cut)

    def process(self, frame: Frame) -> PoseFrame:
        """Landmarks for one decoded BGR :class:`Frame`."""
        rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
        return self.process_rgb(rgb, frame.index, frame.t_s)

    def run(self, frames: Iterable[Frame]) -> Iterator[PoseFrame]:
        """Landmarks for a stream of frames, lazily."""
        for frame in frames:
            yield self.process(frame)


def estimate_video(path: str | os.PathLike, model: str | os.PathLike | None = None, num_poses: int = 1) -> Iterator[PoseFrame]:
    """Convenience: pose records for every frame of a video file (raises on truncated input at the end)."""
    from footform.io.capture import VideoFileSource

    source = VideoFileSource(path)
    with PoseEstimator(resolve_model(model), num_poses=num_poses) as estimator:
        yield from estimator.run(source)
    source.check_complete()
