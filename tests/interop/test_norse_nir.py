"""Norse 1.1.0 -> its own NIR export (`norse.torch.to_nir`) -> sc-neurocore, against Norse's own simulation
of the same input, and our export back through Norse's import (`norse.torch.from_nir`).

Norse's exporter writes two things NIR's equations do not say:
- every tau as dt / tau_mem_inv, Norse's time constant times its dt (1e-3 s; upstream issue norse/norse#411).
  Read with dt = 1e-6 (Norse's dt squared), dt / tau is Norse's own decay again, so LIF nets as written
  give identical spikes there; at the preset's dt the reader refuses them (dt exceeds a time constant).
- LIFCell becomes a CubaLIF with w_in = 1, but LIFCell adds its input to the current in full (i += x)
  where NIR's CubaLIF adds dt / tau_syn * w_in * x. No reading option restores the missing tau_syn / dt,
  so `_repaired` writes the file Norse meant (tau / dt, w_in = tau_syn / dt): identical spikes.
Norse's importer follows NIR's equations (LIFCell as LIFBoxCell after a leaky synapse, current first,
v > threshold, reset to 0 in the step that fired), so our export under the norse preset reads back into
Norse with identical spikes, a recurrent CubaLIF layer included (Norse cannot export one: its exporter
writes no node for LIFRecurrentCell). Norse also writes no node for AvgPool2d or Flatten, so the conv
net is Conv2d-LIF-Conv2d-LIF, exported with an unbatched sample (the Input takes the sample's shape).
"""

import dataclasses

import numpy as np
import pytest

from tests.conftest import require_module


torch = require_module("torch")
norse = require_module("norse.torch")
require_module("nirtorch")

import nir  # noqa: E402
from norse.torch.utils.import_nir import CubaLIF as NorseCubaLIF  # noqa: E402

from sc_neurocore.errors import InputError, ModelError, UnsupportedError  # noqa: E402
from sc_neurocore.export import to_nir  # noqa: E402
from sc_neurocore.frontend import graph_from_nir  # noqa: E402
from sc_neurocore.ir import nodes as ir  # noqa: E402
from sc_neurocore.passes.lower import lower  # noqa: E402
from sc_neurocore.presets import get_preset  # noqa: E402
from sc_neurocore.sim import run_float  # noqa: E402

from tests.interop.shared import recurrent_cuba_graph  # noqa: E402

pytestmark = pytest.mark.interop
STEPS, BATCH = 100, 4
PRESET = get_preset("norse")
AS_WRITTEN_DT = PRESET.dt ** 2  # undoes the exporter's tau = dt * tau
F64 = torch.float64
CELLS = (norse.LIFBoxCell, norse.LIFCell, NorseCubaLIF)


def _lif_box(shape):
    """Per-neuron time constants (10-20 ms) when `shape` is given, Norse's scalar style when it is ()."""
    return norse.LIFBoxCell(norse.LIFBoxParameters(
        tau_mem_inv=torch.rand(shape, dtype=F64) * 50 + 50, v_th=torch.full(shape, 0.5, dtype=F64),
        v_leak=torch.zeros(shape, dtype=F64),
    ))


def _lif_cell(shape):
    return norse.LIFCell(norse.LIFParameters(
        tau_mem_inv=torch.rand(shape, dtype=F64) * 50 + 50, tau_syn_inv=torch.rand(shape, dtype=F64) * 100 + 100,
        v_th=torch.full(shape, 0.5, dtype=F64), v_leak=torch.zeros(shape, dtype=F64),
    ))


def _mlp(cell, gains=(8.0, 16.0)):
    torch.manual_seed(0)
    net = norse.SequentialState(torch.nn.Linear(12, 9), cell((9,)), torch.nn.Linear(9, 5), cell((5,))).double()
    with torch.no_grad():
        net[0].weight.mul_(gains[0])
        net[2].weight.mul_(gains[1])  # enough drive that the second layer fires too
    return net


def _conv():
    torch.manual_seed(0)
    net = norse.SequentialState(
        torch.nn.Conv2d(2, 4, 3, padding=1), _lif_box(()), torch.nn.Conv2d(4, 4, 3, stride=2), _lif_box(()),
    ).double()
    with torch.no_grad():
        net[0].weight.mul_(6.0)
        net[2].weight.mul_(16.0)
    return net


