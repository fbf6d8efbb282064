"""Checks, one module per family; each check registers the codes it can emit.

A check is a function ``check(module: ModuleContext) -> Iterable[Finding]``.
A code is *implemented* when a registered check declares it; codes in the
catalog without a check are documented but emit nothing.
"""

from __future__ import annotations

from flake8_hybrid.rules.registration import CHECKS, Check


def registered_checks() -> list[tuple[frozenset[str], Check]]:
    _load_rule_modules()
    return list(CHECKS)


def implemented_codes() -> frozenset[str]:
    # HYB000 is emitted by the plugin's own safety net, not by a check.
    return frozenset({"HYB000"}) | {code for codes, _ in registered_checks() for code in codes}


def _load_rule_modules() -> None:
    # Imported for their @check registrations.
    from flake8_hybrid.rules import (  # noqa: F401
        graph_safety,
        hybridization,
        retracing,
        run_eagerly,
        tf_function_config,
    )
