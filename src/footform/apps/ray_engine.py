"""``footform analyze --engine ray``: a batch of files analysed by a pool of Ray actors.

Ray (an optional extra, ``pip install "footform[ray]"``) runs the same program on a laptop and
on a cluster.  This module only distributes files; the analysis of one file is the local batch's
own per-file function (:func:`footform.apps.pipeline.batch_file`), and everything the user sees or keeps
— printing, the session store, ``batch.json`` — happens in the driver, through the same
``finished`` path as ``--jobs``.  See docs/scale.md.

How:

* **One actor per CPU** of the Ray cluster (or ``--jobs N``), each a worker process (at niceness 0
  in a local instance, see :data:`LOCAL_SYSTEM_CONFIG`) that imports
  MediaPipe, resolves and checks the pose model once (same SHA-256 and footform version as the
  driver, or the actor is left out), and then analyses one file at a time.  A new landmarker is
  made per file (~0.12 s): MediaPipe's VIDEO mode tracks the person from frame to frame, and a
  landmarker carried over from the previous file would start the next one from the last file's
  person box — results would no longer be identical to ``--engine local``.
* **Paths** are sent as the user typed them, with the driver's working folder: the actor works
  in that folder, so relative paths, ``run.json`` and error sentences are the same as a local
  run.  On a cluster, inputs and ``--out`` must be on storage mounted at the same path on every
  node (a shared folder); a node that cannot see the input or the driver's folder reports the
  file as failed, and results written where the driver cannot see them are reported too.
* **Faults**: actors are restarted by Ray when their process dies (``max_restarts``); the driver
  puts the file the dead worker was analysing back at the head of the queue, where the next free
  worker (another process) takes it.  A file is tried at most :data:`MAX_ATTEMPTS` times, so a
  file that crashes every worker is reported as failed instead of stopping the batch.  A file
  that cannot be analysed (a broken video) comes back as one sentence, exactly as in the local
  batch.
* **No telemetry**: before Ray is imported, its usage statistics are switched off
  (``RAY_USAGE_STATS_ENABLED=0``).  A local instance also runs without the dashboard, with every
  Ray process on the loopback address (``127.0.0.1``, no node-IP discovery through a public
  address), and with the cloud-metadata probe of Ray's usage module (which runs even with the
  statistics off) sent to a closed loopback port instead of ``169.254.169.254``.  Verified with
  ``strace -f -e trace=%network``: in a local run Ray opens loopback TCP connections between its
  own processes and nothing else (MediaPipe's landmarker resolving ``play.googleapis.com`` is the
  pose stage's, with either engine; docs/scale.md).
"""

from __future__ import annotations

import os
import socket
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from footform import __version__
from footform.apps.pipeline import AnalyzeOptions, FileResult
from footform.errors import EngineError, FootformError

#: How often one file is started before it is reported as failed because its worker died each time.
MAX_ATTEMPTS = 3
#: Seconds the driver waits for the actors to start (import MediaPipe, load the model) before it
#: gives up: on the 2-core machine an actor is ready ~2–3 s after Ray has started.
ACTOR_START_TIMEOUT_S = 300.0
#: Object store of a local instance: results are summaries of a few kB, so a small store suffices
#: and keeps Ray from reserving 30 % of the machine's memory.
LOCAL_OBJECT_STORE_BYTES = 200 * 1024 * 1024
#: Environment for Ray, set before it is imported (and so inherited by the processes it starts).
RAY_ENV = {
    "RAY_USAGE_STATS_ENABLED": "0",  # no usage statistics
    "RAY_USAGE_STATS_PROMPT_ENABLED": "0",  # and no prompt about them
}
#: Additionally for a local instance (not when joining a cluster, whose nodes talk over the network):
#: ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` makes Ray use the loopback address as the node address
#: instead of finding the "real" one by routing a socket towards a public DNS server; the
#: ``HTTP_PROXY`` sends the cloud-metadata requests of Ray's usage module (made even with usage
#: statistics off, by the dashboard process Ray always starts) to a closed loopback port.  Only
#: the upper-case variable: gRPC (Ray's own transport) reads the lower-case one.
LOCAL_RAY_ENV = {
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "127.0.0.1,localhost",
}

#: Ray starts its workers at niceness 15 (so that its own services stay responsive); on a machine
#: that also runs other programs the workers then get a fraction of their core.  Measured here with
#: another program busy on one of the 2 cores: workers at 25–75 % CPU each under niceness 15.
#: footform's workers do the whole job, so they run at the driver's priority, like ``--jobs``.
LOCAL_SYSTEM_CONFIG = {"worker_niceness": 0}

Outcome = tuple[Path, "FileResult | None", "str | None", int]


