"""Stochastic-computing evidence: error vs stream length, stream correlation, packed throughput, peer.

Writes benchmarks/results/stochastic.json. Gates (exit code 1 when one fails):
  * independent streams: RMS error of multiply and dot product within 20 % of sqrt(p(1-p)/N);
  * allocator streams: mean |SCC| <= 0.05; same-generator streams AND to min(p_a, p_b);
  * packed AND+popcount >= 20x the bit-ops/s of a NumPy boolean-array implementation;
  * warm LFSR encode + AND faster than the peer sc-neurocore 3.16.0 (run in its own venv).
Runs in well under two minutes on two cores.
"""

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_env_sc import PEER, run_peer  # noqa: E402

from sc_neurocore.bitstream import (  # noqa: E402
    Bitstreams,
    allocate_streams,
    decode_unipolar,
    dot,
    encode_bernoulli,
    encode_lfsr,
    encode_sobol,
    lfsr_spec,
    mux_add,
    pack,
    popcount,
    sc_and,
    scc,
)

RESULTS = Path(__file__).resolve().parent / "results" / "stochastic.json"
LENGTHS = (64, 256, 1024, 4096)
TRIALS = 1024
PA, PB = 0.3, 0.6
INPUTS = 16


def _ratio(estimates, truth, theory):
    return float(np.sqrt(np.mean((estimates - truth) ** 2)) / theory)


def error_vs_length() -> list[dict]:
    """RMS error / sqrt(p(1-p)/N) for a multiply and a 16-input dot product, per generator."""
    rng = np.random.default_rng(7)
    x, w = rng.uniform(0.1, 0.9, INPUTS), rng.uniform(0.1, 0.9, INPUTS)
    products = x * w
    rows = []
    for length in LENGTHS:
        p = PA * PB
        mult_theory = np.sqrt(p * (1 - p) / length)
        # MUX dot product: one output stream with P = mean(x_i w_i).
        pm = products.mean()
        mux_theory = np.sqrt(pm * (1 - pm) / length)
        # Popcount dot product: sum of independent counts, variance sum p_i (1 - p_i) / N.
        pop_theory = np.sqrt(np.sum(products * (1 - products)) / length)
        select = np.random.default_rng(length).integers(0, INPUTS, size=(TRIALS, length))

        a = encode_bernoulli(np.full(TRIALS, PA), length, seed=1)
        b = encode_bernoulli(np.full(TRIALS, PB), length, seed=2)
        xs = encode_bernoulli(np.tile(x, (TRIALS, 1)), length, seed=3)
        ws = encode_bernoulli(np.tile(w, (TRIALS, 1)), length, seed=4)
        row = {
            "length": length,
            "theory_multiply": mult_theory,
            "bernoulli_multiply_ratio": _ratio(decode_unipolar(sc_and(a, b)), p, mult_theory),
            "bernoulli_dot_popcount_ratio": _ratio(dot(xs, ws), products.sum(), pop_theory),
            "bernoulli_dot_mux_ratio": _ratio(
                decode_unipolar(mux_add(sc_and(xs, ws), select)), pm, mux_theory
            ),
        }
        allocation = allocate_streams(2 * TRIALS, seed=5, views_per_generator=2)
        streams = allocation.encode(np.tile([PA, PB], TRIALS), length)
        row["lfsr_multiply_ratio"] = _ratio(decode_unipolar(sc_and(streams[0::2], streams[1::2])), p, mult_theory)
        dot_allocation = allocate_streams(2 * INPUTS * 64, seed=6, views_per_generator=4)
        lanes = dot_allocation.encode(np.tile(np.concatenate([x, w]), 64), length).words.reshape(64, 2, INPUTS, -1)
        lane_x, lane_w = Bitstreams(lanes[:, 0], length), Bitstreams(lanes[:, 1], length)
        row["lfsr_dot_popcount_ratio"] = _ratio(dot(lane_x, lane_w), products.sum(), pop_theory)
        sobol = decode_unipolar(sc_and(encode_sobol(PA, length, dimension=0), encode_sobol(PB, length, dimension=1)))
        row["sobol_multiply_abs_error"] = float(abs(sobol - p))
        rows.append(row)
    return rows


def correlation() -> dict:
    """Mean |SCC| over all pairs of 64 allocated streams, against the same for Bernoulli streams."""
    p = np.random.default_rng(3).uniform(0.1, 0.9, 64)
    i, j = np.triu_indices(64, 1)
    result = {"streams": 64, "length": 4096}
    b = encode_bernoulli(p, 4096, seed=9)
    result["bernoulli_mean_abs_scc"] = float(np.abs(scc(b[i], b[j])).mean())
    for views in (1, 2, 4):
        s = allocate_streams(64, seed=3, views_per_generator=views).encode(p, 4096)
        result[f"allocator_views{views}_mean_abs_scc"] = float(np.abs(scc(s[i], s[j])).mean())
    spec = lfsr_spec(16, seed=0x1D2F, stride=4)
    a, c = encode_lfsr(PA, 4096, spec), encode_lfsr(PB, 4096, spec)
    result["same_generator_and"] = float(decode_unipolar(sc_and(a, c)))
    result["same_generator_scc"] = float(scc(a, c))
    result["same_generator_expected_min"] = min(PA, PB)
    result["independent_expected_product"] = PA * PB
    return result


