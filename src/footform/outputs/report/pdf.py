"""Report files: the HTML page written atomically, and its A4 PDF printed by headless Chromium.

Chromium runs with a fresh profile and no network (:data:`CHROMIUM_FLAGS`, traced in docs/privacy.md).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from footform.errors import OutputError, os_reason


def write_html(path: str | os.PathLike, text: str) -> Path:
    """Write a report atomically; raises :class:`OutputError` with one sentence on failure."""
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, p)
    except OSError as e:
        raise OutputError(f"cannot write the report {p}: {os_reason(e, p.parent)}.") from None
    return p


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
#: Flags for a quiet, offline, throw-away headless Chromium (the PDF here, the browser checks in
#: tests/test_report.py).  The resolver rule maps every host name except localhost to "not found",
#: so no request can leave: Chromium 156 still asks for update.googleapis.com (component updater,
#: the on-device model manifest), accounts.google.com (ListAccounts) and clients2.google.com
#: (network time) despite --disable-background-networking; with the rule none of them makes a DNS
#: query.  The other flags switch off what phones home, so that it is not even attempted where a
#: switch exists.  Traced with strace in docs/privacy.md; tests/test_privacy.py checks it.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost", "--no-proxy-server",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-quic", "--disable-extensions", "--disable-default-apps", "--no-pings",
                  "--disable-domain-reliability", "--disable-client-side-phishing-detection",
                  "--disable-breakpad", "--metrics-recording-only", "--no-service-autorun",
                  "--password-store=basic", "--use-mock-keychain",
                  "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate",
                  "--mute-audio", "--hide-scrollbars")


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable: ``$FOOTFORM_CHROMIUM`` or the first on ``PATH``."""
    env = os.environ.get("FOOTFORM_CHROMIUM")
    if env:
        return env if Path(env).is_file() or shutil.which(env) else None
    for name in CHROMIUM_NAMES:
        p = shutil.which(name)
        if p:
            return p
    return None


def write_pdf(html_path: str | os.PathLike, pdf_path: str | os.PathLike, timeout_s: float = 120.0) -> Path:
    """Print a report HTML file to an A4 PDF with headless Chromium (a fresh profile, no network)."""
    exe = find_chromium()
    if exe is None:
        raise OutputError("cannot make a PDF: Chromium is not installed (install the 'chromium' package, "
                          "or print the HTML report from a browser).")
    src = Path(html_path).resolve()
    dst = Path(pdf_path).resolve()
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot write the PDF {dst}: {os_reason(e, dst.parent)}.") from None
    with tempfile.TemporaryDirectory(prefix="footform-chromium-") as profile:
        tmp = dst.with_name(dst.name + ".tmp.pdf")
        cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
               "--print-to-pdf-no-header", f"--print-to-pdf={tmp}", src.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s,
                                  stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            raise OutputError(f"cannot make the PDF {dst}: Chromium did not finish within {timeout_s:.0f} s.") from None
        except OSError as e:
            raise OutputError(f"cannot make the PDF {dst}: Chromium could not be started ({e.strerror or e}).") from None
        if proc.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
            last = (proc.stderr or "").strip().splitlines()[-1:] or ["no output"]
            with_tmp = tmp if tmp.exists() else None
            if with_tmp:
                with_tmp.unlink()
            raise OutputError(f"cannot make the PDF {dst}: Chromium failed ({last[0][:200]}).")
        os.replace(tmp, dst)
    return dst


__all__ = ["CHROMIUM_FLAGS", "CHROMIUM_NAMES", "find_chromium", "write_html", "write_pdf"]
