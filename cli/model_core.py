"""The hardware core a command builds from its MODEL argument, shared by compile and deploy: a YAML block
spec, a NIR file holding one block op (or train's transformer), or a neuron network."""

from dataclasses import asdict, dataclass
from pathlib import Path

import typer

from sc_neurocore.backends.cores import core_for_graph, core_for_network, core_for_spec
from sc_neurocore.backends.cores.core import Core
from sc_neurocore.backends.cores.settings import BlockSettings
from sc_neurocore.errors import InputError
from sc_neurocore.passes.pipeline import ModelOptions, block_graph, load_quantised
from sc_neurocore.transformers.spec import load_spec

from . import options as opt

__all__ = ["MODEL_OR_SPEC", "LANES", "TOKENS", "INPUT_PEAK", "ModelCore", "model_core"]

MODEL_OR_SPEC = typer.Argument(
    ..., show_default=False,
    help="A NIR file (.nir: a network, one attention/SSM/CPG op, or train's transformer), or a block spec "
         "(.yaml: seed attention, SSA, SDSA, A2OS2A, SSM or CPG).",
)
LANES = typer.Option(1, "--lanes", help="Fold of a block op from a NIR file (SSM states, CPG phases or attention "
                                        "head dimensions per clock).")
TOKENS = typer.Option(None, "--tokens", help="Tokens per inference of an attention op from a NIR file (default 32).")
INPUT_PEAK = typer.Option(
    None, "--input-peak",
    help="Largest |input| of an attention op from a NIR file (default 1.0: rates); sets its input scale and "
         "thresholds.",
)
SPEC_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class ModelCore:
    """The core, the node (or spec file) it comes from, the options its build records, and what it was
    read from: the block graph, or the network's model options (None where they do not apply)."""

    core: Core
    name: str
    record: dict
    graph: object = None
    options: ModelOptions | None = None


def _refuse_network_options(dt, spike_condition, reset, arith: str) -> None:
    """Options that only shape neuron networks: a block (op or spec) carries its own dynamics."""
    given = [flag for flag, value in (("--dt", dt), ("--spike-condition", spike_condition), ("--reset", reset))
             if value is not None] + (["--arith"] if arith != "fixed" else [])
    if given:
        raise InputError(f"{', '.join(given)} apply to neuron networks; a block op carries its own dynamics")


def _block_settings(lanes: int, weight_bits: int, state_bits: int, dt, spike_condition, reset, arith: str,
                    tokens: int | None, input_peak: float | None) -> BlockSettings:
    """The settings of a block op's hardware; options that only shape neuron networks are refused."""
    _refuse_network_options(dt, spike_condition, reset, arith)
    return BlockSettings(lanes=lanes, weight_bits=weight_bits, state_bits=state_bits, tokens=tokens,
                         input_peak=input_peak)


def _check_block_options_absent(lanes: int, tokens: int | None, input_peak: float | None, model_is: str) -> None:
    """--lanes, --tokens and --input-peak only shape a block op from a NIR file."""
    given = [flag for flag, value in (("--lanes", lanes != 1), ("--tokens", tokens is not None),
                                      ("--input-peak", input_peak is not None)) if value]
    if given:
        raise InputError(f"{', '.join(given)} shape a block op (attention, SSM, CPG) from a NIR file; {model_is}")


def model_core(model: Path, *, preset, dt, spike_condition, reset, weight_bits: int, state_bits: int, arith: str,
               stream_length: int, lanes: int, tokens: int | None, input_peak: float | None) -> ModelCore:
    """The core of `model` with the command's options; options that do not apply to it are refused."""
    if model.suffix.lower() in SPEC_SUFFIXES:  # a transformer block spec (docs/attention_hw.md)
        _check_block_options_absent(lanes, tokens, input_peak, "a .yaml spec sets its own fold and shape")
        _refuse_network_options(dt, spike_condition, reset, arith)
        core = core_for_spec(load_spec(model))
        return ModelCore(core, model.stem, {"block": core.kind})
    graph = block_graph(model)
    if graph is not None:  # a NIR file holding block ops: built from the op's own parameters
        settings = _block_settings(lanes, weight_bits, state_bits, dt, spike_condition, reset, arith, tokens,
                                   input_peak)
        name, core = core_for_graph(graph, settings)
        return ModelCore(core, name, {"block": core.kind, **asdict(settings)}, graph=graph)
    _check_block_options_absent(lanes, tokens, input_peak, "this model is a neuron network")
    options = opt.model_options(preset, dt, spike_condition, reset, weight_bits, state_bits)
    sc = opt.arith_config(arith, stream_length)
    _, qnet = load_quantised(model, options)
    record = opt.options_record(options, **opt.arith_record(sc))
    return ModelCore(core_for_network(qnet, sc), model.stem, record, options=options)


def core_for_build(model: Path, recorded: dict) -> ModelCore:
    """The core a build was made from: `model` with the options its provenance recorded (`recorded`)."""
    if not isinstance(recorded, dict):
        raise InputError("the build's provenance records no options: deploy it again")
    block = "block" in recorded
    network = {} if block else {"dt": recorded.get("dt"), "spike_condition": recorded.get("spike_condition"),
                                "reset": recorded.get("reset")}
    spec = model.suffix.lower() in SPEC_SUFFIXES
    folded = {} if spec or not block else {"lanes": recorded.get("lanes", 1), "tokens": recorded.get("tokens"),
                                           "input_peak": recorded.get("input_peak")}
    return model_core(model, preset=None, **{"dt": None, "spike_condition": None, "reset": None, **network},
                      weight_bits=recorded.get("weight_bits", 8), state_bits=recorded.get("state_bits", 16),
                      arith=recorded.get("arith", "fixed"), stream_length=recorded.get("stream_length", 256),
                      **{"lanes": 1, "tokens": None, "input_peak": None, **folded})
