"""The analytics tests' helpers live in tests/conftest.py (the Spark tests share them)."""

from __future__ import annotations

from tests.conftest import MakeWorkspace

__all__ = ["MakeWorkspace"]
