"""Shared fixtures. Synthetic worlds are built once per session by famlink's own generator."""

from __future__ import annotations

import os

os.environ.setdefault("COLUMNS", "100")
