"""What is kept and shown: the session store, home programs and adherence, CSV/JSON exports, HTML/PDF reports."""
