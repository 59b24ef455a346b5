"""Report data: what a build costs (resources, Fmax), how fast it runs (the core's cycle model), what
the model does on some input (activity, energy estimate, accuracy), and the forms they take (JSON
document, HTML page). Rendering to a terminal lives in the CLI.
"""

from .accuracy import Accuracy, Workload, load_workload
from .activity import Activity, LayerActivity, RasterRow
from .build import Build, check_model, load_build
from .document import REPORT_SCHEMA_VERSION, DeltaRow, Report, compare, make_report, report_document, throughput_gap
from .energy import E_AC_PJ, E_MAC_PJ, EnergyEstimate, estimate_energy
from .throughput import FIXED_CORE, CoreShape, CoreTiming, PopulationShape, Throughput, compute_cycles, cycle_bounds, step_cycles, throughput

__all__ = [
    "Accuracy", "Workload", "load_workload",
    "Activity", "LayerActivity", "RasterRow",
    "Build", "check_model", "load_build",
    "REPORT_SCHEMA_VERSION", "DeltaRow", "Report", "compare", "make_report", "report_document", "throughput_gap",
    "E_AC_PJ", "E_MAC_PJ", "EnergyEstimate", "estimate_energy",
    "FIXED_CORE", "CoreShape", "CoreTiming", "PopulationShape", "Throughput", "compute_cycles", "cycle_bounds", "step_cycles", "throughput",
]
