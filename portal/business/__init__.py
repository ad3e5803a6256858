"""Business reviews (weekly WBR, monthly MBR) of a team or market, and market summaries."""
