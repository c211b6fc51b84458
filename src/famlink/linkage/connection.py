"""The DuckDB connection linkage runs in: bounded memory, and spill files that stay private.

DuckDB's defaults suit an analyst's laptop, not a store of identifiers: it may use 80% of the
machine's memory before spilling, and it spills into `.tmp` under the current directory. At national
scale (1.6 million people against 4 million) the linkage must stay inside a memory budget shared
with the rest of the study, so famlink sets a limit (`FAMLINK_LINKAGE_MEMORY`, default 40% of the
machine's memory) and spills into a fresh owner-only temporary folder that is deleted when the
connection closes, so identifiers never linger on disk in a folder others can read.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

MEMORY_ENV = "FAMLINK_LINKAGE_MEMORY"
DEFAULT_SHARE = 0.4


def memory_limit() -> str:
    """The linkage memory limit as DuckDB reads it, e.g. `9GB` (from the environment, or 40% of RAM)."""
    configured = os.environ.get(MEMORY_ENV, "").strip()
    if configured:
        return configured
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(1, int(total * DEFAULT_SHARE / 2**30))}GB"


@contextmanager
def linkage_connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB connection with a memory limit and a private spill folder."""
    spill = tempfile.mkdtemp(prefix="famlink-linkage-")  # created 0700
    con = duckdb.connect(config={"memory_limit": memory_limit(), "temp_directory": spill})
    try:
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
