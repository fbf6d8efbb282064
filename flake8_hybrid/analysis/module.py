"""Everything the checks know about one module, computed lazily and once."""

from __future__ import annotations

import ast
import dataclasses
import functools
from typing import Optional, Sequence

from flake8_hybrid.analysis.api_model import ApiModel, api_model
from flake8_hybrid.analysis.names import ModuleNames, statements
from flake8_hybrid.findings import Finding, FixIntent
from flake8_hybrid.registry import Applicability, get_rule
from flake8_hybrid.settings import Settings, is_test_file
from flake8_hybrid.versions import TargetVersion, target_for


class ModuleContext:
    def __init__(self, tree: ast.Module, filename: str, lines: Sequence[str], settings: Settings) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines
        self.settings = settings
        self.api: ApiModel = api_model(settings.api_model_files)

    @functools.cached_property
    def names(self) -> ModuleNames:
        return ModuleNames(self.tree, self.api.canonical, self.api.star_exports)

    @functools.cached_property
    def target(self) -> TargetVersion:
        return target_for(self.filename, self.settings.tf_version)

    @functools.cached_property
    def is_test_file(self) -> bool:
        return is_test_file(self.filename, self.settings.test_patterns)

    @functools.cached_property
    def function_nodes(self) -> list:
        """Every function definition of the module, in ``ast.walk`` order (one walk for all rules).

        Definitions are statements: the walk goes through statements only."""
        return [node for node in statements(self.tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]

    @functools.cached_property
    def tf_function_sites(self) -> list:
        from flake8_hybrid.analysis.tf_function import find_tf_function_sites

        if not any(word in self.source for word in self.api.last_words(self.api.tf_function_name)):
            return []  # half of TensorFlow modules never name tf.function: no walk for them
        # The names only for a module that may name it somewhere: most do not.
        return find_tf_function_sites(self.tree, lambda: self.names, self.api, self.source)

    @functools.cached_property
    def project(self):  # -> analysis.project.Project (imported lazily: most files never need it)
        """The analyzed project this module belongs to (``analysis/project.py``)."""
        from flake8_hybrid.analysis.projects import project_for

        # The names only when the project is analyzed now: most files find it made.
        return project_for(
            self.filename, self.source, self.api, self.settings.cache_directory, (self.tree, lambda: self.names),
            self.settings.test_patterns,
        )

    @functools.cached_property
    def function_facts(self) -> dict:
        """The project analysis' facts of this module's functions, by the line of their ``def``."""
        return {
            facts.line: facts for facts in self.project.facts_for(self.filename) if "<lambda>" not in facts.qualname
        }

    @functools.cached_property
    def source(self) -> str:
        return "".join(self.lines)

    def tensorflow_spelling(self) -> tuple[str, str]:
        """How this module names the ``tensorflow`` module (``tf`` first), and the import a fix
        must add when it does not import it."""
        scope = self.names.module_scope
        aliases = sorted(
            (0 if name == "tf" else 1, name)
            for name, bindings in scope.bindings.items()
            if bindings[-1].imported and self.api.canonical(bindings[-1].imported) == "tensorflow"
        )
        if aliases:
            return aliases[0][1], ""
        if "tf" not in scope.bindings:
            return "tf", "import tensorflow as tf"
        return "tensorflow", "import tensorflow"

    def qualified_name(self, expr: ast.AST) -> Optional[str]:
        return self.names.qualified_name(expr)

    def finding(
        self, code: str, node: ast.AST, fix: Optional[FixIntent] = None, assumed: str = "", **args: object
    ) -> Finding:
        """A finding of ``code`` at ``node``.

        ``assumed`` names what the finding rests on that the analysis did not prove (a callee,
        decorator or type it cannot see; callers outside the project): the finding is then in the
        preview tier, its message says ``(assumed: ...)``, and its fix is never safe. A rule whose
        status is preview puts every finding there."""
        rule = get_rule(code)
        message = rule.format_message(**args)
        if assumed:
            message += f" (assumed: {assumed})"
            if fix is not None and fix.applicability is Applicability.SAFE:
                fix = dataclasses.replace(fix, applicability=Applicability.UNSAFE)
        return Finding(
            code=code,
            line=getattr(node, "lineno", 1),
            col=getattr(node, "col_offset", 0),
            message=message,
            fix=fix,
            preview=bool(assumed) or rule.status == "preview",
        )
