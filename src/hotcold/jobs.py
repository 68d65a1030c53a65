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
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

__all__ = ["job_log", "map_in_order"]


def _warnings_to(log: Callable[[str], None], stream: TextIO) -> Callable[..., None]:
    """A ``warnings.showwarning`` writing to the job log and to ``stream`` (the console)."""

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        text = warnings.formatwarning(message, category, filename, lineno, line).rstrip()
        log(f"WARNING: {text}")
        stream.write(text + "\n")

    return show


@contextlib.contextmanager
def job_log(
    path: str | Path, threads: int = 1, rule: str | None = None
) -> Iterator[Callable[[str], None]]:
    """Open the job's log file and yield ``log(msg)``.

    Sets numba's thread count to the job's ``threads`` (results do not depend
    on it: every energy is computed by one thread).  Python warnings raised
    inside (e.g. numpy's ``RuntimeWarning: overflow``) are written to the log
    as ``WARNING:`` lines, and still to the console; forked worker processes
    inherit this.

    A failure is written to the log (``ERROR:`` line, then its traceback) and
    reported on the console as one line naming the rule, the cause and the log;
    the job then exits with status 1 (:class:`SystemExit`), so Snakemake marks it
    failed and removes its outputs, without a traceback on the console.  Ctrl-C
    (:class:`KeyboardInterrupt`) exits with status 130 and one line saying how to
    resume.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", buffering=1) as fh, warnings.catch_warnings():

        def log(msg: str) -> None:
            stamp = _dt.datetime.now().strftime("%H:%M:%S")
            fh.write(f"{stamp} {msg}\n")

        warnings.showwarning = _warnings_to(log, sys.stderr)
        try:
            import numba

            numba.set_num_threads(max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS)))
        except ImportError:  # pragma: no cover
            pass
        try:
            yield log
        except SystemExit:
            raise  # already reported by the code that exits
        except BaseException as exc:
            what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            log(f"ERROR: job failed: {what}")
            job = f"hotcold rule {rule}" if rule else "hotcold job"
            if isinstance(exc, KeyboardInterrupt):  # deliberate: no traceback anywhere
                print(f"{job} interrupted; rerun snakemake to resume", file=sys.stderr)
                raise SystemExit(130) from None
            fh.write(traceback.format_exc())
            print(f"{job} failed: {what} (traceback in {path})", file=sys.stderr)
            raise SystemExit(1) from None
        log("done")


def map_in_order(fn: Callable, iterables: Sequence, workers: int) -> Iterator[Any]:
    """``map(fn, *iterables)`` in order, on ``workers`` processes.

    BLAS runs single-threaded in every case, so the numbers do not depend on
    ``workers`` (a threaded BLAS reduction can differ in the last bit), and
    two processes on two cores do not fight over spinning BLAS threads.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from threadpoolctl import threadpool_limits

    n = len(iterables[0])
    with threadpool_limits(limits=1):  # inherited by the forked workers
        if workers <= 1 or n < 2:
            yield from map(fn, *iterables)
            return
        # fork: the children inherit the imported modules and compiled kernels
        # and (unlike spawn) do not re-run the calling script; the spectral
        # and matrix-element kernels use no numba thread pool, so forking is safe
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(min(workers, n), mp_context=ctx) as pool:
            yield from pool.map(fn, *iterables, chunksize=max(1, n // (8 * workers)))
