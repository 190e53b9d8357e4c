"""Live coaching (``footform live``): the same analysis as ``footform analyze``, fed by a camera,
shown in a window and spoken, stored as it happens.

One job per module, imports pointing down this list:

* :mod:`.command` — the ``footform live`` subcommand: one exercise, or today's home program;
* :mod:`.program` — running today's home program, item after item;
* :mod:`.session` — the live session: newest-frame source → pose → the shared ``Analyzer`` →
  sinks (window, audio, incremental store);
* :mod:`.recovery` — completing a session a crash left ``incomplete``, from its landmark track;
* :mod:`.record` — what an ended session leaves: the session document, report, console lines;
* :mod:`.screen` — what the screen says (coach state + analysed frame + form cues → ``Screen``);
* :mod:`.coach` — sets, rests, holds per leg, pain/cramp marks: what to say and when;
* :mod:`.cues` — which form cues are on screen and for how long (every cue that fired is seen);
* :mod:`.plan` — the plan, set records, coach events, the metronome;
* :mod:`.window` — the OpenCV window, its keys, "is there a display";
* :mod:`.overlay` — the panels of the screen and their layout; :mod:`.placement` — where a
  panel goes; :mod:`.canvas` — palette, fonts, text, the camera image and the legs;
* :mod:`.audio` — spoken cues on their own thread.

Nothing is re-exported here: import from the module that owns the name.
"""
