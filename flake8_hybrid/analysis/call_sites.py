"""What call sites pass, as facts: the record the fixpoint keeps of each site's arguments, and
what is derived from it once the values have settled (``project.py``).

A parameter's evidence, the sites that pass it a Python value and whether that value changes
per iteration are facts about what each site passes *in the end*. Recorded while the values
grow, they would say what a site passed in the round that saw it, and which round sees which
part of a value depends on the order functions are visited in. So the fixpoint only records,
per site, the union of what it passed over every round (``record``), and these functions read
that union afterwards.

A site is ``(path, line, how, in_test)``: the module's path from the project root, the line,
how a graph callback is registered (a dataset's ``map``; "" for a call) and whether the caller
is a test. Sorted, sites come in line order, and stay so when lines move in order.
"""

from __future__ import annotations

from typing import Optional

from flake8_hybrid.analysis import values as v
from flake8_hybrid.analysis.bounds import describe
from flake8_hybrid.analysis.positions import mark

#: Texts saying where a parameter's value comes from, at most.
MAX_EVIDENCE = 8
#: What a site passes when it passes only Python values (the retracing facts count them).
PYTHON_VALUES = v.PRIMITIVE | {v.NONE, v.BOOL, v.DEFAULT_NUMBER, v.DEFAULT_STR}


#: What a parameter holds when a call relies on its literal default, by the default's kind.
_DEFAULT_VALUES = {"number": v.DEFAULT_NUMBER, "str": v.DEFAULT_STR, "bool": v.BOOL, "none": v.NONE}
#: A default passed on to another function: a Python value that function receives.
_PASSED_DEFAULTS = {v.DEFAULT_NUMBER: v.NUMBER, v.DEFAULT_STR: v.STR}
#: What Keras turns into a tensor when it is a layer's input.
_KERAS_CONVERTED = frozenset({v.NDARRAY, v.NUMBER, v.COUNTER, v.BOOL})


def received(passed: set, converts: bool) -> set:
    """What a parameter receives when a call passes ``passed``. ``converts``: Keras converts
    the argument (a layer's input): NumPy arrays and Python numbers arrive as tensors."""
    received = {_PASSED_DEFAULTS.get(atom, atom) for atom in passed}  # a default passed on: a Python value
    return {v.TENSOR if atom in _KERAS_CONVERTED else atom for atom in received} if converts else received


def default_value(kind: str) -> str:
    """What a parameter holds when a call relies on its literal default of ``kind``."""
    return _DEFAULT_VALUES.get(kind, v.OBJECT)


def site_text(path: str, line: int) -> str:
    """``path:line`` in messages; the line as facts write it (a token, ``positions.mark``)."""
    return f"{path}:{mark(path, line)}"


def record(passed: dict, site: tuple, atoms: set) -> None:
    """Add ``atoms`` to what ``site`` passes (``passed``: site -> atoms, for one parameter)."""
    known = passed.get(site)
    if known is None:
        passed[site] = set(atoms)
    else:
        known |= atoms


def evidence(conventions: list[str], passed: list) -> list[str]:
    """At most ``MAX_EVIDENCE`` texts saying where a parameter's value comes from: the
    conventions it was assumed by, then the sites (``passed``: sorted (site, atoms) pairs), each
    one that passes something the sites before it do not."""
    texts = [f"assumed: {convention}" for convention in conventions]
    covered: set = set()
    for (path, line, how, _in_test), atoms in passed:
        if len(texts) >= MAX_EVIDENCE:
            break
        if atoms <= covered:
            continue
        covered |= atoms
        site = site_text(path, line)
        texts.append(f"{site} passes tf.data elements ({how})" if how else f"{site} passes {describe(atoms)}")
    return texts


def python_value_sites(passed: list) -> tuple[list[str], list[str], bool]:
    """The project's sites and the tests' sites that pass a Python value, and whether project
    code passes one that changes per iteration.

    A site proves a Python value only when that is all it passes (not "a tensor, or a number
    from one of the callee's returns"). Tests are evidence of argument types, never of a hot
    path: retracing (HYB003) counts the project's own call sites only."""
    sites, test_sites, varies = set(), set(), False
    for (path, line, how, in_test), atoms in passed:
        if how or not (atoms & v.PRIMITIVE and atoms <= PYTHON_VALUES):
            continue
        (test_sites if in_test else sites).add(site_text(path, line))
        varies = varies or v.COUNTER in atoms and not in_test
    return sorted(sites), sorted(test_sites), varies


def callback_text(registrations: Optional[set]) -> str:
    """How a graph callback is registered, from its ``(path, line, how)`` registrations: the
    first in line order; "" when it is none."""
    if not registrations:
        return ""
    path, line, how = min(registrations)
    return f"{how} at {site_text(path, line)}"
