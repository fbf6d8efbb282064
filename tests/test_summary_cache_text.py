"""The summary cache writes exactly the JSON of _summary_to_json (its fast encoder included)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from flake8_hybrid.analysis.api_model import api_model
from flake8_hybrid.analysis.cache import SummaryCache, _summary_text, _summary_to_json
from flake8_hybrid.analysis.summary import summarize

FIXTURES = sorted((Path(__file__).parent.parent / "fixtures").glob("*.py"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_cache_text_is_the_summary_json(path: Path) -> None:
    summary = summarize(ast.parse(path.read_text()), path.stem, str(path), api_model())
    expected = json.dumps(_summary_to_json(summary), separators=(",", ":"))
    assert _summary_text(summary) == expected


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_stored_entry_loads_back_to_the_same_summary(tmp_path: Path, path: Path) -> None:
    # Equal as objects, not only as JSON: a field left a list where the analysis expects a
    # frozenset (a value) would hash differently, or not at all, when read from the cache.
    summary = summarize(ast.parse(path.read_text()), path.stem, str(path), api_model())
    cache = SummaryCache(str(tmp_path), "model")
    key = cache.key(path.stem, path.read_bytes())
    cache.store(key, summary)
    loaded = cache.load(key)
    assert loaded is not None
    assert _summary_to_json(loaded) == _summary_to_json(summary)
    assert loaded == summary
