"""HR administration: audit-log search, staff grants, other people's sessions."""
