"""Self-contained HTML reports for a therapist: one session, or a person's progress across sessions.

A report is **one HTML file** with inline CSS and inline SVG plots (matplotlib's SVG backend, text kept
as text): no scripts, no external URLs, so it opens offline and leaks nothing.  It prints to A4
(``@media print``); :func:`write_pdf` prints it with headless Chromium.

The pages are Jinja2 templates with autoescaping (``templates/``) and one stylesheet (``report.css``),
shipped as package data; the modules gather what the templates show:

- :mod:`.session` — one session's report; its plots in :mod:`.session_plots`
- :mod:`.progress` — a person's sessions over time, with published reference values
- :mod:`.program` — the home-program and adherence section of the progress report
- :mod:`.pdf` — writing the HTML file and printing it to PDF with headless Chromium
- :mod:`.templating` — the Jinja2 environment and the number formats; :mod:`.words`, :mod:`.rows` —
  the reports' vocabulary and what they read from a stored session
"""

from footform.outputs.report.pdf import CHROMIUM_FLAGS, find_chromium, write_html, write_pdf
from footform.outputs.report.progress import render_progress
from footform.outputs.report.session import render_session, session_report

__all__ = ["CHROMIUM_FLAGS", "find_chromium", "render_progress", "render_session", "session_report", "write_html", "write_pdf"]
