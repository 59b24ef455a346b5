"""Finite-difference check of a module's hand-written backward pass (float64)."""

import numpy as np


def numeric_grad(f, array, index, eps=1e-6):
    old = array[index]
    array[index] = old + eps
    up = f()
    array[index] = old - eps
    down = f()
    array[index] = old
    return (up - down) / (2 * eps)


def check_module(module, x, seed=0, n_probe=12, rtol=1e-4, atol=1e-7):
    """Compare backward() with central differences of sum(R * forward(x)) for x and every parameter."""
    rng = np.random.default_rng(seed)
    y = module.forward(x)
    r = rng.standard_normal(y.shape)

    def loss():
        return float(np.sum(r * module.forward(x)))

    module.zero_grad()
    module.forward(x)
    gx = module.backward(r.copy())
    targets = [("input", x, gx)] + [(n, p.value, p.grad.copy()) for n, p in module.named_parameters().items()]
    assert len(targets) >= 1
    for name, array, analytic in targets:
        flat = [np.unravel_index(i, array.shape) for i in rng.choice(array.size, min(n_probe, array.size), replace=False)]
        for index in flat:
            expect = numeric_grad(loss, array, index)
            got = analytic[index]
            assert abs(got - expect) <= atol + rtol * abs(expect), f"{name}{index}: backward {got}, numeric {expect}"
