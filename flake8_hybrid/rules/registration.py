"""How a check says which codes it emits: ``@check("HYB101", ...)`` adds it to the list the
linter runs (``rules.registered_checks``). The family modules import this, never their package,
so the package can load them without an import circle."""

from __future__ import annotations

from typing import Callable, Iterable

from flake8_hybrid.findings import Finding

Check = Callable[["ModuleContext"], Iterable[Finding]]  # noqa: F821 (forward reference)

CHECKS: list[tuple[frozenset[str], Check]] = []


def check(*codes: str) -> Callable[[Check], Check]:
    """Register a check that emits ``codes``."""

    def register(function: Check) -> Check:
        CHECKS.append((frozenset(codes), function))
        return function

    return register
