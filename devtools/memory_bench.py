"""Peak memory of the exchange commands and of a server's workers.

Each command runs as a child process (``manage.py import_bundle`` / ``export_archive``
with this process's settings and database); its peak resident set size is the
kernel's own count, read from ``os.wait4`` when it ends. A server's workers are
read from ``/proc`` (``VmHWM``: the peak since each started).

``manage.py memory_bench`` prints them; ``benchmark`` may call ``report`` with its
own output stream.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from devtools import corpus

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Peak:
    what: str
    seconds: float
    peak_kib: int
    returncode: int
    output: str
    #: The claims an import wrote (its rate is shown), or None.
    claims: int | None = None

    @property
    def line(self) -> str:
        state = "" if self.returncode == 0 else f" (exit {self.returncode})"
        rate = (
            f" {self.claims / self.seconds:>8,.0f} claims/s"
            if self.claims and self.seconds and not self.returncode
            else ""
        )
        return (
            f"{self.what:<44} {self.peak_kib / 1024:>9,.1f} MiB "
            f"{self.seconds:>8,.1f} s{rate}{state}"
        )


def run_measured(args: list[str], what: str) -> Peak:
    """Run ``manage.py *args`` as a child; its peak RSS, time and output."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as output:
        child = subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode(errors="replace")
    return Peak(
        what, time.monotonic() - started, usage.ru_maxrss, child.returncode, text
    )


def import_peaks(sizes: list[int], seed: int, folder: str) -> list[Peak]:
    """``import_bundle`` of a generated bundle of each size (its rows are new:
    one seed a size); the import is written to the database."""
    peaks = []
    for claims in sizes:
        path = Path(folder) / f"bundle-{claims}.json"
        size = corpus.write_bundle(path, claims=claims, seed=seed * 1_000_003 + claims)
        peak = run_measured(
            ["import_bundle", str(path), "--quiet"],
            f"import_bundle {claims:,} claims ({size / 2**20:,.0f} MiB)",
        )
        peaks.append(dataclasses.replace(peak, claims=claims))
        path.unlink()
    return peaks


def export_peak(folder: str) -> Peak:
    path = Path(folder) / "archive.jsonl.gz"
    peak = run_measured(["export_archive", str(path), "--quiet"], "export_archive")
    if path.exists():
        peak = Peak(
            f"export_archive ({path.stat().st_size / 2**20:,.0f} MiB gzip)",
            peak.seconds,
            peak.peak_kib,
            peak.returncode,
            peak.output,
        )
        path.unlink()
    return peak


def worker_peaks(server_pid: int) -> dict[int, int]:
    """The peak RSS (KiB) of a server process and each of its children, by pid:
    ``VmHWM`` from ``/proc``, so read them before the server stops."""
    pids = [server_pid]
    try:
        children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text()
        pids += [int(pid) for pid in children.split()]
    except OSError:
        pass
    found = {}
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    found[pid] = int(line.split()[1])
        except OSError:
            continue
    return found


def server_peaks(server_pid: int) -> dict:
    """``worker_peaks`` of a server as ``{"master": KiB or None, "workers": [KiB]}``."""
    found = worker_peaks(server_pid)
    return {"master": found.pop(server_pid, None), "workers": sorted(found.values())}


def peaks_line(peaks: dict) -> str:
    """A server's peak memory (``server_peaks``) in one line."""
    workers, master = peaks.get("workers") or [], peaks.get("master")
    if not workers:
        return "Peak memory of the app's workers: not read (no /proc)."
    mib = [f"{kib / 1024:,.1f}" for kib in workers]
    line = f"Peak memory of the app's {len(workers)} workers after the load: {', '.join(mib)} MiB"
    if master is not None:
        line += f"; their master {master / 1024:,.1f} MiB"
    if peaks.get("cache") is not None:
        line += f"; their Redis's data at most {peaks['cache'] / 1024:,.1f} MiB"
    return line + "."


def report(out, *, sizes: list[int], seed: int = 1, export: bool = True) -> list:
    """Measure and print the peaks: each import size, then the export."""
    out.write(f"{'peak memory (RSS)':<44} {'':>13} {'time':>10}")
    peaks = []
    with tempfile.TemporaryDirectory(prefix="memory-bench-") as folder:
        for peak in import_peaks(sizes, seed, folder):
            out.write(peak.line)
            peaks.append(peak)
        if export:
            peak = export_peak(folder)
            out.write(peak.line)
            peaks.append(peak)
    for peak in peaks:
        if peak.returncode:
            out.write(peak.output[-2000:])
    return peaks
