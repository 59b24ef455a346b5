"""Safety limits, checked before any allocation or loop, and readers that honour them.

Every limit has a default that is far above what an iCE40 design or a laptop simulation needs and
can be raised with an environment variable `SC_NEUROCORE_MAX_<NAME>`. A value past a limit raises
a `LimitError` naming the option or file, the limit and how to raise it.

The readers here are the only way the library opens a YAML document or a .npy/.npz archive: they
check size, encoding, nesting and alias expansion (YAML) or each member's header (dtype, shape, bytes)
before loading, and turn any library exception into one `InputError` line naming the file.
"""

from __future__ import annotations

import math
import os
import zipfile
from pathlib import Path

import numpy as np

from .errors import InputError, LimitError
from .names import safe_text

__all__ = [
    "LIMITS", "limit", "check_count", "check_elements", "check_finite", "read_yaml", "load_arrays", "load_array",
]

LIMITS = {
    "steps": 1_000_000,          # time steps of one simulation
    "batch": 65_536,             # samples of one simulation
    "tokens": 65_536,            # tokens of one sequence
    "dim": 1 << 20,              # one dimension of a layer, embedding or array axis
    "elements": 1 << 25,         # elements of one array the toolchain allocates or loads (256 MiB of float64)
    "nesting": 64,               # depth of nested graphs in a NIR file, of YAML collections
    "nodes": 100_000,            # nodes of a NIR graph; values of a YAML document after alias expansion
    "yaml_bytes": 1 << 20,       # size of a YAML document
    "member_bytes": 1 << 28,     # uncompressed size of one .npy (or .npz member)
    "fold_choices": 4096,        # candidate folds a fit search may try
}


def limit(name: str) -> int:
    """The limit `name`: its default, or `SC_NEUROCORE_MAX_<NAME>` when set to a positive integer."""
    variable = f"SC_NEUROCORE_MAX_{name.upper()}"
    value = os.environ.get(variable)
    if value is None:
        return LIMITS[name]
    try:
        number = int(value)
    except ValueError:
        raise InputError(f"{variable}={safe_text(value)!s} is not an integer") from None
    if number <= 0:
        raise InputError(f"{variable}={number} must be positive")
    return number


def _raise_hint(name: str) -> str:
    return f"set SC_NEUROCORE_MAX_{name.upper()} to raise it"


def check_count(what: str, value, name: str, minimum: int = 1) -> int:
    """`value` as an int in [minimum, limit(name)]; InputError/LimitError naming `what` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise InputError(f"{what} must be an integer, got {safe_text(repr(value))}")
    value = int(value)
    if value < minimum:
        raise InputError(f"{what} must be at least {minimum}, got {value}")
    bound = limit(name)
    if value > bound:
        raise LimitError(f"{what} = {value} is past the limit of {bound} {name}; {_raise_hint(name)}")
    return value


def check_elements(what: str, shape) -> None:
    """Refuse to allocate an array of `shape` with more than `limit('elements')` elements."""
    count = math.prod(int(n) for n in shape)
    bound = limit("elements")
    if count > bound:
        raise LimitError(f"{what} would hold {count} values (shape {list(shape)}), past the limit of {bound} "
                         f"elements; {_raise_hint('elements')}")


def check_finite(what: str, value: float, low: float | None = None, high: float | None = None) -> float:
    """`value` as a finite float within [low, high] (where given)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number, got {safe_text(repr(value))}") from None
    if not math.isfinite(number):
        raise InputError(f"{what} must be a finite number, got {number}")
    if (low is not None and number < low) or (high is not None and number > high):
        raise InputError(f"{what} must lie in [{low if low is not None else '-inf'}, "
                         f"{high if high is not None else 'inf'}], got {number}")
    return number


# --- YAML ------------------------------------------------------------------------------------------------


def _yaml_loader():
    import yaml

    class BoundedLoader(yaml.SafeLoader):
        """SafeLoader that refuses deep nesting while composing (PyYAML composes recursively)."""

        def compose_node(self, parent, index):
            self._depth = getattr(self, "_depth", 0) + 1
            try:
                if self._depth > limit("nesting"):
                    raise LimitError(f"nested deeper than {limit('nesting')} levels; {_raise_hint('nesting')}")
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

    return BoundedLoader


def _expanded_size(node, memo: dict, bound: int) -> int:
    """Values of the composed `node` once every alias is expanded (memoised: aliases are shared nodes)."""
    import yaml

    key = id(node)
    if key in memo:
        return memo[key]
    size = 1
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            size += _expanded_size(child, memo, bound)
            if size > bound:
                break
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            size += _expanded_size(k, memo, bound) + _expanded_size(v, memo, bound)
            if size > bound:
                break
    memo[key] = size
    return size


