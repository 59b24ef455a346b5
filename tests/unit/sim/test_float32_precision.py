"""run_float(precision="float32"): an opt-in float32 float mode, close to float64 but not the reference.

float64 stays the default, bit for bit; float32 must keep every array float32 (not compute in float64
and round at the end), agree with float64 on the paper's nets up to float32 rounding, and its operators
must equal the same sums of float32-rounded operands to float32 accuracy.
"""

import json

import numpy as np
import pytest

from sc_neurocore.cli.app import main
from sc_neurocore.errors import InputError
from sc_neurocore.kernels import Chain, ConvOp, DenseOp, ScaleOp
from sc_neurocore.passes.pipeline import ModelOptions, load_network
from sc_neurocore.sim import run_float
from sc_neurocore.sim.stimulus import poisson_spikes

# (file under the NIR paper's data, steps, input spike rate): as benchmarks/nir_models.py runs them
NETS = {
    "braille_bias_zero": ("03_rnn/braille_noDelay_bias_zero.nir", 256, 0.1),
    "braille_subtract": ("03_rnn/braille_noDelay_noBias_subtract.nir", 256, 0.1),
    "cnn_sinabs": ("02_cnn/cnn_sinabs.nir", 30, 0.05),
}
# the CNN cases take up to seconds each: marked slow
NET_CASES = [pytest.param(name, marks=pytest.mark.slow) if name == "cnn_sinabs" else name for name in NETS]
# Measured (seeds 0 and 1, batch 16): every spike agrees, membranes within 2.5e-7 of each population's
# largest |v|. The bounds leave room for other inputs and BLAS builds.
MIN_SPIKE_AGREEMENT = 0.999
MAX_RELATIVE_MEMBRANE_ERROR = 1e-5


def _runs(nir_paper, name: str, batch: int = 8, seed: int = 0):
    path, steps, rate = NETS[name]
    network = load_network(nir_paper / path, ModelOptions())
    inputs = poisson_spikes(steps, network.input_size, rate, seed, batch)
    both = {precision: run_float(network, inputs, record_voltages=True, record_currents=True, precision=precision)
            for precision in ("float64", "float32")}
    return network, inputs, both


def _arrays(result):
    for kind, record in (("outputs", result.outputs), ("voltages", result.voltages), ("currents", result.currents)):
        for name, values in record.items():
            yield f"{kind}/{name}", values


@pytest.mark.parametrize("name", NET_CASES)
def test_float32_agrees_with_float64_on_the_paper_nets(nir_paper, name):
    network, _, both = _runs(nir_paper, name)
    reference, fast = both["float64"], both["float32"]
    spiking = [pop.name for pop in network.populations if pop.spiking]
    assert sum(int(reference.outputs[p].sum()) for p in spiking) > 0  # something to agree on
    for pop in spiking:
        agreement = float((reference.outputs[pop] == fast.outputs[pop]).mean())
        assert agreement >= MIN_SPIKE_AGREEMENT, (pop, agreement)
    for pop in network.populations:
        v64, v32 = reference.voltages[pop.name], fast.voltages[pop.name]
        scale = float(np.abs(v64).max())
        assert float(np.abs(v32.astype(np.float64) - v64).max()) <= MAX_RELATIVE_MEMBRANE_ERROR * max(scale, 1e-30), pop.name


@pytest.mark.parametrize("name", NET_CASES)
def test_float32_keeps_every_array_float32(nir_paper, name):
    _, _, both = _runs(nir_paper, name, batch=4)
    fast = both["float32"]
    for label, values in _arrays(fast):
        assert values.dtype == np.float32, label
    # Computed in float32, not in float64 and rounded when recorded: then every membrane would equal
    # float64's rounded to float32.
    differs = [not np.array_equal(fast.voltages[p], both["float64"].voltages[p].astype(np.float32)) for p in fast.voltages]
    assert any(differs)


@pytest.mark.parametrize("name", NET_CASES)
def test_membrane_updates_are_float32_arithmetic(nir_paper, name):
    """Replays each recorded membrane step from the recorded v and current with float32 constants: the
    elementwise update (no BLAS, so one exact answer) must match bit for bit, spikes and resets included."""
    network, _, both = _runs(nir_paper, name, batch=4)
    fast = both["float32"]
    compare = np.greater_equal if network.spike_condition == "ge" else np.greater
    checked = 0
    for pop in network.populations:
        if not pop.spiking:
            continue
        k_mem, v_leak, threshold, v_reset = (np.asarray(getattr(pop, a)).astype(np.float32)
                                             for a in ("k_mem", "v_leak", "v_threshold", "v_reset"))
        v, current, spikes = fast.voltages[pop.name], fast.currents[pop.name], fast.outputs[pop.name]
        before_reset = v[:-1] - k_mem * (v[:-1] - v_leak) + current[1:]
        fired = compare(before_reset, threshold)
        after = np.where(fired, before_reset - threshold if pop.reset_subtract else v_reset, before_reset)
        np.testing.assert_array_equal(fired, spikes[1:] == 1)
        assert after.dtype == np.float32 and after.tobytes() == v[1:].tobytes(), pop.name
        checked += 1
    assert checked


