"""The package list, read off the folders: cli/, backends/ and hdl/ install under sc_neurocore (see
pyproject.toml's package-dir), so a new package folder (a new core, say) needs no list edited by hand."""

from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent
# folder -> the import name it installs as
PACKAGE_FOLDERS = {"sc_neurocore": "sc_neurocore", "cli": "sc_neurocore.cli", "backends": "sc_neurocore.backends",
                   "hdl": "sc_neurocore.hdl"}


def packages() -> list[str]:
    """Every folder holding an __init__.py under the four package roots, by import name."""
    return sorted(
        ".".join([name, *init.parent.relative_to(ROOT / folder).parts])
        for folder, name in PACKAGE_FOLDERS.items() for init in (ROOT / folder).rglob("__init__.py")
    )


if __name__ == "__main__":
    setup(packages=packages())
