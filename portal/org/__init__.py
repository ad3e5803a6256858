"""Organisation: people, the reporting tree, teams, markets, segments, positions, grants."""
