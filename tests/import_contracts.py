"""An import-linter contract for the imports grimp cannot see (registered in pyproject's [tool.importlinter]).

``sc_neurocore.backends`` and ``sc_neurocore.cli`` are installed from their own folders (setuptools
``package-dir``). grimp builds its graph by walking ``sc_neurocore/`` only, so it silently drops every
import of them and a ``forbidden`` contract on them always passes. This contract reads the sources of
the graph's modules itself and fails on any import, at module or function level, of a forbidden package.
"""

import ast
import importlib.util
from pathlib import Path

from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck

__all__ = ["NeverImportsContract"]


def _source(module: str, root: str) -> Path:
    """The file of `module`, a module or package inside the package `root`."""
    base = Path(importlib.util.find_spec(root).submodule_search_locations[0])
    path = base.joinpath(*module.split(".")[1:])
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _imported(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Every absolute module name `module` imports (relative imports resolved)."""
    names = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            if node.module:
                names.add(".".join([*base, node.module]))
            else:  # from . import name: name is a module of that package
                names.update(".".join([*base, alias.name]) for alias in node.names)
    return names


class NeverImportsContract(Contract):
    """Modules of ``source_package`` never import ``forbidden_packages`` (or anything inside them).

    ``ignore_imports`` lists allowed exceptions as ``importer -> imported`` (the imported name may be a
    package of the forbidden modules it imports)."""

    type_name = "never_imports"

    source_package = fields.StringField()
    forbidden_packages = fields.ListField(subfield=fields.StringField())
    ignore_imports = fields.ListField(subfield=fields.StringField(), required=False, default=[])

    def check(self, graph, verbose: bool) -> ContractCheck:
        allowed = {tuple(part.strip() for part in entry.split("->")) for entry in self.ignore_imports}
        root = str(self.source_package)
        violations, used = [], set()
        for module in sorted(m for m in graph.modules if m == root or m.startswith(root + ".")):
            path = _source(module, root)
            for name in sorted(_imported(ast.parse(path.read_text()), module, path.name == "__init__.py")):
                if not any((name + ".").startswith(package + ".") for package in self.forbidden_packages):
                    continue
                exception = next((a for a in allowed if a[0] == module and (name + ".").startswith(a[1] + ".")), None)
                if exception is None:
                    violations.append((module, name))
                else:
                    used.add(exception)
        warnings = [f"ignore_imports entry {' -> '.join(entry)} matches no import: remove it"
                    for entry in sorted(allowed - used)]
        return ContractCheck(kept=not violations and not warnings, warnings=warnings,
                             metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for module, name in check.metadata["violations"]:
            output.print_error(f"{module} imports {name}")
            output.new_line()
        for warning in check.warnings:
            output.print_error(warning)
            output.new_line()
