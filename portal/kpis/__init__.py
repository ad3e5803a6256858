"""KPIs: metric definitions, targets, daily values per person, and their aggregation."""
