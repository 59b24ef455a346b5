"""One Jinja environment for every core's templates, the hand-written `hdl/` library, and memory-image words.

A core's templates live in `backends/cores/<folder>/templates/`; they run with StrictUndefined, so a
missing context entry is an error, never an empty string.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import jinja2

from sc_neurocore.names import jinja_finalize

__all__ = ["render_template", "render_shared_template", "library_files", "hex_word", "memory_image"]


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        # a core's templates by "<folder>/templates/<name>"; the ones written once for every core (the
        # host stream port) by "templates/<name>", from backends/build/templates/
        loader=jinja2.ChoiceLoader([jinja2.PackageLoader("sc_neurocore.backends", "cores"),
                                    jinja2.PackageLoader("sc_neurocore.backends", "build")]),
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
        finalize=jinja_finalize,  # names from files are data: every interpolated string made inert
    )


def render_template(core_folder: str, template: str, context: dict) -> str:
    """Render `cores/<core_folder>/templates/<template>` with `context`."""
    return _environment().get_template(f"{core_folder}/templates/{template}").render(**context)


def render_shared_template(template: str, context: dict) -> str:
    """Render `backends/build/templates/<template>`, a template written once for every core."""
    return _environment().get_template(f"templates/{template}").render(**context)


@cache
def _library() -> dict:
    """Every hand-written module of `hdl/` (grouped in folders by core) by its file name."""
    modules = {}
    for group in resources.files("sc_neurocore.hdl").iterdir():
        if group.is_dir():
            modules.update({module.name: module for module in group.iterdir() if module.name.endswith(".sv")})
    return modules


def library_files(names) -> dict[str, str]:
    """The hand-written `hdl/` modules `names`, by file name, as they are copied into a build (flat)."""
    library = _library()
    return {name: library[name].read_text() for name in names}


def hex_word(value: int, bits: int) -> str:
    """`value` as a two's-complement word of `bits` bits in hex digits, as $readmemh reads it."""
    return f"{int(value) & ((1 << bits) - 1):0{(bits + 3) // 4}x}"


def memory_image(words, bits: int) -> str:
    """One hex word a line: a $readmemh image."""
    return "".join(hex_word(word, bits) + "\n" for word in words)
