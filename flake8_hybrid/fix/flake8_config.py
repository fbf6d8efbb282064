"""flake8's own configuration, read by flake8's own code.

The fixer must report and fix exactly what ``flake8`` would report, so rather
than re-implementing flake8's config discovery, select/ignore precedence,
per-file-ignores matching and ``# noqa`` handling, it asks flake8: the options
come from ``flake8.options.parse_args`` (command line plus ``.flake8``,
``setup.cfg``, ``tox.ini``), decisions from flake8's style guides, and the
line searched for ``noqa`` from flake8's file processor (the whole logical
line, as in a flake8 run).
"""

from __future__ import annotations

from typing import Sequence

from flake8.processor import FileProcessor
from flake8.style_guide import Decision, StyleGuideManager
from flake8.violation import Violation

from flake8_hybrid.findings import Finding
from flake8_hybrid.settings import Settings


class Flake8Config:
    def __init__(self, flake8_argv: Sequence[str]) -> None:
        from flake8.options.parse_args import parse_args

        _, self.options = parse_args(list(flake8_argv))
        self.settings = Settings.from_options(self.options)
        # The style guides are used for their decisions only, never to report.
        self._guides = StyleGuideManager(self.options, formatter=None)  # type: ignore[arg-type]

    @property
    def exclude(self) -> Sequence[str]:
        # As flake8's own file discovery combines them.
        return (*self.options.exclude, *self.options.extend_exclude)

    @property
    def filename_patterns(self) -> Sequence[str]:
        return self.options.filename

    def file_is_ignored(self, filename: str, lines: list[str]) -> bool:
        """Whether the file opts out entirely with ``# flake8: noqa``."""
        if self.options.disable_noqa:
            return False
        return self._processor(filename, lines).should_ignore_file()

    def reported(self, findings: Sequence[Finding], filename: str, lines: list[str]) -> list[Finding]:
        """The findings flake8 would show for this file (select/ignore/per-file-ignores/noqa)."""
        if not findings:
            return []
        guide = self._guides.style_guide_for(filename)
        processor = self._processor(filename, lines)
        kept = []
        for finding in findings:
            if guide.should_report_error(finding.code) is not Decision.Selected:
                continue
            logical_line = processor.noqa_line_for(finding.line) or ""
            violation = Violation(finding.code, filename, finding.line, finding.col + 1, finding.message, logical_line)
            if not violation.is_inline_ignored(self.options.disable_noqa):
                kept.append(finding)
        return kept

    def _processor(self, filename: str, lines: list[str]) -> FileProcessor:
        return FileProcessor(filename, self.options, lines=list(lines))
