"""Linkage runs under a memory limit and spills into a private folder that is removed afterwards."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from famlink.linkage.connection import MEMORY_ENV, linkage_connection, memory_limit


def test_the_memory_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MEMORY_ENV, "2GB")
    with linkage_connection() as con:
        limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    assert limit.replace(" ", "").upper().startswith(("1.8GIB", "1.9GIB", "2GB", "2.0GB"))


def test_the_default_limit_is_well_below_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MEMORY_ENV, raising=False)
    total_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    assert int(memory_limit().removesuffix("GB")) <= 0.5 * total_gb


def test_spill_files_go_to_a_private_folder_that_is_deleted() -> None:
    with linkage_connection() as con:
        spill = Path(con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0])
        assert spill.is_dir() and (spill.stat().st_mode & 0o077) == 0
    assert not spill.exists()
