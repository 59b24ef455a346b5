"""Files the CLI writes for the user: whole or not at all (temporary file, then rename)."""

from pathlib import Path

import numpy as np

from sc_neurocore.atomic import atomic_write

__all__ = ["save_npz"]


def save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    def write(temporary: str) -> None:
        with open(temporary, "wb") as stream:
            np.savez_compressed(stream, **arrays)

    atomic_write(Path(path), write)
