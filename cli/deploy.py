"""Build a NIR model or a transformer-block .yaml spec for an FPGA: bit-true SystemVerilog, yosys, nextpnr, icepack."""

import json
from dataclasses import asdict
from pathlib import Path
from typing import Optional

import typer

from sc_neurocore.backends.build.provenance import provenance
from sc_neurocore.backends.cores import core_for_graph, core_for_network, core_for_spec
from sc_neurocore.backends.deploy import deploy_core
from sc_neurocore.backends.flow.icestorm import Ice40Options
from sc_neurocore.errors import InputError
from sc_neurocore.passes.pipeline import block_graph, load_quantised
from sc_neurocore.transformers.spec import load_spec

from . import options as opt
from .checks import check_options
from .compile import INPUT_PEAK, LANES, TOKENS, block_settings, check_network_only
from .render import console, render_deploy

TARGETS = ("ice40",)


def command(
    model: Path = typer.Argument(
        ..., show_default=False,
        help="A NIR file (.nir: a network, one attention/SSM/CPG op, or train's transformer), or a block spec "
             "(.yaml: seed attention, SSA, SDSA, A2OS2A, SSM or CPG).",
    ),
    target: str = typer.Option("ice40", "--target", help="FPGA family."),
    device: str = typer.Option("up5k", "--device", help="up5k, hx8k or hx1k."),
    package: Optional[str] = typer.Option(None, "--package", help="Package (default per device: sg48, ct256, vq100)."),
    freq: float = typer.Option(12.0, "--freq", help="Clock constraint in MHz."),
    seed: int = typer.Option(1, "--seed", help="Placement seed of nextpnr."),
    pcf: Optional[Path] = typer.Option(None, "--pcf", help="Pin constraints; without it nextpnr places the IOs."),
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="Build directory (default: build/<model name>)."),
    timeout: float = typer.Option(900.0, "--timeout", help="Seconds the tool flow may take."),
    tools: str = typer.Option("auto", "--tools", help="auto, yowasp (PyPI builds) or native (on PATH)."),
    preset: Optional[str] = opt.PRESET,
    dt: Optional[float] = opt.DT,
    spike_condition: Optional[str] = opt.SPIKE_CONDITION,
    reset: Optional[str] = opt.RESET,
    weight_bits: int = opt.WEIGHT_BITS,
    state_bits: int = opt.STATE_BITS,
    arith: str = opt.ARITH,
    stream_length: int = opt.STREAM_LENGTH,
    lanes: int = LANES,
    tokens: Optional[int] = TOKENS,
    input_peak: Optional[float] = INPUT_PEAK,
    force: bool = opt.FORCE,
    json_out: bool = opt.JSON,
) -> None:
    check_options(freq=freq, timeout=timeout, seed=seed, dt=dt, weight_bits=weight_bits, state_bits=state_bits,
                  lanes=lanes, tokens=tokens)
    if target not in TARGETS:
        raise InputError(f"unknown target {target!r}; supported: {', '.join(TARGETS)}")
    hardware = Ice40Options(device=device, package=package, freq_mhz=freq, seed=seed, pcf=pcf,
                            timeout_s=timeout, tools=tools)
    out_dir = out or Path("build") / model.stem
    graph = block_graph(model)
    if model.suffix.lower() in (".yaml", ".yml"):  # a transformer block spec (docs/attention_hw.md)
        check_network_only(lanes, tokens, input_peak, "a .yaml spec sets its own fold and shape")
        result = deploy_core(core_for_spec(load_spec(model)), out_dir, hardware, force=force)
    elif graph is not None:  # a NIR file holding block ops: built from the op's own parameters
        settings = block_settings(lanes, weight_bits, state_bits, dt, spike_condition, reset, arith, tokens,
                                  input_peak)
        _, core = core_for_graph(graph, settings)
        record = {"block": core.kind, **asdict(settings), "target": target, "device": hardware.device,
                  "package": hardware.package, "freq_mhz": hardware.freq_mhz, "seed": hardware.seed,
                  "pcf": None if pcf is None else str(pcf), "tools": hardware.tools}
        result = deploy_core(core, out_dir, hardware, force, provenance(model, record))
    else:
        check_network_only(lanes, tokens, input_peak, "this model is a neuron network")
        result = _deploy_network(model, out_dir, hardware, force, preset, dt, spike_condition, reset, weight_bits,
                                 state_bits, arith, stream_length, target)
    if json_out:
        typer.echo(json.dumps(result.report.to_dict(), indent=2))
    else:
        render_deploy(result.report, console(), result.extra.get("attention_parts"))


def _deploy_network(model, out_dir, hardware, force, preset, dt, spike_condition, reset, weight_bits, state_bits,
                    arith, stream_length, target):
    options = opt.model_options(preset, dt, spike_condition, reset, weight_bits, state_bits)
    sc = opt.arith_config(arith, stream_length)
    _, qnet = load_quantised(model, options)
    record = opt.options_record(options, target=target, device=hardware.device, package=hardware.package,
                                freq_mhz=hardware.freq_mhz, seed=hardware.seed, pcf=hardware.pcf, tools=hardware.tools,
                                **opt.arith_record(sc))
    return deploy_core(core_for_network(qnet, sc), out_dir, hardware, force, provenance(model, record))
