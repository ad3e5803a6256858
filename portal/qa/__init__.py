"""Quality assurance: scorecards, scoring contacts, sampling and calibration."""
