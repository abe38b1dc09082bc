"""What the exchange commands share: a progress bar drawn by tqdm, and a command
over one FILE that draws it unless ``--quiet``."""

import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from django.core.management.base import BaseCommand, OutputWrapper
from tqdm import tqdm


class _Unterminated:
    """The command's standard error as tqdm writes to it: each piece as it comes.
    Django's ``OutputWrapper`` would end every write with a new line (and colour it
    as an error on a terminal), which breaks a bar redrawn in place."""

    def __init__(self, out: OutputWrapper):
        self._out = out

    def write(self, text: str) -> None:
        self._out.write(text, style_func=lambda plain: plain, ending="")

    def __getattr__(self, name: str):
        return getattr(self._out, name)


class ProgressBar:
    """The progress the import and export functions report, ``(kind, done,
    total)``, drawn by tqdm on the command's standard error: one bar a kind,
    redrawn in place and left complete. Used as a context manager, so that a bar an
    error interrupts is closed before the error is written."""

    #: The kind, a bar of 30, done/total as before, then tqdm's time taken and left.
    FORMAT = "{desc:<10} |{bar:30}| {n:>8,}/{total:,} [{elapsed}<{remaining}]"

    def __init__(self, stream: OutputWrapper):
        self.stream = _Unterminated(stream)
        self.kind: str | None = None
        self.bar: tqdm | None = None

    def __call__(self, kind: str, done: int, total: int) -> None:
        if kind != self.kind:
            self.close()
            self.kind = kind
            self.bar = tqdm(
                total=total, desc=kind, file=self.stream, bar_format=self.FORMAT
            )
        if self.bar is None:  # this kind's bar is complete
            return
        self.bar.update(done - self.bar.n)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class FileCommand(BaseCommand):
    """A command over one FILE, with a progress bar on standard error unless
    ``--quiet``, that ends by saying what it did and how long it took."""

    file_help = "The file."

    def add_arguments(self, parser):
        parser.add_argument("file", help=self.file_help)
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    @contextmanager
    def progress(self, quiet: bool) -> Iterator[ProgressBar | None]:
        bar = None if quiet else ProgressBar(self.stderr)
        with bar or nullcontext():
            yield bar

    def done(self, what: str, started: float) -> None:
        self.stdout.write(
            self.style.SUCCESS(f"{what} in {time.perf_counter() - started:.1f} s.")
        )