def import_ray(local: bool) -> Any:
    """Import Ray with telemetry off; a missing extra is one sentence."""
    for key, value in RAY_ENV.items():
        os.environ[key] = value
    if local:
        for key, value in LOCAL_RAY_ENV.items():
            os.environ[key] = value
    try:
        import ray
    except ImportError:
        raise EngineError('--engine ray needs Ray: pip install "footform[ray]" (or use --engine local).') from None
    return ray


class FileAnalyzer:
    """A Ray actor: one worker process that analyses files one after another.

    Made into a Ray actor class by :func:`analyze_on_ray` (Ray is imported only there).  The
    method that analyses a file runs on one thread while :meth:`frames_done` answers the
    driver's progress polls on another (``max_concurrency=2``).
    """

    def __init__(self, model_sha256: str | None, options: AnalyzeOptions, version: str) -> None:
        self.node = socket.gethostname()
        self.frames = 0
        self.problem: str | None = None
        if version != __version__:
            self.problem = f"Ray node {self.node} has footform {__version__}, the driver {version}; install the same version on every node."
            return
        if model_sha256 is None:  # a batch of landmark tracks: no model needed
            return
        try:
            from footform.io.pose import PoseEstimator, resolve_model

            model = resolve_model(options.model)
            if model_sha256 is not None and model.sha256 != model_sha256:
                self.problem = (f"Ray node {self.node} has a different pose model file for '{options.model or 'full'}' "
                                f"than the driver (SHA-256 {model.sha256[:12]}…, driver {model_sha256[:12]}…).")
                return
            with PoseEstimator(model, num_poses=options.people):
                pass  # imports MediaPipe and loads the model once, so the first file starts warm
        except FootformError as e:
            self.problem = f"Ray node {self.node}: {e}"

    def ready(self) -> tuple[int, str, str | None]:
        """(process id, node name, problem or None): the driver leaves out an actor with a problem."""
        return os.getpid(), self.node, self.problem

    def frames_done(self) -> int:
        """Frames this worker process has run through the pose stage so far (all files)."""
        return self.frames

    def analyze(self, item: str, out_dir: str, options: AnalyzeOptions, cwd: str) -> tuple[FileResult | None, str | None, int]:
        """The local batch's per-file function, run in the driver's working folder."""
        from footform.apps.pipeline import batch_file

        if not (Path(item).is_absolute() and Path(out_dir).is_absolute()):
            if not os.path.isdir(cwd):
                return None, (f"the driver's working folder {cwd} does not exist on Ray node {self.node}; "
                              "put inputs and --out on storage every node can read (docs/scale.md)."), 2
            os.chdir(cwd)
        if not os.path.exists(item):
            return None, (f"{item} does not exist on Ray node {self.node}; "
                          "put inputs and --out on storage every node can read (docs/scale.md)."), 2

        def count(n: int) -> None:
            self.frames += n

        _, result, error, code = batch_file(item, out_dir, options, on_progress=count)
        return result, error, code


@dataclass
class _Worker:
    actor: Any
    pid: int = 0
    node: str = ""
    frames_seen: int = 0
    poll: Any = None  # pending frames_done() call
    restarted: float = 0.0  # monotonic time its process was last found dead


#: Seconds to wait for a cluster's port to accept a connection.  Ray itself retries a dead GCS
#: address for many minutes (measured here: still trying after 10 min), so footform checks first.
CONNECT_TIMEOUT_S = 5.0


def _check_reachable(address: str) -> None:
    """One sentence at once when ``HOST:PORT`` or ``ray://HOST:PORT`` does not accept connections."""
    hostport = address.removeprefix("ray://")
    host, sep, port = hostport.rpartition(":")
    if not sep or not port.isdigit():
        if address == "auto":
            return
        raise EngineError(f"--ray-address {address} is not 'auto', HOST:PORT or ray://HOST:PORT.")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as e:
        raise EngineError(f"cannot connect to the Ray cluster at {address}: {e.strerror or e} "
                          "(is its head started, and is this the right port?).") from None


def _connect(ray: Any, address: str | None) -> None:
    """Start a local instance (``address`` None) or join the cluster at ``address``."""
    common = dict(log_to_driver=False, logging_level="ERROR", configure_logging=True)
    if address is not None:
        _check_reachable(address)
    try:
        if address is None:
            ray.init(address="local", num_cpus=os.cpu_count() or 1, include_dashboard=False,
                     object_store_memory=LOCAL_OBJECT_STORE_BYTES, _node_ip_address="127.0.0.1",
                     _system_config=LOCAL_SYSTEM_CONFIG, **common)
        else:
            ray.init(address=address, **common)
    except (ConnectionError, RuntimeError, ValueError, TimeoutError) as e:
        where = "start a local Ray instance" if address is None else f"connect to the Ray cluster at {address}"
        chain, cause = [], e
        while cause is not None:
            chain.append(str(cause))
            cause = cause.__cause__ or cause.__context__
        if any("InvalidAuthToken" in text or "Authentication token" in text for text in chain):
            raise EngineError(f"cannot {where}: the cluster uses Ray's token authentication; set RAY_AUTH_MODE=token "
                              "and give this machine the cluster's token (~/.ray/auth_token or RAY_AUTH_TOKEN; docs/scale.md).") from None
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise EngineError(f"cannot {where}: {first}") from None


