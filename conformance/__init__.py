"""Conformance harness: holds the Python implementation to the Lean theorems."""
