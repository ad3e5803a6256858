"""What the org tree tells the features that subscribe to it. `org/` knows no feature: it sends
these signals and features connect to them (see each feature's `subscriptions` module).

`person_moved(by, person=..., at=...)`: a person now reports to someone else; sent inside the
move's transaction, before its commit, so a subscriber's changes commit with the move."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

person_moved = _signals.signal("person-moved")
