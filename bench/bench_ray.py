"""Throughput of ``analyze --engine ray`` against ``--jobs 2`` on the same batch, and Ray's start-up cost.

    python bench/bench_ray.py [FILES...] [--repeat N] [--rounds R]

Default batch: the eight videos in samples/ (2,378 frames), each ``--repeat`` times (copies under
different names, so a batch can be made long enough to see the steady state).  Both engines run
the same command line in a fresh interpreter with ``--force --no-store``, alternately, ``--rounds``
times (the machine is shared, so its speed drifts between runs); the table shows each run and the
median.  Counted for Ray: everything, its own start-up included (``wall``), and the start-up alone
(from the driver's "Ray: … ready after X s" line: ``ray.init`` and the actors loading the model).
Because the machine is shared, the CPU seconds of every process of each run (driver, workers,
Ray's own services; sampled from /proc) are printed as well: on a CPU-bound machine throughput is
the inverse of CPU per frame, and CPU time does not depend on what else runs.

Per-file costs (``run.json`` ``wall_s``, one core per file) are printed too: docs/scale.md projects
a cluster's time from them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


TICK = os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """``pid`` and every process below it, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _cpu_and_kind(pid: int) -> tuple[float, str] | None:
    """CPU seconds (user + system) a process has used so far, and what it is."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    if "ray::FileAnalyzer" in cmd or "ray::IDLE" in cmd or "multiprocessing" in cmd:
        kind = "workers"
    elif "-m footform" in cmd:
        kind = "driver"
    else:
        kind = "Ray services" if "ray" in cmd else "other"
    return (int(fields[11]) + int(fields[12])) / TICK, kind


def run(args: list[str], cwd: Path) -> tuple[float, str, dict[str, float]]:
    """Wall time, stdout, and CPU seconds by kind of process (sampled every 0.2 s from /proc)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "footform", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    last: dict[int, tuple[float, str]] = {}
    reader = threading.Thread(target=lambda: setattr(proc, "out", proc.communicate()), daemon=True)
    reader.start()
    while reader.is_alive():
        for pid in _tree(proc.pid):
            got = _cpu_and_kind(pid)
            if got is not None:  # keep what the process was while it had a command line (not as a zombie)
                last[pid] = (got[0], last[pid][1] if pid in last and got[1] == "other" else got[1])
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    stdout, stderr = proc.out
    if proc.returncode != 0:
        sys.exit(f"footform {' '.join(args)} failed ({proc.returncode}):\n{stderr}")
    cpu: dict[str, float] = {}
    for seconds, kind in last.values():
        cpu[kind] = cpu.get(kind, 0.0) + seconds
    return wall, stdout, cpu


def frames_and_costs(out: Path) -> tuple[int, list[float]]:
    runs = [json.loads(p.read_text()) for p in sorted(out.glob("*/run.json"))]
    return sum(r["frames"] for r in runs), [r["wall_s"] for r in runs]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=1, help="copies of each file in the batch")
    ap.add_argument("--rounds", type=int, default=1, help="runs of each engine, alternating")
    a = ap.parse_args()
    files = a.files or sorted(SAMPLES.glob("*.mp4"))
    with tempfile.TemporaryDirectory(prefix="footform-bench-ray-") as tmp:
        work = Path(tmp)
        batch = work / "batch"
        batch.mkdir()
        for k in range(a.repeat):
            for f in files:
                shutil.copy(f, batch / (f"{f.stem}-{k}{f.suffix}" if a.repeat > 1 else f.name))
        n_files = len(list(batch.iterdir()))
        print(f"batch: {n_files} files; machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        rows: dict[str, list[tuple[float, float, float, float]]] = {"--jobs 2": [], "--engine ray": []}
        costs: list[float] = []
        frames_all = 0
        for r in range(a.rounds):
            for name, extra in (("--jobs 2", ["--jobs", "2"]), ("--engine ray", ["--engine", "ray"])):
                out = work / f"out-{r}-{name.strip('-').replace(' ', '-')}"
                wall, stdout, cpu = run(["analyze", "batch", "--out", str(out), "--force", "--no-store", *extra], cwd=work)
                frames, file_costs = frames_and_costs(out)
                m = re.search(r"ready after ([0-9.]+) s", stdout)
                startup = float(m.group(1)) if m else 0.0
                total_cpu = sum(cpu.values())
                rows[name].append((wall, frames / wall, startup, total_cpu / frames * 1000.0))
                costs += file_costs
                frames_all += frames
                print(f"  round {r + 1}  {name:<13} {wall:7.1f} s  {frames / wall:6.1f} frames/s"
                      + (f"  (Ray start-up {startup:.1f} s; without it {frames / (wall - startup):.1f} frames/s)" if m else "")
                      + f"  load {os.getloadavg()[0]:.1f}")
                print(f"           CPU {total_cpu:6.1f} s = {total_cpu / frames * 1000.0:.1f} ms/frame: "
                      + ", ".join(f"{k} {v:.1f} s" for k, v in sorted(cpu.items())))
        jobs = statistics.median(r[1] for r in rows["--jobs 2"])
        ray = statistics.median(r[1] for r in rows["--engine ray"])
        startup = statistics.median(r[2] for r in rows["--engine ray"])
        print(f"median: --jobs 2 {jobs:.1f} frames/s, --engine ray {ray:.1f} frames/s = {ray / jobs:.2f} x (target >= 0.9 x), "
              f"Ray start-up {startup:.1f} s")
        cj = statistics.median(r[3] for r in rows["--jobs 2"])
        cr = statistics.median(r[3] for r in rows["--engine ray"])
        print(f"CPU per frame (all processes; what a busy machine divides): --jobs 2 {cj:.1f} ms, --engine ray {cr:.1f} ms "
              f"= {cj / cr:.2f} x the throughput of --jobs 2 when CPU-bound")
        print(f"per-file cost (one core, both engines): median {statistics.median(costs):.1f} s, "
              f"mean {statistics.mean(costs):.1f} s, {frames_all / sum(costs):.1f} frames per core-second")


if __name__ == "__main__":
    main()
