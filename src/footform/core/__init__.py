"""Pure signal code: landmarks, camera view, filters, kinematics, motion, numbers (numpy only, no I/O)."""
