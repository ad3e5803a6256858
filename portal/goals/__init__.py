"""Goals and semi-annual reviews (IPPR): goal progress, weights and review ratings.

`progress` and `rating` are pure arithmetic on exact numbers (Fraction); they know nothing of the
database, Flask or the clock, and answer with codes that the services turn into messages.
"""
