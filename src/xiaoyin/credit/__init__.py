"""Intelligent credit: risk models (scorecards, challengers, decisions, monitoring)."""