def _warn_cluster_telemetry(ray: Any) -> None:
    """Tell the user when the joined cluster's head sends usage statistics (started without
    ``--disable-usage-stats``): footform's own driver does not, but it cannot switch the head off."""
    try:
        import json

        from ray.experimental.internal_kv import _internal_kv_get

        meta = json.loads(_internal_kv_get("CLUSTER_METADATA", namespace="cluster") or b"{}")
    except Exception:  # a private Ray interface: no warning rather than a failure
        return
    if "session_start_timestamp_ms" in meta:  # only recorded when usage statistics are on
        _notice("footform: this Ray cluster sends usage statistics to Ray's developers; "
                "start its head with `ray start --head --disable-usage-stats` (docs/scale.md).")


def analyze_on_ray(
    todo: list[tuple[Path, Path]],
    options: AnalyzeOptions,
    address: str | None = None,
    jobs: int | None = None,
    on_frames: Callable[[int], None] | None = None,
    on_start: Callable[[str], None] | None = None,
) -> Iterator[Outcome]:
    """Analyse ``todo`` (input, output folder) on Ray; yields ``(input, result, error, code)`` per
    file as it finishes, like the local process pool.

    ``address`` None starts a local instance on this machine; ``"auto"``, ``HOST:PORT`` or
    ``ray://HOST:PORT`` joins a running cluster.  ``jobs`` caps the number of actors (default:
    one per CPU of the cluster).  ``on_frames(n)`` is called as the workers advance (polled every
    ~0.5 s), ``on_start(message)`` once the actors are ready.
    """
    ray = import_ray(local=address is None)
    from ray.exceptions import GetTimeoutError, RayActorError, RayError

    try:
        from ray.exceptions import ActorUnavailableError
    except ImportError:  # pragma: no cover - older Ray
        ActorUnavailableError = RayActorError  # noqa: N806
    lost = (RayActorError, ActorUnavailableError)
    t0 = time.perf_counter()
    _connect(ray, address)
    try:
        if address is not None:
            _warn_cluster_telemetry(ray)
        from footform.io.pose import resolve_model
        from footform.io.track import is_track

        sha = None
        if not all(is_track(item) for item, _ in todo):
            sha = resolve_model(options.model).sha256  # a bad --model is one sentence before any work
        cpus = int(ray.cluster_resources().get("CPU", 1)) or 1
        n = max(1, min(jobs or cpus, len(todo)))
        actor_cls = ray.remote(num_cpus=1, max_concurrency=2, max_restarts=-1, max_task_retries=0)(FileAnalyzer)
        workers = [_Worker(actor_cls.remote(sha, options, __version__)) for _ in range(n)]
        workers = _start(ray, workers, lost, GetTimeoutError)
        if on_start is not None:
            nodes = sorted({w.node for w in workers})
            on_start(f"Ray: {len(workers)} workers on {len(nodes)} node{'s' if len(nodes) != 1 else ''} "
                     f"({', '.join(nodes)}), ready after {time.perf_counter() - t0:.1f} s")
        yield from _schedule(ray, workers, todo, options, lost, RayError, on_frames)
    finally:
        ray.shutdown()


def _start(ray: Any, workers: list[_Worker], lost: tuple, timeout_error: type) -> list[_Worker]:
    """Wait for the actors to load the model; leave out those that cannot work (with a warning)."""
    good, problems = [], []
    for w in workers:
        try:
            w.pid, w.node, problem = ray.get(w.actor.ready.remote(), timeout=ACTOR_START_TIMEOUT_S)
        except timeout_error:
            problem = f"a Ray worker did not start within {ACTOR_START_TIMEOUT_S:.0f} s"
        except lost as e:
            problem = f"a Ray worker stopped while starting ({type(e).__name__})"
        if problem:
            problems.append(problem)
            ray.kill(w.actor, no_restart=True)
        else:
            good.append(w)
    if not good:
        raise EngineError(f"no Ray worker could start: {problems[0]}")
    for problem in dict.fromkeys(problems):
        _notice(f"footform: left out a Ray worker: {problem}")
    return good


