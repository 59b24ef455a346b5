"""Energy estimate from operation counts, priced with the 45 nm figures of the spiking-transformer
literature (Horowitz, ISSCC 2014): a 32-bit float multiply-accumulate 4.6 pJ, an accumulate 0.9 pJ.

    SNN synaptic energy = E_AC  * ACs,   ACs  = sum over steps and projections of events(source) * n_dst
    ANN energy          = E_MAC * MACs,  MACs = sum over projections of n_src * n_dst (one pass)
    neuron updates      = E_MAC * T * sum over neurons of (1 + has_syn)   (the core's decay multiplies)

The literature compares the first two; the third is what the core also spends each step and is shown
beside them. It is an estimate of arithmetic only (no memory traffic, no FPGA static power).
"""

from dataclasses import dataclass

import numpy as np

from sc_neurocore.passes.quantise import QuantisedNetwork

__all__ = ["E_MAC_PJ", "E_AC_PJ", "EnergyEstimate", "estimate_energy"]

E_MAC_PJ = 4.6
E_AC_PJ = 0.9


@dataclass(frozen=True)
class EnergyEstimate:
    """Operation counts and energy per inference (one sample of `steps` time steps)."""

    steps: int
    synaptic_acs: float
    neuron_macs: int
    ann_macs: int
    e_ac_pj: float = E_AC_PJ
    e_mac_pj: float = E_MAC_PJ

    @property
    def snn_synaptic_nj(self) -> float:
        return self.synaptic_acs * self.e_ac_pj / 1000

    @property
    def neuron_update_nj(self) -> float:
        return self.neuron_macs * self.e_mac_pj / 1000

    @property
    def ann_nj(self) -> float:
        return self.ann_macs * self.e_mac_pj / 1000

    @property
    def ann_over_snn(self) -> float | None:
        """How many times more the ANN spends than the SNN's synapses (the literature's figure)."""
        return self.ann_nj / self.snn_synaptic_nj if self.synaptic_acs else None

    def to_dict(self) -> dict:
        return {
            "label": "estimate: 45 nm arithmetic energy, no memory or static power",
            "steps": self.steps, "e_ac_pj": self.e_ac_pj, "e_mac_pj": self.e_mac_pj,
            "synaptic_acs": self.synaptic_acs, "neuron_macs": self.neuron_macs, "ann_macs": self.ann_macs,
            "snn_synaptic_nj": self.snn_synaptic_nj, "neuron_update_nj": self.neuron_update_nj,
            "ann_nj": self.ann_nj, "ann_over_snn": self.ann_over_snn,
        }


def estimate_energy(qnet: QuantisedNetwork, events: dict[str, np.ndarray]) -> EnergyEstimate:
    """Price one inference; `events` maps each source to its event counts per step and sample, [T, B]."""
    steps, batch = np.asarray(events["input"]).shape
    acs, macs = 0.0, 0
    for pop in qnet.populations:
        for proj in pop.projections:
            counts = np.asarray(events[proj.source])
            # a recurrent projection delivers the previous step's events: the last step's never arrive
            delivered = counts[:-1].sum() if proj.recurrent else np.sum(counts)
            acs += float(delivered) * pop.size / batch
            macs += qnet.source_size(proj.source) * pop.size
    neuron_macs = steps * sum(pop.size * (1 + int(pop.has_syn)) for pop in qnet.populations)
    return EnergyEstimate(int(steps), acs, int(neuron_macs), int(macs))
