"""Glue for the workflow scripts: per-job logging and thread set-up.

Scripts under ``workflow/scripts`` only unpack ``snakemake.input/output/params``
and call package functions; this module gives them a logger that writes
timestamped progress lines to the rule's ``log:`` file.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["job_log"]


@contextlib.contextmanager
def job_log(path: str | Path, threads: int = 1) -> Iterator[Callable[[str], None]]:
    """Open the job's log file and yield ``log(msg)``.

    Sets numba's thread count to the job's ``threads`` (results do not depend
    on it: every energy is computed by one thread).  An exception is written
    to the log with its traceback and re-raised, so Snakemake marks the job
    failed and removes its outputs.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", buffering=1) as fh:

        def log(msg: str) -> None:
            stamp = _dt.datetime.now().strftime("%H:%M:%S")
            fh.write(f"{stamp} {msg}\n")

        try:
            import numba

            numba.set_num_threads(max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS)))
        except ImportError:  # pragma: no cover
            pass
        try:
            yield log
        except Exception as exc:
            log(f"ERROR: {type(exc).__name__}: {exc}")
            fh.write(traceback.format_exc())
            print(f"hotcold job failed: {type(exc).__name__}: {exc} (see {path})", file=sys.stderr)
            raise
        log("done")
