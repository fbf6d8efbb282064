"""Every HYB rule, by code: the public catalog (``docs/rules.md`` is generated from it)."""

from flake8_hybrid.catalog import configuration, graph_safety_retracing, hybridization

RULES = {
    rule.code: rule
    for rule in sorted(
        (*hybridization.RULES, *graph_safety_retracing.RULES, *configuration.RULES),
        key=lambda rule: rule.code,
    )
}
