"""Spoken cues (apps/live/audio.py): one at a time, never blocking, silent fallback."""

from __future__ import annotations

import time

from footform.apps.live.audio import AudioCues, Engine, find_engine, one_phrase


class SlowEngine(Engine):
    name = "slow"

    def __init__(self, seconds: float = 0.3) -> None:
        self.seconds = seconds
        self.said: list[str] = []

    def speak(self, text: str) -> None:
        time.sleep(self.seconds)
        self.said.append(text)


def test_audio_never_blocks_and_never_chatters() -> None:
    engine = SlowEngine(0.3)
    cues = AudioCues(engine_factory=lambda: engine)
    t0 = time.perf_counter()
    for i in range(20):
        cues.say(f"flag {i}", "flag")     # cooldown: only the first one passes
        cues.say(str(i), "rep")           # one pending at most: each replaces the previous
    assert time.perf_counter() - t0 < 0.05, "say() must return at once"
    time.sleep(1.0)
    cues.close()
    assert engine.said[0] == "flag 0"
    assert len(engine.said) <= 2 and all(not s.startswith("flag 1") for s in engine.said)


def test_audio_priority_beat_over_rep_and_stale_cues_dropped() -> None:
    engine = SlowEngine(0.2)
    cues = AudioCues(engine_factory=lambda: engine)
    cues.say("Set 1 done. Rest.", "set")
    time.sleep(0.05)                      # now speaking the set cue
    assert cues.say("up", "beat") is False  # a beat is never delayed: skipped while busy
    cues.say("three", "rep")
    cues.say("Hold.", "hold")             # higher priority replaces the pending rep
    assert cues.say("four", "rep") is False
    time.sleep(0.6)
    cues.close()
    assert engine.said == ["Set 1 done. Rest.", "Hold."]


def test_audio_without_engine_is_silent_with_one_notice() -> None:
    notices: list[str] = []

    def broken() -> Engine:
        raise OSError("no voices")

    cues = AudioCues(engine_factory=broken, notice=notices.append)
    time.sleep(0.2)
    assert cues.say("one", "rep") is False
    cues.close()
    assert len(notices) == 1 and "audio cues are off" in notices[0]
    assert AudioCues(enabled=False).say("one", "rep") is False


def test_find_engine_per_platform() -> None:
    which = {"say": "/usr/bin/say", "espeak-ng": "/usr/bin/espeak-ng"}.get
    assert find_engine("darwin", which=which)().name == "say"
    assert find_engine("linux", which=which)().name == "espeak-ng"
    assert find_engine("linux", which=lambda n: "/usr/bin/espeak" if n == "espeak" else None)().name == "espeak"



def test_cues_that_fire_together_are_spoken_together() -> None:
    """Both heels flagged on one rep: the person hears both, not only the first (the flag cooldown
    drops a second ``say`` within 6 s, so the live session speaks the frame's flags as one phrase)."""
    left, right = "Left heel is rolling out - keep it in line", "Right heel is rolling out - keep it in line."
    assert one_phrase([left, right, right]) == f"{left}. {right}"
    assert one_phrase(["", "Slow down."]) == "Slow down."
    engine = SlowEngine(0.05)
    cues = AudioCues(engine_factory=lambda: engine)
    assert cues.say(one_phrase([left, right]), "flag")
    time.sleep(0.3)
    cues.close()
    assert len(engine.said) == 1 and "Left heel" in engine.said[0] and "Right heel" in engine.said[0]
