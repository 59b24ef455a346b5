"""pyproject.toml lists packages by hand (cli/, backends/, hdl/ install under sc_neurocore): keep it true."""

import tomllib

from tests.conftest import REPO

MAPPED = {"cli": "sc_neurocore.cli", "backends": "sc_neurocore.backends", "hdl": "sc_neurocore.hdl"}


def _packages_on_disk() -> set[str]:
    found = set()
    for init in (REPO / "sc_neurocore").rglob("__init__.py"):
        found.add(".".join(init.parent.relative_to(REPO).parts))
    for folder, name in MAPPED.items():
        assert (REPO / folder / "__init__.py").is_file(), f"{folder}/ needs an __init__.py"
        for init in (REPO / folder).rglob("__init__.py"):
            found.add(".".join([name, *init.parent.relative_to(REPO / folder).parts]))
    return found


def test_listed_packages_match_the_folders():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert set(config["packages"]) == _packages_on_disk()
    assert config["package-dir"] == {"sc_neurocore": "sc_neurocore", **{v: k for k, v in MAPPED.items()}}


def test_no_bare_cli_or_backends_import_name_is_installed():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert not any(name.split(".")[0] in ("cli", "backends", "hdl") for name in config["packages"])