NETS = {
    "mlp-lif": (lambda: _mlp(_lif_box), (12,)),
    "mlp-cubalif": (lambda: _mlp(_lif_cell, gains=(2.0, 2.0)), (12,)),
    "conv-lif": (_conv, (2, 8, 8)),
}


def _inputs(shape, seed=1):
    return (torch.rand(STEPS, BATCH, *shape, generator=torch.Generator().manual_seed(seed)) < 0.3).double()


def _norse_run(net, inputs):
    """Spikes [T, B, n] of every Norse neuron module, by module name; `net(x, state) -> (out, state)`."""
    recorded = {}
    inner = {f"{name}.lif" for name, module in net.named_modules() if isinstance(module, NorseCubaLIF)}
    hooks = [
        module.register_forward_hook(lambda _m, _i, out, name=name: recorded.setdefault(name, []).append(out[0]))
        for name, module in net.named_modules() if isinstance(module, CELLS) and name not in inner
    ]
    state = None
    with torch.no_grad():
        for t in range(inputs.shape[0]):
            _, state = net(inputs[t], state)
    for hook in hooks:
        hook.remove()
    return {name: torch.stack(spikes).flatten(2).numpy() for name, spikes in recorded.items()}


def _ours(graph, inputs, dt):
    network = lower(graph, dt=dt, spike_condition=PRESET.spike_condition, reset_mode=PRESET.reset)
    result = run_float(network, inputs.flatten(2).numpy())
    return {pop.name: result.outputs[pop.name] for pop in network.populations}


def _exported(net, shape):
    return graph_from_nir(norse.to_nir(net, torch.zeros(shape, dtype=F64), dt=PRESET.dt))


def _repaired(graph):
    """The file Norse meant: tau in seconds, and CubaLIF's w_in = tau_syn / dt for its full-step current jump."""
    nodes = dict(graph.nodes)
    for name, node in graph.nodes.items():
        if isinstance(node, ir.CubaLIF):
            tau_syn = node.tau_syn / PRESET.dt
            nodes[name] = dataclasses.replace(
                node, tau_mem=node.tau_mem / PRESET.dt, tau_syn=tau_syn, w_in=tau_syn / PRESET.dt,
            )
        elif isinstance(node, ir.LIF):
            nodes[name] = dataclasses.replace(node, tau=node.tau / PRESET.dt)
    return dataclasses.replace(graph, nodes=nodes)


def _assert_identical(theirs: dict, ours: dict, minimum=20):
    assert set(theirs) == set(ours)
    for name in ours:
        assert theirs[name].sum() >= minimum, name
        np.testing.assert_array_equal(ours[name], theirs[name], err_msg=name)


@pytest.mark.parametrize("net_name", ["mlp-lif", "conv-lif"])
def test_lif_networks_as_written_give_identical_spikes_at_dt_squared(net_name):
    build, shape = NETS[net_name]
    net = build()
    inputs = _inputs(shape)
    graph = _exported(net, shape)
    assert isinstance(graph.nodes["1"], ir.LIF)
    _assert_identical(_norse_run(net, inputs), _ours(graph, inputs, AS_WRITTEN_DT))


def test_the_preset_dt_refuses_the_files_as_written():
    graph = _exported(NETS["mlp-lif"][0](), (12,))
    with pytest.raises(InputError, match="exceeds a time constant"):
        lower(graph, dt=PRESET.dt)


@pytest.mark.parametrize("net_name", list(NETS))
def test_repaired_exports_give_identical_spikes_at_the_preset_dt(net_name):
    build, shape = NETS[net_name]
    net = build()
    inputs = _inputs(shape)
    _assert_identical(_norse_run(net, inputs), _ours(_repaired(_exported(net, shape)), inputs, PRESET.dt))