def _best(func, repeats=5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def throughput() -> dict:
    """AND + popcount over 1024 lanes x 16384 bits: packed uint64 against boolean arrays."""
    lanes, length = 1024, 16384
    rng = np.random.default_rng(1)
    bool_a, bool_b = rng.random((lanes, length)) < 0.5, rng.random((lanes, length)) < 0.5
    packed_a, packed_b = pack(bool_a), pack(bool_b)
    assert np.array_equal(popcount(sc_and(packed_a, packed_b)), np.logical_and(bool_a, bool_b).sum(axis=-1))
    packed = _best(lambda: popcount(sc_and(packed_a, packed_b)))
    boolean = _best(lambda: np.logical_and(bool_a, bool_b).sum(axis=-1))
    bits = lanes * length
    return {
        "lanes": lanes,
        "length": length,
        "packed_bit_ops_per_s": bits / packed,
        "boolean_bit_ops_per_s": bits / boolean,
        "speedup": boolean / packed,
    }


PEER_SCRIPT = """
import json, time, warnings
import numpy as np
warnings.simplefilter("ignore")
from sc_neurocore import BitstreamEncoder, bitstream_to_probability
pairs, out = {pairs}, {{}}
values = np.random.default_rng(0).uniform(0, 1, 2 * pairs)
for length in {lengths}:
    best = float("inf")
    for _ in range(3):
        encoder = BitstreamEncoder(length=length, seed=1)
        start = time.perf_counter()
        for i in range(pairs):
            a, b = encoder.encode(values[2 * i]), encoder.encode(values[2 * i + 1])
            bitstream_to_probability(np.bitwise_and(a, b))
        best = min(best, time.perf_counter() - start)
    out[str(length)] = pairs * length / best
print(json.dumps(out))
"""


def peer_comparison() -> dict:
    """Encode + AND multiply + decode of 256 value pairs per stream length: ours against the peer."""
    pairs = 256
    values = np.random.default_rng(0).uniform(0, 1, 2 * pairs)
    peer = run_peer(PEER_SCRIPT.format(pairs=pairs, lengths=list(LENGTHS)))
    rows = []
    for length in LENGTHS:
        allocation = allocate_streams(2 * pairs, seed=1, views_per_generator=4)

        def ours():
            streams = allocation.encode(values, length)
            decode_unipolar(sc_and(streams[0::2], streams[1::2]))

        start = time.perf_counter()
        ours()  # first call generates and caches the LFSR sequences
        cold = time.perf_counter() - start
        warm = _best(ours)
        bernoulli = _best(
            lambda: decode_unipolar(
                sc_and(*(encode_bernoulli(values[k::2], length, seed=k) for k in (0, 1)))
            )
        )
        bits = pairs * length
        rows.append(
            {
                "length": length,
                "peer_bits_per_s": peer[str(length)],
                "lfsr_cold_bits_per_s": bits / cold,
                "lfsr_warm_bits_per_s": bits / warm,
                "bernoulli_bits_per_s": bits / bernoulli,
                "lfsr_warm_speedup": bits / warm / peer[str(length)],
                "lfsr_cold_speedup": bits / cold / peer[str(length)],
                "bernoulli_speedup": bits / bernoulli / peer[str(length)],
            }
        )
    return {"peer": PEER, "pairs": pairs, "rows": rows}


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, timeout=10)
    except OSError:
        return "unknown"
    if head.returncode != 0:
        return "uncommitted (no commit yet)"
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def main() -> int:
    started = time.perf_counter()
    errors = error_vs_length()
    corr = correlation()
    speed = throughput()
    peer = peer_comparison()
    gates = {
        "independent_error_within_20pct": all(
            abs(row[key] - 1.0) <= 0.2
            for row in errors
            for key in ("bernoulli_multiply_ratio", "bernoulli_dot_popcount_ratio", "bernoulli_dot_mux_ratio")
        ),
        "allocator_mean_abs_scc_le_0.05": all(
            corr[f"allocator_views{v}_mean_abs_scc"] <= 0.05 for v in (1, 2, 4)
        ),
        "same_generator_is_min_like": abs(corr["same_generator_and"] - corr["same_generator_expected_min"]) < 0.03,
        "packed_speedup_ge_20x": speed["speedup"] >= 20.0,
        "lfsr_warm_faster_than_peer": all(row["lfsr_warm_speedup"] > 1.0 for row in peer["rows"]),
    }
    result = {
        "benchmark": "stochastic",
        "commit": _commit(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus",
        "error_vs_length": errors,
        "correlation": corr,
        "throughput": speed,
        "peer": peer,
        "gates": gates,
        "seconds": round(time.perf_counter() - started, 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    temporary = RESULTS.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(result, indent=2) + "\n")
    temporary.replace(RESULTS)
    print(json.dumps(gates, indent=2))
    return 0 if all(gates.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
