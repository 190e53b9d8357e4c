"""The live window: the OpenCV (Qt) window, its keys, and the check that there is a screen at all.

:class:`Window` shows a canvas, reads keys (as the coach's key names) and notices when the person
closed it; :func:`hold_screen` keeps a screen up until a key, the window closed or a time limit
(the done screen, the home program's between-items screens).  What is drawn is decided elsewhere
(:mod:`.screen`, :mod:`.overlay`).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

import numpy as np

from footform.errors import FootformError

#: Exit status of "no display" (the other errors keep their footform.errors codes).
DISPLAY_EXIT_CODE = 6
WINDOW_TITLE = "footform live"


class DisplayError(FootformError):
    """There is no screen to open the live window on (no ``DISPLAY`` on Linux, or the GUI failed)."""

    exit_code = DISPLAY_EXIT_CODE



def check_display(platform: str | None = None, env: dict[str, str] | None = None) -> None:
    """Raise :class:`DisplayError` when there is obviously no screen (Linux/BSD without X11 or Wayland)."""
    platform = platform or sys.platform
    env = os.environ if env is None else env
    if platform.startswith(("linux", "freebsd")) and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        raise DisplayError(
            "live coaching needs a screen, but there is no display here (DISPLAY is not set); "
            "run it on a desktop session, or use 'footform analyze' on a recorded video."
        )


#: Key codes from cv2.waitKeyEx → the coach's key names.
_KEYS = {32: " ", 27: "q", 13: "\r", 10: "\n"}


class Window:
    """The OpenCV (Qt) window: show a canvas, read keys, notice when the person closed it."""

    def __init__(self, title: str = WINDOW_TITLE, fullscreen: bool = False, size: tuple[int, int] = (1280, 720)) -> None:
        import cv2

        self._cv2 = cv2
        self.title = title
        try:
            cv2.namedWindow(title, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
            if fullscreen:
                cv2.setWindowProperty(title, cv2.WND_PROP_FULLSCREEN, cv2.WINDOW_FULLSCREEN)
            else:
                cv2.resizeWindow(title, *size)
        except cv2.error as e:
            raise DisplayError(f"the live window could not be opened ({str(e).strip().splitlines()[-1]}).") from None
        self._shown = False

    def show(self, canvas: np.ndarray) -> None:
        self._cv2.imshow(self.title, canvas)
        self._shown = True

    def poll_key(self, wait_ms: int = 1) -> str | None:
        """The key pressed since the last call (lower-case letter, " ", "q" for Esc …) or None."""
        k = self._cv2.waitKeyEx(max(1, wait_ms))
        if k is None or k < 0:
            return None
        if k in _KEYS:
            return _KEYS[k]
        if 32 < k < 127:
            return chr(k).lower()
        return None

    @property
    def closed(self) -> bool:
        """True once the person closed the window (after it was first shown)."""
        if not self._shown:
            return False
        try:
            return self._cv2.getWindowProperty(self.title, self._cv2.WND_PROP_VISIBLE) < 1
        except self._cv2.error:
            return True

    def close(self) -> None:
        try:
            self._cv2.destroyWindow(self.title)
            self._cv2.waitKey(1)
        except self._cv2.error:
            pass




def hold_screen(window: Window, canvas_at: Callable[[float], np.ndarray], seconds: float, poll_ms: int = 100) -> str | None:
    """Show ``canvas_at(seconds left)`` until a key, the window closed, or ``seconds`` passed.

    Returns the key pressed, ``"closed"``, or ``None`` (time up).  The window going away underneath
    (an OpenCV error) or Ctrl-C count as closed: whatever was on screen is saved by then.
    """
    import cv2

    t0 = time.monotonic()
    try:
        while (left := seconds - (time.monotonic() - t0)) > 0:
            window.show(canvas_at(left))
            key = window.poll_key(poll_ms)
            if key is not None:
                return key
            if window.closed:
                return "closed"
    except (cv2.error, KeyboardInterrupt):
        return "closed"
    return None
