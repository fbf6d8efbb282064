"""On-disk cache of module summaries, keyed by file content.

Safe to share between processes (``flake8 --jobs``): an entry is written to a
temporary file and renamed into place, so a reader sees a whole entry or none.
An unreadable, corrupt or stale entry is ignored and recomputed; a cache that
cannot be written (read-only checkout) only costs speed. Nothing here raises.
Entries no kept project state uses go a day after they were written (``prune``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
import time
from dataclasses import is_dataclass
from typing import Iterable, Optional, Union

from flake8_hybrid import __version__
from flake8_hybrid.analysis import values as v
from flake8_hybrid.analysis.summary import CallSite, ClassSummary, FunctionSummary, ModuleSummary, Parameter

DEFAULT_DIRECTORY = ".flake8_hybrid_cache"
#: Beside a summary, the text it was made from.
SOURCE = ".source"
#: Bump when the summary format or its meaning changes.
FORMAT = 2
#: An entry no kept project state uses is deleted once it is this old (``prune``): a younger
#: one may belong to a run going on now, or to the branch just left.
GRACE_SECONDS = 24 * 3600


class SummaryCache:
    def __init__(self, directory: Optional[str], model_fingerprint: str) -> None:
        self.directory = directory
        self._salt = f"{__version__}:{FORMAT}:{_summarizer_fingerprint()}:{model_fingerprint}"
        self._ready = False

    def key(self, identity: str, content: bytes) -> str:
        """The entry for a module (``layout.module_identity``: its name and its path from the
        project root) with this content."""
        digest = hashlib.sha256()
        for part in (self._salt.encode(), identity.encode(), b"\0", content):
            digest.update(part)
        return digest.hexdigest()

    def entry_path(self, key: str) -> str:
        return os.path.join(self.directory or "", key[:2], key + ".json")

    def load(self, key: str) -> Optional[ModuleSummary]:
        if self.directory is None:
            return None
        try:
            with open(self.entry_path(key), encoding="utf-8") as file:
                return _summary_from_json(json.load(file))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def store(self, key: str, summary: ModuleSummary, source: Optional[bytes] = None) -> None:
        """Store the summary, and the text it was made from (``source``): a later state whose
        text differs only in where lines are reuses what was derived from this one
        (``results.load_moved``), and that needs this text to tell."""
        if self.directory is None:
            return
        try:
            self._prepare()
            folder = os.path.join(self.directory, key[:2])
            os.makedirs(folder, exist_ok=True)
            if source is not None:
                write_whole(folder, key + SOURCE, source)
            write_whole(folder, key + ".json", _summary_text(summary))
        except (OSError, ValueError, TypeError):
            self.directory = None  # stop trying for this run

    def plain(self, key: str) -> Optional[dict]:
        """The entry ``key`` as JSON holds it (``positions.summary_moves`` compares two), or None."""
        if self.directory is None:
            return None
        try:
            with open(self.entry_path(key), encoding="utf-8") as file:
                entry = json.load(file)
            return entry if isinstance(entry, dict) else None
        except (OSError, ValueError):
            return None

    def source(self, key: str) -> Optional[bytes]:
        """The text the entry ``key`` was made from, or None."""
        if self.directory is None:
            return None
        try:
            with open(os.path.join(self.directory, key[:2], key + SOURCE), "rb") as file:
                return file.read()
        except OSError:
            return None

    def prune(self, keep: set, now: Optional[float] = None) -> int:
        """Delete the entries not in ``keep``, and the temporary files of killed runs, last
        written more than ``GRACE_SECONDS`` ago; how many went.

        Without it the cache only grew: each edit of a module, and each new version of the
        summarizer, left a whole generation of entries that no key would name again.
        """
        if self.directory is None:
            return 0
        deadline = (time.time() if now is None else now) - GRACE_SECONDS
        removed = 0
        try:
            folders = [entry.path for entry in os.scandir(self.directory) if len(entry.name) == 2 and entry.is_dir()]
        except OSError:
            return 0
        for folder in folders:
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                stem, suffix = os.path.splitext(entry.name)
                if suffix not in (".json", SOURCE, ".tmp") or (suffix in (".json", SOURCE) and stem in keep):
                    continue
                try:
                    if entry.stat().st_mtime < deadline:
                        os.unlink(entry.path)
                        removed += 1
                except OSError:
                    continue  # gone already, or not ours to delete: only costs disk
        return removed

    def _prepare(self) -> None:
        if self._ready or self.directory is None:
            return
        os.makedirs(self.directory, exist_ok=True)
        ignore = os.path.join(self.directory, ".gitignore")
        if not os.path.exists(ignore):
            with open(ignore, "w", encoding="utf-8") as file:
                file.write("# Created by flake8-hybrid: a cache, never commit it.\n*\n")
        self._ready = True


def write_whole(folder: str, name: str, text: Union[str, bytes, Iterable[str]]) -> None:
    """Write ``folder/name`` so that a reader (another worker) sees all of it or none: a
    temporary file, renamed into place. ``text`` may come in pieces, so that a large entry is
    never held whole in memory (``results.store``)."""
    descriptor, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            if isinstance(text, (str, bytes)):
                text = (text,)
            for piece in text:
                file.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
        os.replace(temporary, os.path.join(folder, name))
    except BaseException:
        os.unlink(temporary)
        raise


@functools.lru_cache(maxsize=None)
def _summarizer_fingerprint() -> str:
    """A digest of the code that makes summaries: a changed summarizer never reads old entries."""
    from flake8_hybrid.analysis import names, range_bounds, summary, summary_values, values

    digest = hashlib.sha256()
    for module in (summary, summary_values, range_bounds, values, names):
        try:
            with open(module.__file__, "rb") as file:
                digest.update(file.read())
        except (OSError, TypeError):
            digest.update(module.__name__.encode())
    return digest.hexdigest()[:16]


def _summary_to_json(summary: ModuleSummary) -> dict:
    # By hand rather than dataclasses.asdict, whose deep copies dominated the
    # cost of caching a large module.
    return _plain(summary)  # type: ignore[return-value]


#: Types ``_plain`` returns as they are; checked first, since most items are these.
_SCALARS = frozenset({str, int, bool, float, type(None)})


def _summary_text(summary: ModuleSummary) -> str:
    """``json.dumps(_summary_to_json(summary))``, compact, without building that copy first.

    The C encoder walks the summary's lists, dicts and tuples itself and asks ``_json_part``
    only for the dataclasses and sets in it: the same text in about half the time. (dumps,
    not dump: json.dump encodes in pure Python, dumps in C.) A summary is a tree, never a
    cycle: the encoder's check for cycles only cost time (tf-models-official: 0.42 -> 0.36 s).
    """
    return json.dumps(summary, default=_json_part, separators=(",", ":"), check_circular=False)


def _json_part(item: object) -> object:
    """What ``_plain`` makes of a dataclass or a set, one level deep (the encoder does the rest)."""
    kind = type(item)
    if kind is frozenset or kind is set:  # two in three parts (checked first: is_dataclass is slow)
        return _json_value(item)
    if is_dataclass(item):
        return {name: getattr(item, name) for name in item.__dataclass_fields__}
    if isinstance(item, (frozenset, set)):
        return _json_value(item)
    raise TypeError(f"cannot cache a {kind.__name__}")


def _json_value(atoms: Union[frozenset, set]) -> list:
    """``values.to_json`` of a value, as the encoder writes it: the same atoms in the same order.

    Atoms stay tuples (which the encoder writes as lists, and it asks ``_json_part`` for the
    values nested in them); only their order needs ``to_json``, and a single atom has none
    (tf-models-official: 0.56 -> 0.42 s).
    """
    if len(atoms) <= 1:  # most values
        return list(atoms)
    if all(type(atom) is str for atom in atoms):  # to_json(atom) is atom
        return sorted(atoms, key=repr)
    return sorted(atoms, key=lambda atom: repr(v.to_json(atom)))


def _plain(item: object) -> object:
    # Exact-type checks first: this runs about a million times per large project,
    # and is_dataclass/isinstance on every item cost more than the rest of it.
    kind = type(item)
    if kind in _SCALARS:
        return item
    if kind is list:
        return [_plain(value) for value in item]
    if kind is frozenset or kind is tuple:
        return v.to_json(item)
    if is_dataclass(item):
        return {name: _plain(getattr(item, name)) for name in item.__dataclass_fields__}
    if isinstance(item, dict):
        return {key: _plain(value) for key, value in item.items()}
    if isinstance(item, list):
        return [_plain(value) for value in item]
    if isinstance(item, (frozenset, set, tuple)):
        return v.to_json(frozenset(item) if isinstance(item, set) else item)
    return item


def _varying_from_json(fact: list) -> list:
    """``["shape", ["returned", ref]]``: the reference is a tuple again, as the summarizer made it."""
    if fact[0] == "shape" and isinstance(fact[1], list) and fact[1][:1] == ["returned"]:
        return [fact[0], [fact[1][0], v.tuple_from_json(fact[1][1])]]
    return fact


def _summary_from_json(data: dict) -> ModuleSummary:
    functions = []
    for entry in data["functions"]:
        entry = dict(entry)
        entry["parameters"] = [Parameter(**p) for p in entry["parameters"]]
        entry["calls"] = [
            CallSite(
                callee=v.value_from_json(call["callee"]),
                line=call["line"],
                args=[v.value_from_json(a) for a in call["args"]],
                kwargs={k: v.value_from_json(a) for k, a in call["kwargs"].items()},
                unpacked=call["unpacked"],
                in_loop=call["in_loop"],
                method=call["method"],
                receiver=v.value_from_json(call["receiver"]),
                weight=call["weight"],
                col=call.get("col", -1),
                partial=call.get("partial", False),
                varying={key: _varying_from_json(fact) for key, fact in call.get("varying", {}).items()},
                int_arguments=call.get("int_arguments", {}),
                range_loop=call.get("range_loop"),
            )
            for call in entry["calls"]
        ]
        entry["returns"] = v.value_from_json(entry["returns"])
        entry["graph_targets"] = [[v.atom_from_json(t[0]), t[1], t[2]] for t in entry["graph_targets"]]
        entry["self_attributes"] = {k: set(v.value_from_json(a)) for k, a in entry["self_attributes"].items()}
        entry["keras_runs"] = [[v.value_from_json(r[0]), r[1], r[2]] for r in entry["keras_runs"]]
        entry["keras_eager"] = [[v.value_from_json(r[0]), r[1]] for r in entry["keras_eager"]]
        entry["maybe_eager_only"] = [[r[0], r[1], v.value_from_json(r[2])] for r in entry["maybe_eager_only"]]
        entry["raises_if"] = [[v.value_from_json(r[0]), r[1]] for r in entry.get("raises_if", ())]
        entry["replica_functions"] = [v.atom_from_json(atom) for atom in entry.get("replica_functions", ())]
        functions.append(FunctionSummary(**entry))
    classes = [
        ClassSummary(
            c["qualname"], c["line"], [v.tuple_from_json(b) for b in c["bases"]], c["methods"],
            {name: v.value_from_json(value) for name, value in c.get("fields", {}).items()}, c.get("dataclass", False),
        )
        for c in data["classes"]
    ]
    exports = {name: v.tuple_from_json(ref) for name, ref in data["exports"].items()}
    module_globals = {name: v.value_from_json(value) for name, value in data["globals"].items()}
    return ModuleSummary(
        data["module"], data["path"], functions, classes, exports, data["imports_tensorflow"], module_globals
    )
