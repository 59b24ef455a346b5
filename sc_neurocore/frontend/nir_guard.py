"""Checks of a NIR (HDF5) file before `nir.read` builds anything from it.

`nir.read` recurses into nested graphs and reads every dataset whole; a hostile file can nest
thousands of levels deep, declare gigantic (compressed) datasets or hold complex, object or
damaged data. `check_nir_file` walks the HDF5 tree without recursion and without reading data,
and refuses such files with one `InputError` line naming the file and the problem.
"""

from __future__ import annotations

from pathlib import Path

from sc_neurocore.errors import InputError, LimitError
from sc_neurocore.limits import limit
from sc_neurocore.names import safe_text

__all__ = ["check_nir_file", "nir_version"]

_ALLOWED_KINDS = "biufcSUO"  # numbers (complex: an SSM op's A), strings (variable-length ones read as objects)


def check_nir_file(path: Path) -> None:
    """Nesting depth, object count and dataset sizes and types of a NIR file, from its headers only."""
    import h5py

    depth_limit, object_limit, elements = limit("nesting"), limit("nodes"), limit("elements")
    try:
        with h5py.File(path, "r") as handle:
            if "node" not in handle:
                raise InputError(f"{path}: not a NIR file (no 'node' group)")
            stack = [(handle["node"], 0)]
            seen = 0
            while stack:
                group, depth = stack.pop()
                if depth > depth_limit:
                    raise LimitError(f"{path}: graphs nested deeper than {depth_limit} levels; "
                                     "set SC_NEUROCORE_MAX_NESTING to raise it")
                for name in group:
                    seen += 1
                    if seen > object_limit:
                        raise LimitError(f"{path}: more than {object_limit} HDF5 objects; "
                                         "set SC_NEUROCORE_MAX_NODES to raise it")
                    item = group.get(name, getlink=False)
                    if isinstance(item, h5py.Group):
                        stack.append((item, depth + (name == "nodes")))
                    elif isinstance(item, h5py.Dataset):
                        _check_dataset(path, item, elements)
    except InputError:
        raise
    except Exception as error:  # h5py raises OSError, RuntimeError, KeyError, ValueError on damaged files
        raise InputError(f"{path}: not a readable NIR file (damaged HDF5: {type(error).__name__}: "
                         f"{safe_text(error, 120)})") from None


def _check_dataset(path: Path, dataset, elements: int) -> None:
    where = safe_text(dataset.name)
    if dataset.dtype.kind not in _ALLOWED_KINDS:
        kind = "complex" if dataset.dtype.kind == "c" else str(dataset.dtype)
        raise InputError(f"{path}: dataset {where} holds {kind} values; NIR parameters are numbers")
    size = dataset.size if dataset.shape is not None else 0
    if size > elements:
        raise LimitError(f"{path}: dataset {where} declares {size} values, past the limit of {elements}; "
                         "set SC_NEUROCORE_MAX_ELEMENTS to raise it")


def nir_version(path: Path, handle) -> str | None:
    """The file's `version` string, or None when it has none; InputError when it is not a string."""
    if "version" not in handle:
        return None
    value = handle["version"]
    if not hasattr(value, "dtype") or value.shape not in ((), None) or value.dtype.kind not in "SUO":
        raise InputError(f"{path}: its 'version' entry is not a string")
    raw = value[()]
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw)
    return text
