"""Corrective actions: documented conversations and warnings about one person (issue 19, part 7).

models.py (tables), rules.py (pure: states, expiry, follow-up dates), actions.py (the service:
policy, changes, audit, notifications), links.py (the records an action refers to), queries.py
(the scoped list and its export), talking_points.py and reminders.py (follow-ups)."""
