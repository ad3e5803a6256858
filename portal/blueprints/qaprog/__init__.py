"""QA programme pages: roll-ups, sampling, calibration, leniency."""
