"""How much of its project one file's facts can depend on.

    python benchmarks/fact_reach.py             # both pinned wheels, about 30 s
    python benchmarks/fact_reach.py DIR [DIR]   # other project roots

The facts of a function are exact only over the whole project: a parameter's value comes from
every call site, a return value from every callee, a class attribute from every method that sets
it. An analysis driven by demand (facts for one file's functions only) must still analyze every
module those flows can reach. This script estimates that reach: it runs the analysis once, joins
two functions whenever one calls the other or reads a slot (parameter, return value, class
attribute) the other owns or writes, and reports the components that result and, per module, the
share of the project's modules its functions' components span.

An estimate, both ways: a join ignores the direction of a flow (more than the true reach), and
module globals and class lookups are not followed (less). TensorFlow is never imported.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

WHEELS = (("tf-models-official", "2.20.0"), ("tf-keras", "2.21.0"))


class Components:
    """Union-find over function keys."""

    def __init__(self, keys) -> None:
        self.parent = {key: key for key in keys}

    def find(self, key: str) -> str:
        parent = self.parent
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def join(self, one: Optional[str], other: Optional[str]) -> None:
        if one in self.parent and other in self.parent:
            self.parent[self.find(one)] = self.find(other)


def reach(root: str) -> dict:
    from flake8_hybrid.analysis.api_model import api_model
    from flake8_hybrid.analysis.project import Project

    started = time.perf_counter()
    project = Project(root, api_model(), None)
    project.facts()
    seconds = time.perf_counter() - started
    analysis = project._analysis
    functions = project.functions
    components = Components(functions)
    for edge in analysis.edges.values():
        components.join(edge.caller, edge.callee)
    methods = defaultdict(list)
    for key, function in functions.items():
        if function.class_key:
            methods[function.class_key].append(key)
    for slot, readers in analysis.readers.items():
        kind, owner = slot[0], slot[1]
        for reader, _part in readers:
            if kind == "attribute":  # written by the class's methods
                for method in methods.get(owner, ()):
                    components.join(reader, method)
            else:  # ("value", function, parameter) or ("returns", function)
                components.join(reader, owner)
    modules_of = defaultdict(set)
    sizes = defaultdict(int)
    for key, function in functions.items():
        top = components.find(key)
        modules_of[top].add(function.module.path)
        sizes[top] += 1
    by_module = defaultdict(set)
    for key, function in functions.items():
        by_module[function.module.path].add(components.find(key))
    total = len(project.summaries)
    shares = sorted(len(set().union(*(modules_of[top] for top in tops))) / total for tops in by_module.values())
    largest = max(sizes.values(), default=0)
    return {
        "root": root,
        "modules": total,
        "functions": len(functions),
        "components": len(sizes),
        "largest component (functions)": largest,
        "largest component share of functions": largest / max(len(functions), 1),
        "largest component share of modules": max((len(m) for m in modules_of.values()), default=0) / max(total, 1),
        "reach median": statistics.median(shares) if shares else 0.0,
        "reach median (modules)": round(statistics.median(shares) * total) if shares else 0,
        "reach p75": shares[(3 * len(shares)) // 4] if shares else 0.0,
        "reach max": shares[-1] if shares else 0.0,
        "analysis seconds": seconds,
    }


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("roots", nargs="*", help="project roots (default: the two pinned wheels)")
    args = parser.parse_args(argv)
    roots = args.roots
    if not roots:
        from corpus import corpus_sources

        roots = [str(corpus_sources(name, version)) for name, version in WHEELS]
    for root in roots:
        result = reach(os.path.abspath(root))
        print(
            f"{result['root']}: {result['modules']} modules, {result['functions']} functions, "
            f"{result['components']} components (analysis {result['analysis seconds']:.1f} s)\n"
            f"  largest component: {result['largest component (functions)']} functions "
            f"({result['largest component share of functions']:.0%}), spanning "
            f"{result['largest component share of modules']:.0%} of the modules\n"
            f"  share of the modules one module's facts may depend on: median {result['reach median']:.1%} "
            f"({result['reach median (modules)']} modules), "
            f"p75 {result['reach p75']:.0%}, max {result['reach max']:.0%}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
