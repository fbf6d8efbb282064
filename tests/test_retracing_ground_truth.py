"""Ground truth for HYB201-HYB205: every retracing fixture case run under TensorFlow.

The ``case_*`` functions of fixtures/hyb201.py ... hyb205.py each return how many
times their tf.function traced (HYB204: how many ops its graph holds) and what
they computed.  One subprocess (tests/retracing_driver.py) runs them as they are
and as the fixer leaves them with --unsafe-fixes --hybrid-preview for HYB201/HYB203/HYB204.  The
tests check that every reported case really retraces (or unrolls), that the fix
brings the count down to what it promises while the results stay equal, and that
every near miss traces at most a couple of times.
"""

from __future__ import annotations

import ast
import json
import math
import shutil
import subprocess
import sys

import pytest

from annotations import read_annotations
from conftest import FIXTURES, ROOT, fixer

pytest.importorskip("tensorflow")

MODULES = ("hyb201", "hyb202", "hyb203", "hyb204", "hyb205")

# case -> (count before, count after the fix): traces; for HYB204 graph ops.
# None after: the rule has no fix, or the case is a near miss the fixer leaves alone.
REPORTED = {
    "hyb201": {
        # One trace per value the message counts; tf.constant(...) makes it one trace in all.
        "case_loop_variable": (10, 1), "case_module_constant_bound": (12, 1), "case_counter": (8, 1),
        "case_keyword": (7, 1), "case_through_helper": (20, 1), "case_while_counter": (6, 1),
        "case_imported_function": (9, 1), "case_across_modules": (15, 1),
        # range(<parameter>): as many values as the callers' literals give (preview when unknown).
        "case_range_of_a_parameter": (8, 1), "case_range_of_an_unknown_parameter": (6, 1),
    },
    "hyb202": {
        # One trace per tf.function created, each wrapping the same computation; display-only.
        "case_in_loop": (5, None), "case_lambda_in_loop": (4, None),
        "case_nested_in_function_called_in_loop": (6, None), "case_wrapped_in_helper": (4, None),
        "case_called_right_away": (5, None), "case_comprehension": (3, None), "case_method_in_loop": (5, None),
        "case_closure_over_each_batch": (4, None), "case_closure_over_an_argument": (5, None),
    },
    "hyb203": {
        # One trace per shape; reduce_retracing=True relaxes after the second shape.
        "case_padded_batch": (10, 3), "case_padded_dataset_variable": (8, 3), "case_growing_slices": (11, 2),
        "case_growing_shapes": (7, 2), "case_ragged_rows": (6, 2), "case_existing_arguments_on_lines": (7, 3),
        "case_dataset_from_helper": (6, 3), "case_dataset_from_other_module": (5, 3),
        "case_through_helper": (5, 3), "case_buckets": (12, 3),
        # Unbatched elements of many shapes (generators: preview, they assume the lengths vary).
        "case_unbatched_lengths": (19, 2), "case_generator_with_shapes_of_none": (10, 2),
        "case_generator_without_shapes": (10, 2), "case_rows_of_a_ragged_tensor": (5, 2),
    },
    "hyb204": {
        # Graph ops: one copy of the body per iteration; tf.range keeps one copy in a while loop.
        "case_large_constant_range": (6002, 18), "case_module_constant_range": (402, 18),
        "case_python_int_bound": (102, 18), "case_static_dimension": (643, 19),
        "case_numpy_array": (303, None), "case_python_list": (195, None),
        # No tf.range fix: a list read after the loop, a Python list indexed by the loop variable.
        "case_list_read_after_the_loop": (131, None), "case_python_list_indexed_by_the_loop": (195, None),
    },
    "hyb205": {
        # One trace per call; display-only.
        "case_new_object_per_call": (6, None), "case_lambda_per_call": (5, None), "case_bound_method": (5, None),
        "case_partial_per_call": (5, None), "case_helper_called_in_loop": (5, None),
        "case_object_named_in_loop": (5, None),
    },
}
#: Near misses: at most this many traces (HYB204: graph ops).
NEAR_MISSES = {
    "hyb201": {"case_booleans": 2, "case_hyperparameter": 1, "case_once_outside_loop": 1, "case_tensor_argument": 1,
               "case_few_values": 3, "case_after_loop": 1, "case_tf_range": 1, "case_input_signature": 1,
               "case_hyperparameter_sweep": 3, "case_range_of_a_small_parameter": 3},
    # HYB202: one trace per computation the program needs: per function, closure or epoch.
    "hyb202": {"case_module_level": 1, "case_factory_called_once": 1, "case_cached_in_method": 2,
               "case_builder_keeps_its_result": 1, "case_one_per_callable": 2, "case_closure_per_key": 3,
               "case_one_per_looked_up_function": 2,
               "case_wraps_the_argument": 2, "case_called_right_away_on_the_argument": 2,
               "case_driver_called_per_epoch": 2, "case_made_in_graph_code": 2},
    "hyb203": {"case_partial_last_batch": 2, "case_fixed_padding": 1, "case_already_relaxed": 3,
               "case_input_signature": 1, "case_sliding_window": 1, "case_ragged_batch": 2,
               "case_plain_dataset_from_other_module": 2, "case_generator_with_a_fixed_shape": 1,
               "case_unbatched_scalars": 1},
    "hyb204": {"case_medium_range": 194, "case_small_range": 10, "case_tf_range": 18, "case_tensor_bound": 20,
               "case_layers": 21, "case_eager": 0, "case_configuration_value": 21, "case_small_numpy_array": 12},
    "hyb205": {"case_object_made_once": 1, "case_plain_function": 1, "case_single_call": 1,
               "case_tensor_made_per_call": 1, "case_property_per_call": 1, "case_new_object_in_graph_code": 1},
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[dict, dict]:
    fixed = tmp_path_factory.mktemp("fixed")
    for path in [*FIXTURES.glob("hyb20*.py"), FIXTURES / "setup.cfg", FIXTURES / "requirements.txt"]:
        shutil.copy(path, fixed / path.name)
    # With the preview tier: its fixes, when applied, must keep results too.
    result = fixer("--isolated", "--unsafe-fixes", "--hybrid-preview", "--select=HYB201,HYB203,HYB204", ".",
                   cwd=fixed)
    assert result.returncode in (0, 1), result.stderr
    driver = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "retracing_driver.py"), str(FIXTURES), str(fixed)],
        capture_output=True, text=True, timeout=300,
    )
    assert driver.returncode == 0, driver.stderr[-3000:]
    data = json.loads(driver.stdout)
    return data[str(FIXTURES)], data[str(fixed)]


