"""What the eval commands share on the command line: argument types, the one-line error, the parser
that reports through it, and the wrapper that turns any failure into one line on stderr and an exit code."""
from __future__ import annotations

import argparse
import sys
from typing import Callable

EXIT_USAGE, EXIT_INPUT, EXIT_SETUP = 2, 3, 4


def positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {n}")
    return n


class CliError(Exception):
    """A one-line, user-facing failure (bad arguments, unreadable input, unreachable endpoint)."""

    default_code = EXIT_USAGE

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = self.default_code if code is None else code


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors raise `error_class` (a CliError: one line, exit 2), not a usage dump."""

    def __init__(self, *args, error_class: type[CliError] = CliError, **kw) -> None:
        super().__init__(*args, **kw)
        self.error_class = error_class

    def error(self, message: str):
        raise self.error_class(message, EXIT_USAGE)


def run_cli(prog: str, body: Callable[[], int]) -> int:
    """body() with its failures as one line `prog: error: ...` on stderr: a CliError with its code,
    missing models (ModelError, FileNotFoundError) exit 4, anything else 1, Ctrl-C 130."""
    try:
        return body()
    except CliError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # models missing, unreadable index, ...: one line, no traceback
        from index.models import ModelError

        code = EXIT_SETUP if isinstance(exc, (ModelError, FileNotFoundError)) else 1
        print(f"{prog}: error: {type(exc).__name__}: {' '.join(str(exc).split())}", file=sys.stderr)
        return code
