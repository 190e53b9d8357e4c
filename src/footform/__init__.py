"""footform — a camera-based form checker for foot and ankle rehabilitation exercises.

Data flows one way: source → pose → kinematics → exercise → feedback → sinks.
See docs/architecture.md.
"""

__version__ = "0.1.0"
