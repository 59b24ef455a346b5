"""cli/, backends/ and hdl/ install under sc_neurocore (setup.py lists the packages from the folders): every
package folder imports under its installed name, no bare `cli`/`backends`/`hdl` name is installed, and every
core's templates and hdl modules ship with it."""

import importlib
import importlib.metadata
import importlib.resources
import runpy
import tomllib

import pytest

from tests.conftest import REPO

SETUP = runpy.run_path(str(REPO / "setup.py"))  # not as __main__: defines packages() without running setup


def test_the_package_dirs_map_the_three_folders():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"] == {v: k for k, v in SETUP["PACKAGE_FOLDERS"].items()}


@pytest.mark.parametrize("name", SETUP["packages"]())
def test_every_package_folder_imports_under_its_installed_name(name):
    assert importlib.import_module(name).__name__ == name


def test_no_bare_cli_or_backends_import_name_is_installed():
    assert all(name.split(".")[0] == "sc_neurocore" for name in SETUP["packages"]())
    top_level = importlib.metadata.distribution("sc-neurocore").read_text("top_level.txt")
    assert top_level is None or set(top_level.split()) <= {"sc_neurocore"}


def test_templates_ship_inside_their_core_packages():
    templates = sorted((REPO / "backends" / "cores").glob("*/templates/*.j2"))
    assert templates, "no core templates found"
    for template in templates:
        package = importlib.import_module(f"sc_neurocore.backends.cores.{template.parent.parent.name}")
        assert (importlib.resources.files(package) / "templates" / template.name).is_file()


def test_every_hdl_module_ships_and_is_found_by_name():
    from sc_neurocore.backends.build.templates import library_files

    modules = sorted((REPO / "hdl").glob("*/*.sv"))
    assert len({module.name for module in modules}) == len(modules), "hdl file names must be unique: builds are flat"
    found = library_files([module.name for module in modules])
    assert all(found[module.name] == module.read_text() for module in modules)
