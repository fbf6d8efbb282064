"""The flake8 entry point (``HYB = flake8_hybrid.plugin:Plugin``).

flake8 imports this module in every worker, so it imports only the standard
library and the linter's own analysis; never libcst, never tensorflow.
"""

from __future__ import annotations

import ast
from typing import Iterator, Sequence

from flake8_hybrid import __version__
from flake8_hybrid.settings import Settings, add_flake8_options

Report = tuple[int, int, str, type]


class Plugin:
    name = "flake8-hybrid"
    version = __version__
    settings = Settings()

    def __init__(self, tree: ast.Module, filename: str = "stdin", lines: Sequence[str] = ()) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @staticmethod
    def add_options(option_manager: object) -> None:
        add_flake8_options(option_manager)

    @classmethod
    def parse_options(cls, options: object) -> None:
        try:
            cls.settings = Settings.from_options(options)
        except ValueError as error:
            # A bad option value or --hybrid-api-model file (Settings loads the
            # model here): flake8 prints an ExecutionError as a one-line critical
            # error and exits non-zero, instead of a traceback.
            from flake8.exceptions import ExecutionError

            raise ExecutionError(f"flake8-hybrid: {error}") from None

    def run(self) -> Iterator[Report]:
        # One exception here would abort the user's whole flake8 run: turn any
        # failure into a single HYB000 for this file instead.
        try:
            from flake8_hybrid.lint import lint_tree

            findings = lint_tree(self.tree, self.filename, self.lines, self.settings)
        except (Exception, RecursionError) as error:  # noqa: B902 (deliberately broad)
            from flake8_hybrid.registry import get_rule

            message = get_rule("HYB000").format_message(exception=f"{type(error).__name__}: {error}"[:200])
            yield (1, 0, message, type(self))
            return
        for finding in findings:
            yield (finding.line, finding.col, finding.message, type(self))
