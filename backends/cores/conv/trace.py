"""snn_conv_core's co-simulation trace: the fixed executor's neuron updates, in the order the core makes them."""

__all__ = ["neuron_order"]


def neuron_order(lines) -> list[str]:
    """Trace lines with each step's updates in neuron order: with two lanes the core updates channels o and
    o + 1 of a position one after the other. An output event ("O") stays with the update before it."""
    units = []
    for line in lines:
        if line.startswith("O") and units:
            units[-1][1].append(line)
        else:
            fields = line.split()
            units.append(((int(fields[1]), int(fields[2])) if line.startswith("U") else (-1, -1), [line]))
    units.sort(key=lambda unit: unit[0])  # stable: anything else keeps its place at the front
    return [line for _, group in units for line in group]
