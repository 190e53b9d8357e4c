"""The applications: the footform command line, offline pipeline, live coaching window."""
