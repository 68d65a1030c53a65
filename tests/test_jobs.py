"""Job logs (hotcold.jobs.job_log): warnings and failures end up in the rule's log file."""

from __future__ import annotations

import multiprocessing
import warnings
from pathlib import Path

import numpy as np
import pytest

from hotcold.jobs import job_log


def test_numpy_warning_goes_to_the_job_log(tmp_path, capsys):
    """The overflow warning of spectral.py's expm1 reaches the log, and still the console."""
    path = tmp_path / "logs" / "job.log"
    with job_log(path) as log:
        log("start")
        np.expm1(np.array([1000.0]))
    text = path.read_text()
    assert "WARNING:" in text and "RuntimeWarning: overflow encountered in expm1" in text
    assert text.index("start") < text.index("overflow") < text.index("done")
    assert "overflow encountered in expm1" in capsys.readouterr().err


def test_warning_filters_and_hook_are_restored(tmp_path):
    before = warnings.showwarning
    with job_log(tmp_path / "a.log"):
        assert warnings.showwarning is not before
    assert warnings.showwarning is before


def _child_warns() -> None:
    warnings.warn("from a forked worker", RuntimeWarning, stacklevel=1)


def test_forked_worker_warnings_go_to_the_job_log(tmp_path):
    """The spectral stage forks worker processes: their warnings are logged as well."""
    path = tmp_path / "job.log"
    with job_log(path):
        proc = multiprocessing.get_context("fork").Process(target=_child_warns)
        proc.start()
        proc.join(60)
    assert proc.exitcode == 0
    assert "RuntimeWarning: from a forked worker" in path.read_text()


def test_failure_is_one_console_line_and_the_traceback_is_logged(tmp_path, capsys):
    path = tmp_path / "job.log"
    with pytest.raises(SystemExit) as exit_info:
        with job_log(path, rule="spectral") as log:
            log("working")
            raise ValueError("spectral.omega_num too small")
    assert exit_info.value.code == 1  # Snakemake marks the job failed
    text = path.read_text()
    assert "ERROR: job failed: ValueError: spectral.omega_num too small" in text
    assert "Traceback (most recent call last)" in text
    assert "done" not in text
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        f"hotcold rule spectral failed: ValueError: spectral.omega_num too small "
        f"(traceback in {path})"
    ]


def test_interrupt_is_one_line_with_the_rerun_command(tmp_path, capsys):
    path = tmp_path / "job.log"
    with pytest.raises(SystemExit) as exit_info:
        with job_log(path, rule="localization"):
            raise KeyboardInterrupt
    assert exit_info.value.code == 130
    text = path.read_text()
    assert "ERROR: job failed: KeyboardInterrupt" in text and "Traceback" not in text
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["hotcold rule localization interrupted; rerun snakemake to resume"]


def test_corrupt_intermediate_names_the_file_and_the_fix(tmp_path):
    from hotcold.datasets import open_dataset

    bad = tmp_path / "localization.nc"
    bad.write_bytes(b"CDF\x01 truncated")
    with pytest.raises(OSError, match=r"localization\.nc cannot be read as a netCDF4 dataset") as e:
        open_dataset(bad)
    assert f"Fix: delete {bad} and rerun snakemake" in str(e.value)


def test_unwritable_output_names_the_path(tmp_path, capsys):
    import os

    import xarray as xr

    from hotcold.datasets import write_netcdf

    if os.geteuid() == 0:  # root writes into read-only directories, not into /sys
        out = Path("/sys/kernel")
    else:
        out = tmp_path / "ro"
        out.mkdir()
        out.chmod(0o500)
    with pytest.raises(SystemExit):
        with job_log(tmp_path / "job.log", rule="hotcold"):
            a = xr.DataArray([1.0], dims="x", attrs={"units": "1", "long_name": "a"})
            write_netcdf(xr.Dataset({"a": a}), out / "hotcold.nc")
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Permission denied" in err[0] and str(out) in err[0]


def _blas_threads(_):
    from threadpoolctl import threadpool_info

    return max(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")


@pytest.mark.parametrize("workers", [1, 2])
def test_map_in_order_runs_blas_single_threaded_and_in_order(workers):
    """Spectral and matrix-element realizations: BLAS at 1 thread in the caller and in the
    workers (a threaded BLAS reduction changes the last bits with the core count)."""
    from threadpoolctl import threadpool_info

    from hotcold.jobs import map_in_order

    assert any(p["user_api"] == "blas" for p in threadpool_info())  # numpy's BLAS is seen
    assert list(map_in_order(_blas_threads, [list(range(4))], workers)) == [1, 1, 1, 1]
    assert list(map_in_order(lambda a, b: a - b, [[5, 6, 7], [1, 1, 1]], 1)) == [4, 5, 6]
