"""Shared Hypothesis settings for the unit tests: reproducible, small budgets."""

from hypothesis import settings

settings.register_profile("atomik-unit", database=None, max_examples=60, deadline=None)
settings.load_profile("atomik-unit")
