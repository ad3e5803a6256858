"""Read-only roll-ups over the other features for the team views; no tables of their own."""