def test_cuba_lif_as_written_gets_dt_over_tau_syn_of_the_input():
    """Without the repair our CubaLIF receives dt / tau_syn (0.1-0.2) of Norse's input current."""
    net = NETS["mlp-cubalif"][0]()
    inputs = _inputs((12,))
    graph = _exported(net, (12,))
    assert isinstance(graph.nodes["3"], ir.CubaLIF) and np.all(graph.nodes["3"].w_in == 1.0)
    theirs, ours = _norse_run(net, inputs), _ours(graph, inputs, AS_WRITTEN_DT)
    # measured: 335 / 71 Norse spikes (hidden / output) against our 14 / 0
    assert ours["1"].sum() <= 0.2 * theirs["1"].sum()
    assert ours["3"].sum() <= 0.2 * theirs["3"].sum()


def test_norse_writes_no_node_for_a_recurrent_cell():
    net = norse.SequentialState(torch.nn.Linear(4, 3), norse.LIFRecurrentCell(3, 3))
    exported = norse.to_nir(net, torch.zeros(4))
    assert exported.nodes["1"] is None
    with pytest.raises(UnsupportedError, match="node '1'"):
        graph_from_nir(exported)


def _recurrent_cuba_graph():
    """input -> fc1 -> lif1 (CubaLIF, with lif1 -> rec -> lif1) -> fc2 -> lif2 (CubaLIF) -> output, in seconds."""
    rng = np.random.default_rng(0)

    def cuba(n):
        return nir.CubaLIF(
            tau_mem=rng.uniform(0.01, 0.02, n), tau_syn=rng.uniform(0.005, 0.01, n), r=np.ones(n),
            v_leak=np.zeros(n), v_threshold=np.full(n, 0.5), w_in=rng.uniform(4.0, 6.0, n),
        )

    return recurrent_cuba_graph(cuba, rng, (1.0, 0.5, 2.0))


def _norse_import(graph):
    return norse.from_nir(to_nir(graph, preset=PRESET, dt=PRESET.dt), dt=PRESET.dt).double()


@pytest.mark.parametrize("net_name", list(NETS))
def test_our_export_reads_back_into_norse_with_identical_spikes(net_name):
    build, shape = NETS[net_name]
    net = build()
    inputs = _inputs(shape)
    graph = _repaired(_exported(net, shape))
    ours = _ours(graph, inputs, PRESET.dt)
    _assert_identical(_norse_run(_norse_import(graph), inputs), ours)
    _assert_identical(_norse_run(net, inputs), ours)


def test_recurrent_cuba_lif_reads_back_into_norse_with_identical_spikes():
    graph = _recurrent_cuba_graph()
    inputs = _inputs((12,))
    ours = _ours(graph, inputs, PRESET.dt)
    network = lower(graph, dt=PRESET.dt)
    assert any(proj.recurrent for proj in network.population("lif1").projections)
    _assert_identical(_norse_run(_norse_import(graph), inputs), ours)


def test_the_cli_simulates_a_norse_file_with_the_norse_preset(tmp_path, capsys):
    """`sc-neurocore simulate FILE --preset norse --dt 1e-6` on Norse's own file: Norse's spikes exactly;
    without --dt one line says why the file cannot run at the preset's dt."""
    from sc_neurocore.cli.app import main

    net = NETS["mlp-lif"][0]()
    inputs = _inputs((12,))
    model, stimulus, out = tmp_path / "norse.nir", tmp_path / "input.npy", tmp_path / "spikes.npz"
    nir.write(model, norse.to_nir(net, torch.zeros(12, dtype=F64), dt=PRESET.dt))
    np.save(stimulus, inputs.numpy())
    args = ["simulate", str(model), "--preset", "norse", "--input", str(stimulus)]
    assert main([*args, "--dt", str(AS_WRITTEN_DT), "--out", str(out)]) == 0
    with np.load(out) as saved:
        ours = {name: saved[f"spikes/{name}"] for name in ("1", "3")}
    _assert_identical(_norse_run(net, inputs), ours)
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "exceeds a time constant" in err[0]


def test_a_conv_net_exported_with_a_batched_sample_is_refused_by_name():
    """Norse's Input takes the sample's shape, batch included; the Conv2d after it has no input shape of its own."""
    exported = norse.to_nir(_conv(), torch.zeros(1, 2, 8, 8, dtype=F64), dt=PRESET.dt)
    with pytest.raises(ModelError, match=r"node '0' \(Conv2d\): .*gives \(1, 2, 8, 8\) \(an Input shape with a batch"):
        graph_from_nir(exported)
