"""One functional definition per neuron and block: parameters, state and a pure step over NumPy arrays.

The inference classes (:mod:`sc_neurocore.transformers`), the trainable layers (:mod:`sc_neurocore.training`)
and the integer twins call these functions, so each op is written once. Modules: :mod:`.lif` and
:mod:`.integrate_and_fire` (neurons), :mod:`.attention` (SSA and A²OS²A, multi-head), :mod:`.sdsa`, :mod:`.mlp`,
:mod:`.ssm`, :mod:`.cpg`, and :mod:`.fixed_point` (the integer LIF step and power-of-two formats of
every twin). This package imports only NumPy and :mod:`sc_neurocore.errors`.
"""