def read_yaml(path) -> object:
    """The YAML document at `path`, checked for size, UTF-8, nesting and alias expansion before it is built."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file" if not path.exists() else f"{path}: not a regular file")
    bound = limit("yaml_bytes")
    try:
        with open(path, "rb") as stream:
            data = stream.read(bound + 1)
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None
    if len(data) > bound:
        raise LimitError(f"{path}: a YAML document larger than {bound} bytes; {_raise_hint('yaml_bytes')}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text (byte {error.start})") from None
    loader = None
    try:
        loader = _yaml_loader()(text)
        node = loader.get_single_node()
        if node is None:
            return None
        nodes = limit("nodes")
        if _expanded_size(node, {}, nodes) > nodes:
            raise LimitError(f"{path}: expands to more than {nodes} values (YAML aliases); {_raise_hint('nodes')}")
        return loader.construct_document(node)
    except LimitError as error:
        message = str(error)
        raise LimitError(message if message.startswith(str(path)) else f"{path}: {message}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or type(error).__name__
        raise InputError(f"{path}: not valid YAML{where}: {safe_text(problem)}") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as error:
        raise InputError(f"{path}: not valid YAML: {safe_text(error)}") from None
    finally:
        if loader is not None:
            loader.dispose()


# --- .npy / .npz ---------------------------------------------------------------------------------------------

_NUMERIC = "biuf"  # bool, signed, unsigned, float: no complex, object, string or void arrays


def _read_member(stream, what: str, size: int | None, kinds: str) -> np.ndarray:
    fmt = np.lib.format
    version = fmt.read_magic(stream)
    if version == (1, 0):
        shape, fortran, dtype = fmt.read_array_header_1_0(stream)
    elif version in ((2, 0), (3, 0)):
        shape, fortran, dtype = fmt.read_array_header_2_0(stream)
    else:
        raise InputError(f"{what}: unsupported .npy format version {version}")
    if dtype.kind not in kinds or dtype.hasobject:
        raise InputError(f"{what}: holds {dtype} values; numeric arrays only")
    dims = limit("dim")
    if any(n > dims for n in shape) and math.prod(shape) != 0:
        raise LimitError(f"{what}: an axis of shape {list(shape)} is past the limit of {dims}; {_raise_hint('dim')}")
    check_elements(what, shape)
    declared = math.prod(shape) * dtype.itemsize
    if declared > limit("member_bytes"):
        raise LimitError(f"{what}: {declared} bytes past the limit of {limit('member_bytes')}; "
                         f"{_raise_hint('member_bytes')}")
    if size is not None and declared > size:
        raise InputError(f"{what}: truncated (its header promises {declared} bytes, it holds {size})")
    data = stream.read(declared)
    if len(data) != declared:
        raise InputError(f"{what}: truncated (its header promises {declared} bytes, it holds {len(data)})")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C").copy()


def load_arrays(path, kinds: str = _NUMERIC, names: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    """The arrays of a .npz archive (or {"": array} for a .npy), each member's header checked first.

    `kinds` are the accepted dtype kinds (numpy's `dtype.kind` letters); `names` restricts which members
    are loaded (others are not read at all).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file" if not path.exists() else f"{path}: not a regular file")
    try:
        with open(path, "rb") as stream:
            magic = stream.read(6)
            if magic == b"\x93NUMPY":
                stream.seek(0)
                return {"": _read_member(stream, str(path), os.fstat(stream.fileno()).st_size, kinds)}
        if not zipfile.is_zipfile(path):
            raise InputError(f"{path}: not a NumPy .npy or .npz file")
        arrays = {}
        with zipfile.ZipFile(path) as archive:
            members = [info for info in archive.infolist() if info.filename.endswith(".npy")]
            if len(members) > limit("nodes"):
                raise LimitError(f"{path}: holds {len(members)} arrays; {_raise_hint('nodes')}")
            for info in members:
                name = info.filename[:-4]
                if names is not None and name not in names:
                    continue
                what = f"{path}: array {safe_text(name)!r}"
                if info.file_size > limit("member_bytes"):
                    raise LimitError(f"{what} unpacks to {info.file_size} bytes, past the limit of "
                                     f"{limit('member_bytes')}; {_raise_hint('member_bytes')}")
                with archive.open(info) as member:
                    arrays[name] = _read_member(member, what, info.file_size, kinds)
        return arrays
    except InputError:
        raise
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, KeyError,
            NotImplementedError) as error:
        raise InputError(f"{path}: damaged NumPy file ({type(error).__name__}: {safe_text(error)})") from None
    except Exception as error:  # zlib.error and friends: still one line naming the file
        raise InputError(f"{path}: damaged NumPy file ({type(error).__name__})") from None


def load_array(path, name: str = "input", kinds: str = _NUMERIC) -> np.ndarray:
    """One array: a .npy file's, or the .npz member `name` (or its only member)."""
    arrays = load_arrays(path, kinds)
    if "" in arrays:
        return arrays[""]
    if name in arrays:
        return arrays[name]
    if len(arrays) == 1:
        return next(iter(arrays.values()))
    held = ", ".join(safe_text(n) for n in sorted(arrays)) or "no arrays"
    raise InputError(f"{path}: holds {held}; name the array {name!r}")
