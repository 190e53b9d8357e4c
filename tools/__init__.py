"""Development tools that run from the checkout (not part of the installed footform package)."""
