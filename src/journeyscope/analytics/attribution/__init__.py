"""Multi-touch attribution: which channels earn the conversions (issue 5, in progress)."""
