"""QA pages: contacts and their import, scorecards and their builder."""
