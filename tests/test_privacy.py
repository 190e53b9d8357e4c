"""Nothing leaves the machine: every system call that could reach a network, traced.

``footform analyze`` on a sample, ``footform live`` with a video file as the camera under Xvfb, and
``footform report --pdf`` (headless Chromium) each run under ``strace -f -e trace=%network``, which
sees the native code too (MediaPipe's C++ library, Chromium), not only Python's ``socket`` module
(tests/test_pose.py::test_no_network_is_attempted guards that one from inside the interpreter).

What fails a run (:func:`network_use`):

* a socket of any family other than ``AF_UNIX`` / ``AF_LOCAL`` / ``AF_NETLINK`` (netlink only
  asks the kernel about interfaces);
* a DNS query: any connect or send to port 53;
* any TCP connection, and any datagram or write sent on an internet socket.

One exception, for Chromium only (``allow_silent_udp``): a UDP socket that is connected but never
sends.  Chromium probes IPv6 reachability by ``connect()``-ing a UDP socket to
2001:4860:4860::8888 port 443 and reading back the local address; a UDP ``connect()`` sends no
packet (docs/privacy.md has the trace).  Writes are traced for that run so that a datagram on
such a socket would still be caught.

Without strace (or Xvfb, or Chromium) a case skips with the reason — except in CI (``CI`` set),
where .ci/run installs them and a skip would hide a leak, so it fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import REPO, SAMPLES

IN_CI = bool(os.environ.get("CI"))
LOCAL_FAMILIES = {"AF_UNIX", "AF_LOCAL", "AF_NETLINK"}



def _need(tool: str, hint: str) -> str:
    exe = shutil.which(tool)
    if exe is None:
        msg = f"{tool} is not installed ({hint})"
        if IN_CI:
            pytest.fail(msg + "; CI must run the network trace (.ci/run installs it)")
        pytest.skip(msg + " and CI is not set")
    return exe


@dataclass
class NetworkUse:
    """What a trace shows reaching for the network; empty when nothing did."""

    sockets: list[str] = field(default_factory=list)
    dns: list[str] = field(default_factory=list)
    sends: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sockets or self.dns or self.sends)

    def describe(self) -> str:
        parts = []
        for title, items in (("DNS queries", self.dns), ("sockets", self.sockets), ("connections/sends", self.sends)):
            if items:
                parts.append(f"{title} ({len(items)}):\n  " + "\n  ".join(items[:8]))
        return "\n".join(parts)


_SOCKET = re.compile(r"\bsocket\((AF_\w+|\d+), ([A-Z_|0-9]+)")
_INET_FD = re.compile(r"<(TCP|UDP|TCPv6|UDPv6|UDPLITE\w*|RAW\w*):")
_PORT53 = re.compile(r"htons\(53\)|:53\]")
_QNAME = re.compile(r'"(?:\\[0-9x]+|[^"\\])*?((?:\\[0-9]{1,3}[a-z0-9-]+){2,})')


def _qname(line: str) -> str:
    """The host name a DNS packet in a strace line asks for (``\\4play\\ngoogleapis\\3com``), if shown."""
    m = _QNAME.search(line.replace("\\n", "\\10").replace("\\t", "\\9"))
    if not m:
        return ""
    return ".".join(p for p in re.split(r"\\[0-9]{1,3}", m.group(1)) if p)


def network_use(trace: str, allow_silent_udp: bool = False) -> NetworkUse:
    """Read an ``strace -f -yy -s 256`` log; see the module docstring for what counts."""
    use = NetworkUse()
    for raw in trace.splitlines():
        line = re.sub(r"^\d+\s+", "", raw.strip())
        m = _SOCKET.search(line)
        if m and line.startswith("socket(") and m.group(1) not in LOCAL_FAMILIES:
            dgram = "SOCK_DGRAM" in m.group(2)
            if allow_silent_udp and dgram and m.group(1) in ("AF_INET", "AF_INET6"):
                use.allowed.append(line[:160])
            else:
                use.sockets.append(line[:160])
            continue
        call = line.split("(", 1)[0]
        if call not in ("connect", "sendto", "sendmsg", "sendmmsg", "write", "writev", "send"):
            continue
        inet_fd = bool(_INET_FD.search(line))
        inet_addr = "sa_family=AF_INET" in line
        if not (inet_fd or inet_addr):
            continue
        if _PORT53.search(line) or ("sendmmsg" in call and inet_fd):
            name = _qname(line)
            use.dns.append((f"{name}: " if name else "") + line[:160])
        elif call == "connect" and (allow_silent_udp and "<UDP" in line):
            use.allowed.append(line[:160])
        elif call == "connect" and ("127.0.0.1" in line or '"::1"' in line):
            continue                                   # loopback (chromedriver-style local ports)
        else:
            use.sends.append(line[:160])
    return use


def traced(cmd: list[str], trace_file: Path, env: dict[str, str] | None = None, timeout: float = 300,
           writes: bool = False) -> tuple[subprocess.CompletedProcess, str]:
    """Run ``cmd`` under strace (all children followed, socket fds annotated) and return its log."""
    strace = _need("strace", "apt-get install strace")
    calls = "%network,write,writev" if writes else "%network"
    full = [strace, "-f", "-yy", "-s", "256", "-qq", "-e", f"trace={calls}", "-e", "signal=none",
            "-o", str(trace_file), *cmd]
    proc = subprocess.run(full, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout, cwd=REPO)
    return proc, trace_file.read_text(errors="replace") if trace_file.exists() else ""


# -- the checker itself ----------------------------------------------------------------------------

def test_checker_sees_dns_and_sockets_and_lets_local_ones_pass():
    """The rules above, on lines as strace writes them (not vacuous, not over-eager)."""
    quiet = "\n".join([
        '100 socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3<UNIX:[1]>',
        '100 socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 4<NETLINK:[ROUTE:2]>',
        '100 sendto(4<NETLINK:[ROUTE:2]>, [{nlmsg_len=20, nlmsg_type=RTM_GETADDR}], 20, 0, NULL, 0) = 20',
        '100 connect(3<UNIX:[1]>, {sa_family=AF_UNIX, sun_path="/tmp/.X11-unix/X91"}, 110) = 0',
    ])
    assert not network_use(quiet)
    uploader = "\n".join([
        '9741  socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 10<UDP:[5]>',
        '9741  connect(10<UDP:[5]>, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.53")}, 16) = 0',
        r'9741  sendmmsg(10<UDP:[192.0.2.2:4->10.0.0.53:53]>, [{msg_hdr={msg_iov=[{iov_base="D\273\1\0\0\1\0\0\0\0\0\0\4play\ngoogleapis\3com\0\0\1\0\1", iov_len=37}]}}], 2, MSG_NOSIGNAL) = 2',
    ])
    use = network_use(uploader)
    assert use.sockets and use.dns
    assert any(d.startswith("play.googleapis.com") for d in use.dns), use.dns
    probe = "\n".join([
        '7 socket(AF_INET6, SOCK_DGRAM, IPPROTO_IP) = 18<UDPv6:[9]>',
        '7 connect(18<UDPv6:[9]>, {sa_family=AF_INET6, sin6_port=htons(443), inet_pton(AF_INET6, "2001:4860:4860::8888", &sin6_addr)}, 28) = 0',
    ])
    assert network_use(probe) and not network_use(probe, allow_silent_udp=True)
    sent = probe + '\n7 write(18<UDPv6:[[fd00::2]:5->[2001:4860:4860::8888]:443]>, "x", 1) = 1'
    assert network_use(sent, allow_silent_udp=True).sends
    tcp = '8 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 5<TCP:[3]>'
    assert network_use(tcp, allow_silent_udp=True).sockets


# -- the commands, traced --------------------------------------------------------------------------

CLIP = SAMPLES / "pose2sim_cam01.mp4"          # 100 frames: the shortest sample


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    """``footform analyze`` on a sample under strace: (process, trace, database)."""
    tmp = tmp_path_factory.mktemp("privacy-analyze")
    db = tmp / "footform.db"
    proc, trace = traced([sys.executable, "-m", "footform", "analyze", str(CLIP), "--out", str(tmp / "out"),
                          "--db", str(db)], tmp / "analyze.strace")
    return proc, trace, db


@pytest.mark.model
@pytest.mark.slow
def test_analyze_uses_no_network(analysed):
    proc, trace, _ = analysed
    assert proc.returncode == 0, proc.stderr[-2000:]
    use = network_use(trace)
    assert not use, "footform analyze reached for the network:\n" + use.describe()


@pytest.mark.model
@pytest.mark.slow
def test_analyze_runs_no_compiler_or_linker(analysed, tmp_path):
    """``import mediapipe`` no longer makes sounddevice search for PortAudio with gcc/ld/ldconfig."""
    proc, _, _ = analysed
    assert proc.returncode == 0
    strace = _need("strace", "apt-get install strace")
    log = tmp_path / "exec.strace"
    subprocess.run([strace, "-f", "-qq", "-e", "trace=execve", "-e", "signal=none", "-o", str(log),
                    sys.executable, "-c", "from footform.io.pose import PoseEstimator, resolve_model\n"
                    "with PoseEstimator(resolve_model(None)):\n    pass"], check=True, capture_output=True,
                   timeout=120, cwd=REPO)
    programs = re.findall(r'execve\("([^"]+)"', log.read_text())
    assert [p for p in programs if Path(p).name in ("gcc", "ld", "ldconfig", "collect2", "cc")] == [], programs


@pytest.mark.model
@pytest.mark.slow
def test_live_with_a_video_as_camera_uses_no_network(tmp_path, xdisplay):
    proc, trace = traced([sys.executable, "-m", "footform", "live", "--exercise", "calf-raise",
                          "--camera", str(CLIP), "--db", str(tmp_path / "f.db"), "--no-audio"],
                         tmp_path / "live.strace", env={"DISPLAY": xdisplay}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "saved" in proc.stdout + proc.stderr
    use = network_use(trace)
    assert not use, "footform live reached for the network:\n" + use.describe()


@pytest.mark.model
@pytest.mark.slow
def test_report_pdf_makes_no_request(analysed, tmp_path):
    from footform.outputs.report import find_chromium

    if find_chromium() is None:
        msg = "Chromium is not installed (apt-get install chromium)"
        if IN_CI:
            pytest.fail(msg + "; CI must run the PDF trace")
        pytest.skip(msg + " and CI is not set")
    proc, _, db = analysed
    assert proc.returncode == 0
    pdf = tmp_path / "report.pdf"
    run, trace = traced([sys.executable, "-m", "footform", "report", "1", "--db", str(db), "--pdf", str(pdf)],
                        tmp_path / "pdf.strace", writes=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert pdf.read_bytes()[:5] == b"%PDF-"
    use = network_use(trace, allow_silent_udp=True)
    assert not use, "footform report --pdf reached for the network:\n" + use.describe()
