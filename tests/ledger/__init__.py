"""Tests of the experiment ledger (a package, so its conftest does not shadow tests/conftest.py)."""