def _schedule(ray: Any, workers: list[_Worker], todo: list[tuple[Path, Path]], options: AnalyzeOptions,
              lost: tuple, ray_error: type, on_frames: Callable[[int], None] | None) -> Iterator[Outcome]:
    """Hand files to free workers, collect results, put a dead worker's file back in the queue.

    A worker whose process died is restarted by Ray; it gets files again once it answers
    :meth:`FileAnalyzer.ready` (until then calls to it would fail at once, without running).
    """
    cwd = os.getcwd()
    queue = deque(range(len(todo)))
    attempts = [0] * len(todo)
    idle = deque(workers)
    running: dict[Any, tuple[_Worker, int]] = {}
    recovering: dict[Any, tuple[_Worker, float]] = {}  # ready() probe -> (worker, since)
    waiting: list[tuple[_Worker, float]] = []  # (worker, when to probe it): restarting workers
    while queue or running:
        while idle and queue:
            w, k = idle.popleft(), queue.popleft()
            attempts[k] += 1
            item, out_dir = todo[k]
            running[w.actor.analyze.remote(str(item), str(out_dir), options, cwd)] = (w, k)
        now = time.monotonic()
        for entry in [x for x in waiting if now >= x[1]]:
            waiting.remove(entry)
            recovering[entry[0].actor.ready.remote()] = (entry[0], entry[0].restarted)
        if not running and not recovering and not waiting:  # no worker left at all
            for k in queue:
                yield todo[k][0], None, "no Ray worker is left to analyse it (they stopped or could not restart).", 1
            return
        refs = list(running) + list(recovering)
        if not refs:  # only workers pausing before their next probe
            time.sleep(0.2)
            continue
        ready, _ = ray.wait(refs, num_returns=1, timeout=0.5)
        if on_frames is not None:
            _poll_frames(ray, [w for w, _ in running.values()], on_frames)
        for ref in ready:
            if ref in recovering:
                w, since = recovering.pop(ref)
                try:
                    _, w.node, problem = ray.get(ref)
                except lost:
                    if time.monotonic() - since < ACTOR_START_TIMEOUT_S:
                        waiting.append((w, time.monotonic() + 1.0))
                    else:
                        _notice(f"footform: a Ray worker did not come back within {ACTOR_START_TIMEOUT_S:.0f} s; going on without it.")
                        ray.kill(w.actor, no_restart=True)
                    continue
                if problem:
                    _notice(f"footform: left out a Ray worker: {problem}")
                    ray.kill(w.actor, no_restart=True)
                else:
                    idle.append(w)
                continue
            w, k = running.pop(ref)
            item, out_dir = todo[k]
            try:
                result, error, code = ray.get(ref)
            except lost as e:
                # The worker process died mid-file (killed, out of memory, a crash in native code).
                # Ray restarts the actor; the file goes back to the head of the queue, for the next
                # worker that is free.
                w.frames_seen, w.poll, w.restarted = 0, None, time.monotonic()
                waiting.append((w, time.monotonic() + 0.5))
                if attempts[k] < MAX_ATTEMPTS:
                    _notice(f"footform: the Ray worker analysing {item} on {w.node} stopped ({type(e).__name__}); "
                            "the file goes to the next free worker.")
                    queue.appendleft(k)
                    continue
                yield item, None, (f"the Ray worker analysing it stopped {attempts[k]} times "
                                   f"({type(e).__name__}); the file was not analysed."), 1
                continue
            except ray_error as e:  # an unexpected exception inside the analysis (a bug): report it, go on
                idle.append(w)
                first = str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__
                yield item, None, f"the analysis failed in a Ray worker: {first}", 1
                continue
            idle.append(w)
            if result is not None and not (Path(out_dir) / "summary.json").is_file():
                yield item, None, (f"analysed on Ray node {w.node}, but its results in {out_dir} are not visible "
                                   "on this machine; put inputs and --out on storage every node can read (docs/scale.md)."), 3
                continue
            yield item, result, error, code


def _notice(message: str) -> None:
    """A line on stderr that does not break the driver's progress bar."""
    from tqdm import tqdm

    tqdm.write(message, file=sys.stderr)


def _poll_frames(ray: Any, busy: list[_Worker], on_frames: Callable[[int], None]) -> None:
    """Ask busy workers how many frames they have done; report the increase."""
    for w in busy:
        if w.poll is None:
            w.poll = w.actor.frames_done.remote()
    polls = [w.poll for w in busy]
    done, _ = ray.wait(polls, num_returns=len(polls), timeout=0.05)
    done = set(done)
    for w in busy:
        if w.poll in done:
            try:
                frames = ray.get(w.poll)
            except Exception:  # the worker died; its file is retried
                frames = w.frames_seen
            w.poll = None
            if frames < w.frames_seen:  # a restarted process counts from 0 again
                w.frames_seen = 0
            if frames > w.frames_seen:
                on_frames(frames - w.frames_seen)
                w.frames_seen = frames
