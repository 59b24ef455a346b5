"""Names from files are data: a NIR node name built to inject SystemVerilog (a newline and a `define,
a closing comment, a quote, a backtick, terminal escapes, rich markup) changes nothing in the design.

Each hostile model is compiled beside the same model with a plain name; the generated SystemVerilog
and memory images may differ only in `//` comment lines, which hold no backtick and stay one line.
"""

from __future__ import annotations

from pathlib import Path

import nir
import numpy as np
import pytest

from sc_neurocore.cli.app import main
from sc_neurocore.export import write_nir
from sc_neurocore.ir import Graph
from sc_neurocore.ir.nodes import Input, Output
from sc_neurocore.names import identifier, safe_text, terminal_text
from sc_neurocore.transformers import SpikeDrivenAttention
from sc_neurocore.transformers.spikformer import spike_driven_attention_op

from .corpus import HOSTILE_NAMES

NAMES = [name for name in HOSTILE_NAMES if "/" not in name]  # HDF5 reads "/" as a path: refused on reading


def _network(path: Path, name: str) -> Path:
    n_in, n = 4, 3
    nodes = {
        "input": nir.Input(np.array([n_in])),
        "fc": nir.Affine(weight=np.linspace(-1, 1, n * n_in).reshape(n, n_in), bias=np.zeros(n)),
        name: nir.LIF(tau=np.full(n, 2e-2), r=np.ones(n), v_leak=np.zeros(n), v_threshold=np.ones(n),
                      v_reset=np.zeros(n)),
        "output": nir.Output(np.array([n])),
    }
    nir.write(path, nir.NIRGraph(nodes=nodes, edges=[("input", "fc"), ("fc", name), (name, "output")],
                                 type_check=False))
    return path


def _attention(path: Path, name: str) -> Path:
    block = spike_driven_attention_op(SpikeDrivenAttention(16, 2, 4, 0.25, 2))
    graph = Graph({"input": Input((16,)), name: block, "output": Output((16,))},
                  [("input", name), (name, "output")]).validate()
    return write_nir(graph, path)


def _compiled(tmp_path: Path, capsys, model: Path, tag: str, *options) -> dict[str, str]:
    out = tmp_path / f"build-{tag}"
    assert main(["compile", str(model), "-o", str(out), *options]) == 0
    _, err = capsys.readouterr()
    assert err == ""
    return {str(p.relative_to(out)): p.read_text(errors="replace") for p in out.rglob("*")
            if p.is_file() and p.suffix != ".json"}


def _only_comments_differ(plain: dict[str, str], hostile: dict[str, str]) -> None:
    assert plain.keys() == hostile.keys()
    for name in plain:
        a, b = plain[name].splitlines(), hostile[name].splitlines()
        assert len(a) == len(b), f"{name}: the hostile name added or removed lines"
        for line_a, line_b in zip(a, b):
            if line_a != line_b:
                assert line_b.lstrip().startswith("//") and line_a.lstrip().startswith("//"), (name, line_b)
                assert "`" not in line_b and "\x1b" not in line_b, (name, line_b)


@pytest.mark.parametrize("index", range(len(NAMES)))
@pytest.mark.parametrize("arith", ["fixed", "sc"])
def test_a_hostile_node_name_reaches_the_design_only_as_an_inert_comment(tmp_path, capsys, index, arith):
    plain = _compiled(tmp_path, capsys, _network(tmp_path / "plain.nir", "lif"), "plain", "--arith", arith)
    hostile = _compiled(tmp_path, capsys, _network(tmp_path / "hostile.nir", NAMES[index]), "hostile",
                        "--arith", arith)
    _only_comments_differ(plain, hostile)


@pytest.mark.parametrize("index", range(len(NAMES)))
def test_a_hostile_block_op_name_changes_nothing_in_its_design(tmp_path, capsys, index):
    plain = _compiled(tmp_path, capsys, _attention(tmp_path / "plain.nir", "op"), "plain")
    hostile = _compiled(tmp_path, capsys, _attention(tmp_path / "hostile.nir", NAMES[index]), "hostile")
    _only_comments_differ(plain, hostile)


@pytest.mark.parametrize("name", NAMES)
def test_the_one_sanitiser_makes_names_inert(name):
    text = safe_text(name)
    assert text.isascii() and text.isprintable() and not set(text) & set('`"\\\n\r')
    assert identifier(name).isidentifier() and identifier(name).isascii()
    shown = terminal_text(name)
    assert "\n" not in shown and "\x1b" not in shown


@pytest.mark.eda
def test_a_define_injecting_name_leaves_the_synthesised_netlist_unchanged(tmp_path, capsys):
    """yosys on the design compiled from a name holding a newline and a `define: the same cells as the
    design from a plain name (no extra cells, wires or defines reach the netlist)."""
    from sc_neurocore.backends.flow.synth import synthesise
    from sc_neurocore.backends.cores.network.design import SOURCES, TOP

    cells = {}
    for tag, name in (("plain", "lif"), ("hostile", NAMES[0])):
        model = _network(tmp_path / f"{tag}.nir", name)
        out = tmp_path / f"build-{tag}"
        assert main(["compile", str(model), "-o", str(out)]) == 0
        cells[tag] = synthesise(out, TOP, list(SOURCES), timeout_s=600)
    capsys.readouterr()
    assert cells["hostile"] == cells["plain"] and cells["plain"]
