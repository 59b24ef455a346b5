"""Conventions the SNN frameworks disagree on, made explicit, with each framework's values as a preset.

NIR stores continuous-time models and no time step, so a file alone does not say how to run it:

- `dt`: the step the exporter assumed when it turned its discrete decay factors into tau (snnTorch
  and SpikingJelly write tau = dt / (1 - beta) with dt = 1e-4 s; Norse's default dt is 1e-3 s, and
  Norse 1.1.0's exporter writes tau = dt / tau_mem_inv, its tau times dt: read such files with dt 1e-6).
- `reset`: "model" (to v_reset), "zero", or "subtract" (v <- v - v_threshold).
- `spike_condition`: "gt" (v > threshold: snnTorch, Norse) or "ge" (v >= threshold: SpikingJelly, Sinabs).
- `cuba_order`: "current_first" (the current is updated, then the membrane integrates the new current:
  snnTorch's Synaptic, Norse 1.1.0's LIFCell and its NIR import, and sc-neurocore's executors) or
  "voltage_first" (the membrane integrates the previous current). The executors implement
  "current_first" only.
- `reset_timing`: "same_step" (the reset applies to the step that fired: sc-neurocore, Norse,
  SpikingJelly, snnTorch with reset_delay=False) or "next_step" (snnTorch's default reset_delay=True
  subtracts the undecayed threshold during the following step).

- `integrator_r`: how IF and I nodes' r is meant: "per_step" (v += r I each step: snnTorch, Sinabs,
  and the NIR paper's CNN) or "per_second" (NIR's continuous dv/dt = r I, so v += dt r I: SpikingJelly
  writes r = 1/dt).

The executors follow `dt`, `reset`, `spike_condition` and `integrator_r`; the other two are recorded so
that exported files say which conventions they were made with.
"""

from dataclasses import asdict, dataclass

from sc_neurocore.errors import InputError

__all__ = ["Preset", "PRESETS", "get_preset"]


@dataclass(frozen=True)
class Preset:
    name: str
    dt: float
    reset: str
    spike_condition: str
    cuba_order: str
    reset_timing: str
    integrator_r: str = "per_step"

    def to_metadata(self) -> dict:
        return asdict(self)


PRESETS = {
    "sc-neurocore": Preset("sc-neurocore", 1e-4, "model", "gt", "current_first", "same_step"),
    "snntorch": Preset("snntorch", 1e-4, "subtract", "gt", "current_first", "next_step"),
    "norse": Preset("norse", 1e-3, "model", "gt", "current_first", "same_step"),
    "spikingjelly": Preset("spikingjelly", 1e-4, "model", "ge", "current_first", "same_step", "per_second"),
    "sinabs": Preset("sinabs", 1e-4, "subtract", "ge", "current_first", "same_step"),
}


def get_preset(name: str) -> Preset:
    """The preset called `name`; an InputError lists the known ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise InputError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None
