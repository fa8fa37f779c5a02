"""The command line sits on the library in one-way layers, read from the sources' imports:

    cli  ->  command modules (cli.COMMANDS)  ->  clicommon  ->  library  <-  plugin group

No module imports cli (only __main__, which runs it); the library and the plugin group
import no module of the command line; and no two modules import each other, even lazily.
"""

import ast
import os
from typing import Dict, List, Set

import pytest
from paths import PLUGINS, SRC

from ovirt_he_deploy import cli

PACKAGE = "ovirt_he_deploy"
ENTRY_POINT = PACKAGE + ".__main__"
CLI = PACKAGE + ".cli"
COMMON = PACKAGE + ".clicommon"
COMMAND_MODULES = frozenset("{}.{}".format(PACKAGE, module) for _name, module, _help
                            in cli.COMMANDS)
CLI_LAYER = frozenset((ENTRY_POINT, CLI, COMMON)) | COMMAND_MODULES
GROUP = "hosted-engine group"


def _module_files() -> Dict[str, str]:
    """Every module of the library (dotted name) and of the plugin group -> its file."""
    found = {}
    for top, _dirs, names in os.walk(os.path.join(SRC, PACKAGE)):
        for name in names:
            if not name.endswith(".py"):
                continue
            path = os.path.join(top, name)
            parts = os.path.relpath(path, SRC)[:-3].split(os.sep)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    group = os.path.join(PLUGINS, "ovirt-he-deploy", "hosted-engine")
    for name in os.listdir(group):
        if name.endswith(".py"):
            found["{}.{}".format(GROUP, name[:-3])] = os.path.join(group, name)
    return found


MODULES = _module_files()


def _package_of(module: str, path: str) -> str:
    return module if path.endswith("__init__.py") else module.rpartition(".")[0]


def imports_of(module: str) -> Set[str]:
    """The package's modules one module imports, at its top or inside a function."""
    path = MODULES[module]
    with open(path, encoding="utf-8") as stream:
        tree = ast.parse(stream.read(), path)
    named: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            named.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package_of(module, path)
                for _up in range(node.level - 1):
                    base = base.rpartition(".")[0]
                source = base + ("." + node.module if node.module else "")
            else:
                source = node.module or ""
            named.add(source)
            named.update("{}.{}".format(source, alias.name) for alias in node.names)
    if module == CLI:  # it imports the command modules by name, from its table
        named.update(COMMAND_MODULES)
    return {name for name in named if name in MODULES and name != module}


GRAPH = {module: imports_of(module) for module in MODULES}


def test_the_graph_is_read_from_the_sources():
    """The test bites: it sees what is known to be imported, lazily and relatively."""
    assert PACKAGE + ".clicommon" in GRAPH[PACKAGE + ".checkcmd"]
    assert PACKAGE + ".render" in GRAPH[PACKAGE + ".plan"]  # inside build()
    assert PACKAGE + ".clicommon" in GRAPH[PACKAGE + ".engine.cli"]  # from ..clicommon
    assert PACKAGE + ".envkeys" in GRAPH[GROUP + ".customization"]
    assert COMMAND_MODULES <= GRAPH[CLI]
    assert ENTRY_POINT in MODULES and CLI in GRAPH[ENTRY_POINT]


def test_no_module_imports_cli():
    importers = sorted(module for module, imported in GRAPH.items()
                       if CLI in imported and module != ENTRY_POINT)
    assert importers == [], "cli is the top: move what {} need into clicommon".format(
        importers)


@pytest.mark.parametrize("module", sorted(set(MODULES) - CLI_LAYER))
def test_the_library_and_the_group_import_no_module_of_the_command_line(module):
    assert GRAPH[module] & CLI_LAYER == set()


def test_the_shared_helpers_import_no_command():
    assert GRAPH[COMMON] & (COMMAND_MODULES | {CLI, ENTRY_POINT}) == set()


def _cycle_from(start: str) -> List[str]:
    """An import chain from start back to itself, or []."""
    stack = [(start, [start])]
    seen: Set[str] = set()
    while stack:
        module, chain = stack.pop()
        for imported in sorted(GRAPH[module]):
            if imported == start:
                return chain + [start]
            if imported not in seen:
                seen.add(imported)
                stack.append((imported, chain + [imported]))
    return []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_cycle(module):
    assert _cycle_from(module) == []


def test_a_cycle_is_found():
    GRAPH["a"], GRAPH["b"] = {"b"}, {"a"}
    try:
        assert _cycle_from("a") == ["a", "b", "a"]
    finally:
        del GRAPH["a"], GRAPH["b"]