@pytest.mark.parametrize("name", NET_CASES)
def test_default_precision_is_float64_bit_for_bit(nir_paper, name):
    path, steps, rate = NETS[name]
    network = load_network(nir_paper / path, ModelOptions())
    inputs = poisson_spikes(steps, network.input_size, rate, 3, 4)
    default = run_float(network, inputs, record_voltages=True, record_currents=True)
    explicit = run_float(network, inputs, record_voltages=True, record_currents=True, precision="float64")
    pairs = list(zip(_arrays(default), _arrays(explicit)))
    assert pairs
    for (label, a), (_, b) in pairs:
        assert a.dtype == b.dtype == np.float64, label
        assert a.tobytes() == b.tobytes(), label


def test_unknown_precision_is_refused(nir_paper):
    network = load_network(nir_paper / NETS["braille_subtract"][0], ModelOptions())
    with pytest.raises(InputError, match="precision must be one of float64, float32"):
        run_float(network, np.zeros((2, network.input_size)), precision="float16")
    with pytest.raises(InputError, match="exceeds float32's range"):
        run_float(network, np.full((2, network.input_size), 1e39), precision="float32")


def _float32_reference(op, x32: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """op on float32-rounded weights and inputs, summed in float64 (near exact), and the sum of |terms|:
    a float32 evaluation is within a few float32 roundings of that sum per term."""
    rounded = op.with_weight(np.asarray(op.weight, np.float64).astype(np.float32).astype(np.float64))
    magnitude = op.with_weight(np.abs(rounded.weight))
    x = x32.astype(np.float64)
    if isinstance(op, ConvOp):
        return rounded.apply_reference(x), magnitude.apply_reference(np.abs(x))
    return rounded.apply(x), magnitude.apply(np.abs(x))


def _operators(rng):
    weight = rng.normal(size=(6, 2, 3, 3)) / 7  # float64 values: not float32 grid values
    yield ConvOp(weight, (4, 9, 8), (2, 1), ((1, 2), (0, 1)), (1, 2), 2)  # grouped, strided, dilated, padded
    yield ConvOp(rng.normal(size=(3, 1, 2, 2)), (3, 7, 7), (2, 2), ((1, 0), (1, 0)), (1, 1), 3)  # depthwise, padded
    yield ConvOp(np.full((2, 1, 2, 2), 1.0), (2, 6, 6), (2, 2), ((0, 0), (0, 0)), (1, 1), 2)  # sum pooling
    yield DenseOp(rng.normal(size=(5, 11)))
    yield ScaleOp(rng.normal(size=7) / 3)


@pytest.mark.parametrize("index", range(5))
def test_operators_in_float32_equal_a_float32_reference(index):
    rng = np.random.default_rng(index)
    op = list(_operators(rng))[index]
    x32 = rng.normal(size=(5, op.n_in)).astype(np.float32)  # not spikes: no exact path applies
    out = op.apply_float32(x32)
    assert out.dtype == np.float32 and out.shape == (5, op.n_out)
    reference, magnitude = _float32_reference(op, x32)
    terms = max(1, op.n_in)
    bound = 2 * terms * np.finfo(np.float32).eps * magnitude + np.finfo(np.float32).tiny
    assert np.all(np.abs(out.astype(np.float64) - reference) <= bound)
    assert not np.array_equal(out.astype(np.float64), op.apply(x32.astype(np.float64)))  # really float32 sums


def test_a_chain_in_float32_is_its_operators_in_order():
    rng = np.random.default_rng(7)
    conv = ConvOp(rng.normal(size=(4, 2, 3, 3)), (2, 8, 8), (1, 1), ((1, 1), (1, 1)), (1, 1), 1)
    pool = ConvOp(np.full((4, 1, 2, 2), 1.0), conv.out_shape, (2, 2), ((0, 0), (0, 0)), (1, 1), 4)
    chain = Chain([conv, pool])
    x = (rng.random((3, chain.n_in)) < 0.2).astype(np.float32)
    np.testing.assert_array_equal(chain.apply_float32(x), pool.apply_float32(conv.apply_float32(x)))


def _cli(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_simulates_in_float32(capsys, nir_paper, tmp_path):
    cnn = str(nir_paper / NETS["cnn_sinabs"][0])
    out = tmp_path / "run.npz"
    code, stdout, _ = _cli(capsys, "simulate", cnn, "--steps", "4", "--precision", "float32", "--json",
                           "--out", str(out), "--voltages")
    assert code == 0
    summary = json.loads(stdout)
    assert summary["mode"] == "float" and summary["precision"] == "float32"
    with np.load(out) as saved:
        assert {saved[key].dtype for key in saved.files} == {np.dtype(np.float32)}


@pytest.mark.parametrize("extra, fragment", [
    (["--mode", "fixed"], "cannot be combined with --mode fixed"),
    (["--arith", "sc"], "cannot be combined with --arith sc"),
    ([], "--precision must be one of float64, float32"),
])
def test_cli_refuses_float32_outside_float_mode(capsys, nir_paper, extra, fragment):
    braille = str(nir_paper / NETS["braille_subtract"][0])
    precision = "float32" if extra else "float16"
    code, _, err = _cli(capsys, "simulate", braille, "--steps", "2", "--precision", precision, *extra)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], err
