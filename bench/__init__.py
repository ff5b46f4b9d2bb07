"""Baton's benchmark: ``make bench`` (see README, Performance)."""