def test_every_case_is_classified() -> None:
    for module in MODULES:
        source = (FIXTURES / f"{module}.py").read_text(encoding="utf-8")
        cases = {line.split("(")[0][4:] for line in source.splitlines() if line.startswith("def case_")}
        assert cases == set(REPORTED[module]) | set(NEAR_MISSES[module]), module
    assert sum(len(cases) for cases in REPORTED.values()) + sum(len(c) for c in NEAR_MISSES.values()) >= 40


def test_reported_cases_are_the_ones_with_findings() -> None:
    """A reported case has a finding of its module's rule in it or in the code it alone uses
    (the definitions between it and the case before it); a near miss has none."""
    for module in MODULES:
        path = FIXTURES / f"{module}.py"
        lines = {e.line for e in read_annotations(path).expected if e.code == module.upper()}
        tree = ast.parse(path.read_text(encoding="utf-8"))
        previous_end = 0
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("case_"):
                has_finding = any(previous_end < line <= node.end_lineno for line in lines)
                if node.name == "case_across_modules":  # its finding is in hyb201_helpers.py
                    has_finding = bool(read_annotations(FIXTURES / "hyb201_helpers.py").expected)
                assert has_finding == (node.name in REPORTED[module]), f"{module}.{node.name}"
                previous_end = node.end_lineno


@pytest.mark.parametrize("module", MODULES)
def test_reported_cases_retrace_and_fixes_keep_results(runs, module: str) -> None:
    before, after = runs
    for case, (count, fixed_count) in REPORTED[module].items():
        assert before[module][case][0] == count, f"{module}.{case} before the fix"
        if fixed_count is None:
            assert after[module][case][0] == count, f"{module}.{case}: no fix, no change"
        else:
            assert after[module][case][0] == fixed_count, f"{module}.{case} after the fix"
        assert math.isclose(after[module][case][1], before[module][case][1], rel_tol=1e-5, abs_tol=1e-9), case


@pytest.mark.parametrize("module", MODULES)
def test_near_misses_trace_little_and_are_left_alone(runs, module: str) -> None:
    before, after = runs
    for case, most in NEAR_MISSES[module].items():
        assert before[module][case][0] <= most, f"{module}.{case}"
        assert after[module][case] == before[module][case] or math.isclose(
            after[module][case][1], before[module][case][1], abs_tol=1e-9
        ), case
