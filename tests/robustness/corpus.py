"""Generates the malformed-input corpus (seeded): hostile files and option values for every command.

`generate(root)` writes the files under `root` and returns the cases. Each case is a command line
for `sc_neurocore.cli.app.main` and what must happen: `ERROR` (exit 1 or 2 with one clean line on
stderr) or `VALID` (accepted on purpose, exit 0: the list of valid-on-purpose cases is exactly the
cases generated with `VALID`). Bit flips in an HDF5 or zip file (no checksum over the data) may land
in unused bytes or a weight's low bits and leave a valid model: those cases are `EITHER` (exit 0, or
one clean error line). Run as a script to print a summary: `python -m tests.robustness.corpus DIR`.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SEED = 13
ERROR, VALID, EITHER = "error", "valid", "either"
REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "demo_lif.nir"


@dataclass(frozen=True)
class Case:
    name: str
    argv: tuple[str, ...]
    expect: str = ERROR
    env: dict = field(default_factory=dict)  # environment entries set for this case only


class Corpus:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.cases: list[Case] = []
        self.rng = np.random.default_rng(SEED)

    def file(self, name: str) -> Path:
        path = self.root / "in" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def out(self, name: str) -> Path:
        return self.root / "out" / name

    def add(self, name: str, *argv, expect: str = ERROR, env: dict | None = None) -> None:
        self.cases.append(Case(name, tuple(str(a) for a in argv), expect, env or {}))


# --- NIR -------------------------------------------------------------------------------------------------------


def _nir_graph(names=("input", "fc", "lif", "output"), n_in=4, n=3, edges=None, weight=None):
    import nir

    i, fc, lif, o = names
    weight = np.linspace(-1, 1, n * n_in).reshape(n, n_in) if weight is None else weight
    nodes = {
        i: nir.Input(np.array([n_in])),
        fc: nir.Affine(weight=weight, bias=np.zeros(n)),
        lif: nir.LIF(tau=np.full(n, 2e-2), r=np.ones(n), v_leak=np.zeros(n), v_threshold=np.ones(n),
                     v_reset=np.zeros(n)),
        o: nir.Output(np.array([n])),
    }
    edges = [(i, fc), (fc, lif), (lif, o)] if edges is None else edges
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)


def _write_nir(path: Path, graph) -> Path:
    import nir

    nir.write(path, graph)
    return path


def _replace_dataset(path: Path, name: str, value) -> None:
    import h5py

    with h5py.File(path, "r+") as handle:
        del handle[name]
        handle[name] = value


def _datasets(path: Path) -> list[str]:
    import h5py

    found = []
    with h5py.File(path, "r") as handle:
        handle.visititems(lambda n, o: found.append(n) if isinstance(o, h5py.Dataset) else None)
    return sorted(found)


def _nested_nir(path: Path, depth: int) -> None:
    """A chain of `depth` nested NIRGraphs written straight with h5py (nir.write would recurse)."""
    import h5py

    with h5py.File(path, "w") as handle:
        handle["version"] = "1.0.8"
        group = handle.create_group("node")
        for level in range(depth):
            group["type"] = "NIRGraph"
            group["edges"] = np.array([["input", "inner"], ["inner", "output"]], dtype=object).astype("S")
            nodes = group.create_group("nodes")
            for end in ("input", "output"):
                nodes.create_group(end)
                nodes[end]["type"] = end.capitalize()
                nodes[end]["shape"] = np.array([2])
            group = nodes.create_group("inner")
        group["type"] = "Scale"
        group["scale"] = np.ones(2)


def nir_cases(c: Corpus) -> None:
    base = _write_nir(c.file("base.nir"), _nir_graph())
    c.add("nir-valid-base", "simulate", base, "--steps", "5", expect=VALID)
    data = base.read_bytes()

    # damaged HDF5: empty, garbage, text, truncations and bit flips at seeded offsets
    c.file("empty.nir").write_bytes(b"")
    c.add("nir-empty", "simulate", c.file("empty.nir"))
    c.file("garbage.nir").write_bytes(c.rng.bytes(4096))
    c.add("nir-garbage", "simulate", c.file("garbage.nir"))
    c.file("text.nir").write_text("this is not a NIR file\n")
    c.add("nir-text", "simulate", c.file("text.nir"))
    for k, cut in enumerate(sorted(set(int(x) for x in c.rng.integers(8, len(data) - 1, 12)))):
        c.file(f"trunc{k}.nir").write_bytes(data[:cut])
        c.add(f"nir-truncated-{cut}", "simulate", c.file(f"trunc{k}.nir"), "--steps", "5")
    for k in range(24):
        flipped = bytearray(data)
        for offset in c.rng.integers(0, len(data), 1 + k % 4):
            flipped[int(offset)] ^= 1 << int(c.rng.integers(0, 8))
        c.file(f"flip{k}.nir").write_bytes(bytes(flipped))
        # a flip in padding or in a weight's low bits leaves a valid model: either ending is clean
        c.add(f"nir-bitflip-{k}", "simulate", c.file(f"flip{k}.nir"), "--steps", "5", expect=EITHER)

    # every dataset of the base file replaced by a hostile value
    hostile = {
        "nan": lambda shape: np.full(shape, np.nan), "inf": lambda shape: np.full(shape, np.inf),
        "string": lambda shape: "x" * 20, "complex": lambda shape: np.full(shape, 1 + 2j),
        "bigshape": lambda shape: np.zeros((2, 3, 5, 7)), "int": lambda shape: np.int64(7),
    }
    for name in _datasets(base):
        shape = _shape_of(base, name)
        for label, make in hostile.items():
            path = c.file(f"ds_{name.replace('/', '_')}_{label}.nir")
            shutil.copyfile(base, path)
            _replace_dataset(path, name, make(shape))
            valid = _hostile_value_is_valid(name, label)
            c.add(f"nir-{name}-{label}", "simulate", path, "--steps", "5", expect=VALID if valid else ERROR)

    # structure: missing pieces, nesting, duplicated edges, dangling edges, complex weights
    for missing in ("node", "version", "node/edges", "node/nodes", "node/type", "node/nodes/fc/type"):
        path = c.file(f"missing_{missing.replace('/', '_')}.nir")
        shutil.copyfile(base, path)
        import h5py

        with h5py.File(path, "r+") as handle:
            del handle[missing]
        c.add(f"nir-missing-{missing}", "simulate", path, "--steps", "5", expect=VALID if missing == "version" else ERROR)
    for label, value in (("int", np.int64(1)), ("array", np.array([1.0, 2.0])), ("future", "9.0.0"),
                         ("empty", ""), ("binary", np.void(b"\xff\xfe"))):
        path = c.file(f"version_{label}.nir")
        shutil.copyfile(base, path)
        _replace_dataset(path, "version", value)
        c.add(f"nir-version-entry-{label}", "simulate", path, "--steps", "5", expect=VALID if label == "empty" else ERROR)
    for depth in (2, 40, 100, 300, 1200):
        path = c.file(f"nested{depth}.nir")
        _nested_nir(path, depth)
        c.add(f"nir-nested-{depth}", "simulate", path, "--steps", "5", expect=VALID if depth <= 40 else ERROR)
    graph = _nir_graph(edges=[("input", "fc"), ("input", "fc"), ("fc", "lif"), ("lif", "output")])
    c.add("nir-duplicate-edge", "simulate", _write_nir(c.file("dup_edge.nir"), graph), "--steps", "5")
    graph = _nir_graph(edges=[("input", "fc"), ("fc", "lif"), ("lif", "output"), ("lif", "ghost")])
    c.add("nir-dangling-edge", "simulate", _write_nir(c.file("dangling.nir"), graph), "--steps", "5")
    graph = _nir_graph(edges=[])
    c.add("nir-no-edges", "simulate", _write_nir(c.file("no_edges.nir"), graph), "--steps", "5")
    graph = _nir_graph(weight=np.ones((3, 4)) * (1 + 1j))
    c.add("nir-complex-weights", "simulate", _write_nir(c.file("complex.nir"), graph), "--steps", "5")
    graph = _nir_graph(edges=[("input", "fc"), ("fc", "lif"), ("lif", "fc"), ("lif", "output")])
    c.add("nir-cycle-wrong-width", "simulate", _write_nir(c.file("cycle.nir"), graph), "--steps", "5")
    graph = _nir_graph(n_in=3, edges=[("input", "fc"), ("fc", "lif"), ("lif", "fc"), ("lif", "output")])
    c.add("nir-cycle", "simulate", _write_nir(c.file("cycle_ok.nir"), graph), "--steps", "5", expect=VALID)

    # hostile node names: accepted (names are data), and harmless on the terminal and in the design
    for k, name in enumerate(HOSTILE_NAMES):
        graph = _nir_graph(names=("input", "fc", name, "output"))
        path = _write_nir(c.file(f"name{k}.nir"), graph)
        # HDF5 reads a "/" in a name as a path: such a file is malformed, refused cleanly
        expect = ERROR if "/" in name else VALID
        c.add(f"nir-hostile-name-{k}-simulate", "simulate", path, "--steps", "5", expect=expect)
        c.add(f"nir-hostile-name-{k}-compile", "compile", path, "-o", c.out(f"name{k}"), expect=expect)

    # not files at all
    c.add("nir-directory", "simulate", c.file("adir.nir").parent)
    os.makedirs(c.file("dir.nir"), exist_ok=True)
    c.add("nir-directory-suffix", "simulate", c.file("dir.nir"))
    c.add("nir-dev-zero", "simulate", "/dev/zero")
    c.add("nir-dev-null", "simulate", "/dev/null")
    fifo = c.file("fifo.nir")
    if not fifo.exists():
        os.mkfifo(fifo)
    c.add("nir-fifo", "simulate", fifo)
    c.add("nir-missing-file", "simulate", c.file("does-not-exist.nir"))
    # hostile file names: shown literally on the terminal, never as markup or escapes
    for k, name in enumerate(("[bold]m[/bold].nir", "[link=x]m.nir", "m\x1b[31m.nir", "m\nerror: fake.nir")):
        path = c.file(name)
        shutil.copyfile(base, path)
        c.add(f"nir-hostile-file-name-{k}", "simulate", path, "--steps", "5", expect=VALID)
        c.add(f"nir-hostile-file-name-{k}-compile", "compile", path, "-o", c.out(f"fname{k}"), expect=VALID)


HOSTILE_NAMES = [
    "lif\n`define EVIL 1\nwire injected;",
    "lif */ wire injected; /*",
    'lif" ); wire injected; ("',
    "[bold red]lif[/]",
    "lif\x1b[2J\x1b[31m",
    "`include \"/etc/passwd\"",
    "l" * 5000,
    "lif\\\nwire x;",
    "ünïcødé-lif",
    "lif\r\nmodule evil; endmodule",
]


def _shape_of(path: Path, name: str):
    import h5py

    with h5py.File(path, "r") as handle:
        return handle[name].shape or ()


def _hostile_value_is_valid(name: str, label: str) -> bool:
    """Which replaced datasets still make a usable model (listed on purpose)."""
    leaf = name.rsplit("/", 1)[-1]
    if label == "int" and leaf == "bias":
        return True  # a scalar bias broadcasts over the layer (nir checks neuron parameters share one shape)
    if label == "int" and leaf == "shape":
        return False
    return False


# --- block ops ---------------------------------------------------------------------------------------------------


def block_cases(c: Corpus) -> None:
    import h5py

    from sc_neurocore.export import write_nir
    from sc_neurocore.ir import Graph
    from sc_neurocore.ir.nodes import Input, Output
    from sc_neurocore.transformers import CPGPositionalEncoding, SpikeDrivenAttention
    from sc_neurocore.transformers.cpg import cpg_encoder_op
    from sc_neurocore.transformers.spikformer import spike_driven_attention_op

    blocks = {"attention": spike_driven_attention_op(SpikeDrivenAttention(16, 2, 4, 0.25, 2)),
              "cpg": cpg_encoder_op(CPGPositionalEncoding(8, 16, coupling=0.3, seed=2))}
    for kind, block in blocks.items():
        graph = Graph({"input": Input(block.shape_in), "op": block, "output": Output(block.shape_out)},
                      [("input", "op"), ("op", "output")]).validate()
        base = write_nir(graph, c.file(f"block_{kind}.nir"), force=True)
        c.add(f"block-{kind}-valid", "simulate", base, "--steps", "2", expect=VALID)
        metadata = []
        with h5py.File(base, "r") as handle:
            handle.visititems(lambda n, o: metadata.append(n) if isinstance(o, h5py.Dataset) and "metadata" in n
                              and o.dtype.kind in "biuf" and o.size == 1 else None)
        for name in sorted(metadata):
            for label, value in (("inf", np.inf), ("zero", 0.0), ("negative", -3.0), ("nan", np.nan),
                                 ("huge", 1e300), ("string", "abc")):
                path = c.file(f"block_{kind}_{name.replace('/', '_')}_{label}.nir")
                shutil.copyfile(base, path)
                _replace_dataset(path, name, value)
                # only a zero seed of the attention op is a valid model (the CPG's stored table fixes its seed)
                valid = kind == "attention" and name.endswith("/seed") and label == "zero"
                c.add(f"block-{kind}-{name}-{label}", "simulate", path, "--steps", "2", expect=VALID if valid else ERROR)
    for label, value in (("tokens0", 0), ("tokens-huge", 10 ** 12), ("tokens-str", "x")):
        c.add(f"block-option-{label}", "compile", c.file("block_attention.nir"), "--tokens", value,
              "-o", c.out(f"blk-{label}"))
    c.add("block-rate-2", "simulate", c.file("block_attention.nir"), "--rate", "2")


# --- YAML ------------------------------------------------------------------------------------------------------


SPEC = {"block": "spike_driven_attention", "embed_dim": 16, "num_heads": 2, "tokens": 4, "T": 2, "lanes": 1}


def yaml_cases(c: Corpus) -> None:
    def spec(name: str, text: str | bytes, expect: str = ERROR) -> None:
        path = c.file(f"spec_{name}.yaml")
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        # valid specs reach tool discovery, which the corpus points at a missing yosys: exit 1, cleanly
        c.add(f"yaml-spec-{name}", "deploy", path, "-o", c.out(f"spec-{name}"), "--tools", "native",
              expect=expect, env=NO_TOOLS)

    def config(name: str, text: str | bytes) -> None:
        path = c.file(f"train_{name}.yaml")
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        c.add(f"yaml-train-{name}", "train", path)

    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9))
    bombs = {
        "billion-laughs": laughs,
        "laughs-in-key": laughs.replace("j: &j", "embed_dim: &j"),
        "deep-list": "embed_dim: " + "[" * 5000 + "]" * 5000 + "\n",
        "deep-map": "embed_dim: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
        "huge-doc": "# " + "x" * (2 << 20) + "\n",
        "non-utf8": b"embed_dim: \xff\xfe\xfd\n",
        "utf16": "embed_dim: 16\n".encode("utf-16"),
        "nul-bytes": b"embed_dim: 1\x00\x00\n",
        "binary": bytes(c.rng.integers(0, 256, 2048, dtype=np.uint8)),
        "tabs": "embed_dim:\t\t16\n\tbad: [\n",
        "empty": "",
        "scalar": "42\n",
        "list": "- 1\n- 2\n",
        "two-docs": "embed_dim: 16\n---\nembed_dim: 32\n",
        "python-tag": "embed_dim: !!python/object/apply:os.system ['echo pwned']\n",
        "binary-tag": "embed_dim: !!binary aGVsbG8=\n",
        "unknown-key": "embed_dim: 16\nbogus: 1\n",
        "non-string-key": "{[1, 2]: 3}\n",
    }
    for name, text in bombs.items():
        spec(name, text)
        if name not in ("empty", "two-docs"):  # an empty training config is the (valid, slow) default run
            config(name, text)
    # every numeric key of the spec at hostile values
    for key in ("embed_dim", "num_heads", "tokens", "T", "lanes", "in_bits", "weight_bits", "threshold", "seed",
                "out_threshold"):
        for label, value in (("zero", "0"), ("negative", "-1"), ("nan", ".nan"), ("inf", ".inf"),
                             ("huge", "1099511627776"), ("string", "ten"), ("null", "null"), ("list", "[1, 2]"),
                             ("bool", "true"), ("float", "2.5")):
            body = {**SPEC, key: None}
            text = "".join(f"{k}: {v}\n" for k, v in body.items() if k != key) + f"{key}: {value}\n"
            valid = (key, label) in SPEC_VALID
            spec(f"{key}-{label}", text, expect=VALID_AT_TOOLS if valid else ERROR)
    spec("base", "".join(f"{k}: {v}\n" for k, v in SPEC.items()), expect=VALID_AT_TOOLS)
    # training configurations: types and ranges of every numeric key
    for key, value in (("epochs", "0"), ("epochs", "-1"), ("epochs", "1e400"), ("epochs", "1099511627776"),
                       ("batch_size", "0"), ("batch_size", ".nan"), ("seed", "-5"), ("seed", "ten"),
                       ("optimiser", "{lr: .nan}"), ("optimiser", "{lr: .inf}"), ("optimiser", "{lr: -1}"),
                       ("optimiser", "{momentum: .nan}"), ("optimiser", "{weight_decay: .inf}"),
                       ("optimiser", "{name: rmsprop}"), ("encoding", "{steps: 0}"),
                       ("encoding", "{steps: 1099511627776}"), ("encoding", "{kind: telepathy}"),
                       ("model", "{sizes: [64, 0, 10]}"), ("model", "{sizes: [64, 1099511627776, 10]}"),
                       ("model", "{sizes: ten}"), ("model", "{tau: .inf}"), ("model", "{dt: .nan}"),
                       ("model", "{threshold: -1}"), ("model", "{type: lstm}"), ("model", "{dim: 1099511627776}"),
                       ("quantisation", "{enabled: true, weight_bits: 64}"),
                       ("quantisation", "{enabled: true, weight_bits: 0}"),
                       ("quantisation", "{enabled: true, state_bits: 1000}"),
                       ("data", "{source: /dev/zero}"), ("data", "{source: missing.npz}"),
                       ("data", "{test_fraction: 1.5}"), ("data", "{test_fraction: .nan}"),
                       ("output", "[1, 2]"), ("model", "[1, 2]")):
        config(f"{key}-{value.replace('/', '_')}", f"{key}: {value}\n")


NO_TOOLS = {"YOSYS": "/nonexistent/yosys", "NEXTPNR_ICE40": "/nonexistent/nextpnr-ice40",
            "ICEPACK": "/nonexistent/icepack"}
VALID_AT_TOOLS = "valid-at-tools"  # accepted; stops (exit 1) at the corpus's missing tools
# spec values that are valid on purpose (a seed of 0, a default output threshold, a large float threshold)
SPEC_VALID = {("seed", "zero"), ("out_threshold", "zero"), ("threshold", "float"), ("threshold", "huge")}


# --- npy / npz ---------------------------------------------------------------------------------------------------


def _npy_header(shape, descr="<f8", fortran=False) -> bytes:
    header = repr({"descr": descr, "fortran_order": fortran, "shape": tuple(shape)}).encode("latin1")
    header += b" " * (63 - (len(header) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header


def _npz(path: Path, members: dict[str, bytes], compress: bool = True) -> Path:
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def npy_cases(c: Corpus) -> None:
    model = c.file("base.nir")  # 4 inputs
    good = np.zeros((5, 4))
    np.save(c.file("good.npy"), good)
    c.add("npy-valid", "simulate", model, "--input", c.file("good.npy"), expect=VALID)

    def case(name: str, path: Path, expect: str = ERROR) -> None:
        c.add(f"npy-{name}", "simulate", model, "--input", path, expect=expect)

    raw = c.file("good.npy").read_bytes()
    for k, cut in enumerate((0, 5, 9, 40, len(raw) - 8)):
        c.file(f"trunc{k}.npy").write_bytes(raw[:cut])
        case(f"truncated-{cut}", c.file(f"trunc{k}.npy"))
    arrays = {
        "object": np.array([{"a": 1}, None], dtype=object), "strings": np.array(["a", "b"]),
        "bytes": np.array([b"a"]), "complex": np.ones((5, 4), dtype=complex), "nan": np.full((5, 4), np.nan),
        "inf": np.full((5, 4), np.inf), "3d-wrong": np.zeros((2, 2, 2, 2)), "empty": np.zeros((0, 4)),
        "scalar": np.float64(1.0), "wrong-width": np.zeros((5, 7)), "structured": np.zeros(3, dtype=[("a", "f8")]),
    }
    for name, array in arrays.items():
        np.save(c.file(f"{name}.npy"), array, allow_pickle=True)
        case(name, c.file(f"{name}.npy"))
    for name, (shape, descr) in {"huge-shape": ((10 ** 12, 4), "<f8"), "bad-descr": ((5, 4), "<q9"),
                                 "huge-axis": ((4, 1 << 40), "<f8"), "negative-shape": ((-1, 4), "<f8")}.items():
        c.file(f"{name}.npy").write_bytes(_npy_header(shape, descr) + bytes(64))
        case(name, c.file(f"{name}.npy"))
    c.file("bad-version.npy").write_bytes(b"\x93NUMPY\x09\x00" + raw[8:])
    case("bad-version", c.file("bad-version.npy"))
    c.file("bad-header.npy").write_bytes(b"\x93NUMPY\x01\x00" + struct.pack("<H", 40) + b"{'descr': __import__('os')}" + b" " * 13)
    case("bad-header", c.file("bad-header.npy"))
    # npz: bombs, lies, damage
    header = _npy_header((8192, 8192))
    with zipfile.ZipFile(c.file("bomb.npz"), "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("input.npy", "w", force_zip64=True) as member:
            member.write(header)
            chunk = bytes(1 << 20)
            for _ in range(512):
                member.write(chunk)
    case("zip-bomb", c.file("bomb.npz"))
    _npz(c.file("lying-header.npz"), {"input.npy": _npy_header((1 << 20, 1 << 20)) + bytes(1024)})
    case("lying-header", c.file("lying-header.npz"))
    _npz(c.file("short-member.npz"), {"input.npy": _npy_header((5, 4)) + bytes(16)})
    case("short-member", c.file("short-member.npz"))
    _npz(c.file("no-members.npz"), {})
    case("no-members", c.file("no-members.npz"))
    _npz(c.file("not-npy.npz"), {"input.txt": b"hello"})
    case("not-npy-member", c.file("not-npy.npz"))
    _npz(c.file("two.npz"), {"a.npy": raw, "b.npy": raw})
    case("two-unnamed", c.file("two.npz"))
    _npz(c.file("named.npz"), {"input.npy": raw, "other.npy": raw})
    case("named-input", c.file("named.npz"), expect=VALID)
    _npz(c.file("many.npz"), {f"m{i}.npy": raw for i in range(300)})
    case("many-members", c.file("many.npz"))
    zipped = c.file("named.npz").read_bytes()
    for k, cut in enumerate((10, len(zipped) // 2, len(zipped) - 10)):
        c.file(f"ztrunc{k}.npz").write_bytes(zipped[:cut])
        case(f"npz-truncated-{k}", c.file(f"ztrunc{k}.npz"))
    flipped = bytearray(zipped)
    flipped[len(zipped) // 3] ^= 0xFF
    c.file("zflip.npz").write_bytes(bytes(flipped))
    case("npz-bitflip", c.file("zflip.npz"), expect=EITHER)
    np.savez(c.file("objects.npz"), input=np.array([object()], dtype=object))
    case("npz-objects", c.file("objects.npz"))
    case("npz-is-directory", c.file("adir.nir").parent)
    case("dev-zero", Path("/dev/zero"))
    # block graphs read their input through the same checks
    case_block = c.file("block_attention.nir")
    c.add("npy-block-objects", "simulate", case_block, "--input", c.file("object.npy"))
    c.add("npy-block-bomb", "simulate", case_block, "--input", c.file("bomb.npz"))
    c.add("npy-block-nan", "simulate", case_block, "--input", c.file("nan.npy"))


# --- options -----------------------------------------------------------------------------------------------------

BAD_VALUES = {"zero": "0", "negative": "-1", "nan": "nan", "inf": "inf", "-inf": "-inf", "huge": "1e308",
              "bigint": "1000000000000", "word": "ten", "empty": ""}
# (option, value label) pairs that are valid on purpose
OPTION_VALID = {("simulate", "--seed", "zero"), ("simulate", "--rate", "zero")}


def option_cases(c: Corpus) -> None:
    model = c.file("base.nir")
    commands = {
        "simulate": (["simulate", model, "--steps", "3"], ["--steps", "--rate", "--seed", "--batch", "--dt",
                                                          "--weight-bits", "--state-bits", "--stream-length"]),
        "compile": (["compile", model], ["--dt", "--weight-bits", "--state-bits", "--stream-length", "--lanes",
                                          "--tokens", "--input-peak"]),
        "deploy": (["deploy", model, "--tools", "native"], ["--freq", "--seed", "--timeout", "--dt", "--weight-bits",
                                                            "--state-bits", "--stream-length"]),
        "report": (["report", c.file("adir.nir").parent], ["--steps", "--rate", "--seed"]),
    }
    for command, (argv, options) in commands.items():
        for option in options:
            for label, value in BAD_VALUES.items():
                if (command, option, label) in OPTION_VALID or (command == "simulate" and option == "--steps"
                                                                 and label in ()):
                    expect = VALID
                else:
                    expect = ERROR
                extra = ["-o", c.out(f"opt-{command}{option}-{label}")] if command in ("compile", "deploy") else []
                if command == "simulate" and option == "--steps":
                    argv_used = ["simulate", model]
                else:
                    argv_used = argv
                c.add(f"option-{command}{option}-{label}", *argv_used, *extra, option, value, expect=expect,
                      env=NO_TOOLS)
    # usage errors
    for name, argv in {"no-args": [], "bogus-command": ["bogus"], "unknown-option": ["simulate", model, "--bogus"],
                       "missing-argument": ["simulate"], "extra-argument": ["simulate", model, "extra"],
                       "bad-choice-mode": ["simulate", model, "--mode", "quantum"],
                       "bad-arith": ["simulate", model, "--arith", "analog"],
                       "bad-device": ["deploy", model, "--device", "xc7"], "bad-target": ["deploy", model, "--target", "asic"],
                       "bad-tools": ["deploy", model, "--tools", "magic"], "bad-preset": ["simulate", model, "--preset", "x"],
                       "bad-package": ["deploy", model, "--package", "qfn999"]}.items():
        c.add(f"usage-{name}", *argv)


# --- outputs, build directories, checkpoints, pcf ------------------------------------------------------------------


def output_cases(c: Corpus) -> None:
    model = c.file("base.nir")
    existing = c.file("existing.npz")
    existing.write_bytes(b"keep me")
    c.add("out-dev-full", "simulate", model, "--steps", "3", "--out", "/dev/full", "--force")
    c.add("out-dev-null", "simulate", model, "--steps", "3", "--out", "/dev/null", "--force")
    c.add("out-is-model", "simulate", model, "--steps", "3", "--out", model, "--force")
    c.add("out-is-input", "simulate", model, "--input", c.file("good.npy"), "--out", c.file("good.npy"), "--force")
    c.add("out-directory", "simulate", model, "--steps", "3", "--out", c.file("adir.nir").parent, "--force")
    c.add("out-exists-no-force", "simulate", model, "--steps", "3", "--out", existing)
    c.add("out-under-file", "simulate", model, "--steps", "3", "--out", existing / "x.npz")
    c.add("out-proc", "simulate", model, "--steps", "3", "--out", "/proc/version/x.npz")
    c.add("out-fresh", "simulate", model, "--steps", "3", "--out", c.out("fresh/deep/sim.npz"), expect=VALID)
    c.add("compile-out-is-file", "compile", model, "-o", existing)
    c.add("compile-out-dev-null", "compile", model, "-o", "/dev/null", "--force")
    foreign = c.out("foreign")
    foreign.mkdir(parents=True, exist_ok=True)
    (foreign / "thesis.tex").write_text("precious")
    c.add("compile-out-foreign-dir", "compile", model, "-o", foreign, "--force")
    c.add("compile-emit-nir-is-model", "compile", model, "-o", c.out("emit1"), "--emit-nir", model, "--force")
    c.add("compile-emit-nir-dev-full", "compile", model, "-o", c.out("emit2"), "--emit-nir", "/dev/full", "--force")
    c.add("report-html-dir", "report", c.out("foreign"), "--html", c.file("adir.nir").parent, "--force")
    c.add("report-html-is-model", "report", c.out("foreign"), "--model", model, "--html", model, "--force")

    # damaged build directories for `report`
    for name, text in {"not-json": "{", "list": "[1, 2]", "nested": "[" * 100000 + "]" * 100000,
                       "null": "null", "wrong-types": json.dumps({"top": 3, "device": None, "resources": "x"}),
                       "empty-object": "{}", "binary": "\udcff", "huge-numbers": '{"top": "t", "fmax": 1e999}'}.items():
        build = c.out(f"build-{name}")
        build.mkdir(parents=True, exist_ok=True)
        (build / "build_report.json").write_bytes(text.encode("utf-8", errors="surrogateescape"))
        (build / "manifest.json").write_text("{}")
        c.add(f"report-build-{name}", "report", build)
    c.add("report-missing-dir", "report", c.out("no-such-build"))
    c.add("report-file-as-dir", "report", existing)

    # pcf files (checked before any tool runs)
    for name, text in {"garbage": "this is not a pcf\n", "binary": "\udcff\udcfe", "shell": "set_io x 1; rm -rf /\n",
                       "missing-pin": "set_io led\n", "huge": "# " + "x" * (2 << 20)}.items():
        pcf = c.file(f"{name}.pcf")
        pcf.write_bytes(text.encode("utf-8", errors="surrogateescape"))
        c.add(f"pcf-{name}", "deploy", model, "--pcf", pcf, "-o", c.out(f"pcf-{name}"), env=NO_TOOLS)
    c.add("pcf-directory", "deploy", model, "--pcf", c.file("adir.nir").parent, "-o", c.out("pcf-dir"), env=NO_TOOLS)

    # --resume with damaged checkpoints
    run_dir = c.out("train-run")
    run_dir.mkdir(parents=True, exist_ok=True)
    config = c.file("resume.yaml")
    config.write_text(f"model: {{sizes: [64, 8, 10]}}\nepochs: 1\noutput: {run_dir}\n")
    meta = {"history": [], "phase": "float", "rng": np.random.default_rng(0).bit_generator.state}
    checkpoints = {
        "missing": None, "garbage": b"garbage", "empty-zip": _zip_bytes({}),
        "no-meta": _npz_bytes({"param/x": np.zeros(3)}),
        "meta-not-json": _npz_bytes({"meta": np.array("{not json")}),
        "meta-list": _npz_bytes({"meta": np.array("[1, 2]")}),
        "meta-bad-rng": _npz_bytes({"meta": np.array(json.dumps({**meta, "rng": {"bit_generator": "Nope"}}))}),
        "meta-bad-phase": _npz_bytes({"meta": np.array(json.dumps({**meta, "phase": "warp"}))}),
        "meta-numeric": _npz_bytes({"meta": np.zeros(3)}),
        "params-wrong": _npz_bytes({"meta": np.array(json.dumps(meta)), "param/bogus": np.zeros(3)}),
        "params-nan": _npz_bytes({"meta": np.array(json.dumps(meta)), "param/fc0.weight": np.full((8, 64), np.nan)}),
        "deep-json": _npz_bytes({"meta": np.array("[" * 100000 + "]" * 100000)}),
    }
    for name, data in checkpoints.items():
        folder = c.out(f"resume-{name}")
        folder.mkdir(parents=True, exist_ok=True)
        if data is not None:
            (folder / "checkpoint.npz").write_bytes(data)
        cfg = c.file(f"resume-{name}.yaml")
        cfg.write_text(f"model: {{sizes: [64, 8, 10]}}\nepochs: 1\noutput: {folder}\n")
        c.add(f"resume-{name}", "train", cfg, "--resume")


def _npz_bytes(arrays: dict) -> bytes:
    import io

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _zip_bytes(members: dict) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def board_cases(c: Corpus) -> None:
    """deploy --board, flash and run on what a user may get wrong: boards, rates, pins, build directories."""
    model = c.file("base.nir")
    for name, options in {"unknown": ["--board", "icebreaker2"], "empty": ["--board", ""],
                          "device-conflict": ["--board", "icebreaker", "--device", "hx8k"],
                          "baud-no-board": ["--baud", "115200"], "baud-zero": ["--board", "icebreaker", "--baud", "0"],
                          "baud-undividable": ["--board", "icebreaker", "--baud", "115201"],
                          "uart-pins-bad": ["--board", "icebreaker", "--uart-pins", "6"],
                          "uart-pins-absent": ["--board", "icebreaker", "--uart-pins", "99,98"],
                          "clock-pin-absent": ["--clock-pin", "Z99", "--uart-pins", "6,9"]}.items():
        c.add(f"board-deploy-{name}", "deploy", model, "-o", c.out(f"board-{name}"), *options, env=NO_TOOLS)
    not_a_build = c.file("not-a-build")
    not_a_build.mkdir(exist_ok=True)
    garbage = c.file("garbage-build")
    garbage.mkdir(exist_ok=True)
    (garbage / "manifest.json").write_bytes(bytes(c.rng.integers(0, 256, 300, dtype=np.uint8)))
    listed = c.file("list-build")
    listed.mkdir(exist_ok=True)
    (listed / "manifest.json").write_text("[1, 2, 3]")
    no_board = c.file("no-board-build")
    no_board.mkdir(exist_ok=True)
    (no_board / "manifest.json").write_text('{"top": "sc_top", "stream": {}}')
    for name, path in {"missing": c.file("no-such-build"), "empty": not_a_build, "garbage": garbage,
                       "list": listed, "no-board": no_board, "file": model}.items():
        c.add(f"board-run-{name}", "run", path, "--simulate")
        c.add(f"board-flash-{name}", "flash", path)
    for option, values in {"--timeout": ("0", "-1", "nan", "inf"), "--retries": ("-1", "1000", "x"),
                           "--samples": ("0", "-3")}.items():
        for value in values:
            c.add(f"board-run{option}-{value}", "run", no_board, "--simulate", option, value)
    c.add("board-run-port-and-simulate", "run", no_board, "--simulate", "--port", "/dev/null")
    c.add("board-flash-bad-tool", "flash", no_board, "--tool", "avrdude")


def generate(root: Path) -> list[Case]:
    """Write every corpus file under `root` and return the cases (same seed, same corpus)."""
    corpus = Corpus(root)
    for part in (nir_cases, block_cases, yaml_cases, npy_cases, option_cases, output_cases, board_cases):
        part(corpus)
    names = [case.name for case in corpus.cases]
    duplicates = {n for n in names if names.count(n) > 1}
    assert not duplicates, f"duplicate case names: {sorted(duplicates)[:5]}"
    return corpus.cases


if __name__ == "__main__":
    cases = generate(Path(sys.argv[1] if len(sys.argv) > 1 else "corpus"))
    kinds = {}
    for case in cases:
        kinds[case.expect] = kinds.get(case.expect, 0) + 1
    print(f"{len(cases)} cases: {kinds}")
