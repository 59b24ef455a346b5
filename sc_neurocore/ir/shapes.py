"""Shape arithmetic of convolution and pooling nodes (PyTorch's and NIR's rules)."""

from sc_neurocore.errors import UnsupportedError

__all__ = ["conv_output_size", "resolve_padding"]


def resolve_padding(padding, kernel, dilation, stride, where: str) -> tuple[tuple[int, int], ...]:
    """Per-dimension (before, after) padding from an int tuple or 'same'/'valid' (PyTorch's rule)."""
    if isinstance(padding, str):
        if padding == "valid":
            return tuple((0, 0) for _ in kernel)
        if any(s != 1 for s in stride):
            raise UnsupportedError(f"{where}: padding='same' needs stride 1 (as in PyTorch), got {tuple(stride)}")
        total = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in total)
    return tuple((int(p), int(p)) for p in padding)


def conv_output_size(size: int, pad: tuple[int, int], kernel: int, dilation: int, stride: int) -> int:
    """floor((size + pads - dilation*(kernel-1) - 1) / stride) + 1."""
    return (size + pad[0] + pad[1] - dilation * (kernel - 1) - 1) // stride + 1
