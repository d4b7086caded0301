"""Tests of the case desk (issue 5)."""
