"""Exercise state machines: one module per exercise, each a plain object with ``step()`` per frame."""
