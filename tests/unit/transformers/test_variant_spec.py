"""The attention-variant block specs (ssa_attention, sdsa_attention, a2os2a_attention): YAML loading and
validation with one-line errors, before any tool runs (the cores' ports and fit checks:
tests/unit/backends/cores/kv_attention/)."""


import pytest

from sc_neurocore.cli.app import main
from sc_neurocore.errors import InputError
from sc_neurocore.transformers.spec import BLOCKS, VariantSpec, load_spec, spec_from_dict

from tests.conftest import REPO

EXAMPLES = REPO / "examples"
SEEDS = {"ssa": "ssa_seed.yaml", "sdsa": "sdsa_seed.yaml", "a2os2a": "a2os2a_seed.yaml"}


@pytest.mark.parametrize("variant", sorted(SEEDS))
def test_the_example_specs_load_as_their_variant(variant):
    spec = load_spec(EXAMPLES / SEEDS[variant])
    assert isinstance(spec, VariantSpec) and spec.variant == variant
    assert (spec.embed_dim, spec.tokens, spec.T, spec.lanes) == (64, 32, 8, 1)
    assert spec.block in BLOCKS and spec_from_dict({"block": spec.block, "embed_dim": 64}).variant == variant
    if variant != "sdsa":
        assert (spec.num_heads, spec.head_dim) == (4, 16)


@pytest.mark.parametrize(("raw", "fragment"), [
    ({"block": "ssa_attention", "variant": "sdsa"}, "unknown option(s) variant"),
    ({"block": "a2os2a_attention", "heads": 4}, "unknown option(s) heads"),
    ({"block": "ssa_attention", "embed_dim": 64, "num_heads": 5}, "num_heads"),
    ({"block": "ssa_attention", "embed_dim": 64, "num_heads": 4, "lanes": 3},
     "lanes 3 does not divide the head dimension 16; choose lanes from [1, 2, 4, 8, 16]"),
    ({"block": "sdsa_attention", "embed_dim": 24, "lanes": 5},
     "lanes 5 does not divide the embed_dim 24; choose lanes from [1, 2, 3, 4, 6, 8, 12, 24]"),
    ({"block": "sdsa_attention", "tokens": 0}, "tokens must be a positive integer"),
    ({"block": "a2os2a_attention", "k_bits": 16}, "k_bits must be an integer from 1 to 15"),
    ({"block": "ssa_attention", "frac_bits": True}, "frac_bits must be an integer"),
    ({"block": "sdsa_attention", "seed": -1}, "seed must be a non-negative integer"),
    ({"block": "ssa_atention"}, "block 'ssa_atention' is not supported here"),
])
def test_bad_specs_name_the_file_and_the_option(raw, fragment):
    with pytest.raises(InputError) as error:
        spec_from_dict(raw, "x.yaml")
    message = str(error.value)
    assert message.startswith("x.yaml: ") and fragment in message and "\n" not in message


def test_a_bad_variant_spec_is_a_one_line_cli_error(capsys, tmp_path):
    path = tmp_path / "a2os2a.yaml"
    path.write_text("block: a2os2a_attention\nembed_dim: 64\nnum_heads: 4\nlanes: 32\n")
    code = main(["deploy", str(path), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("error: ")
    assert "lanes 32 does not divide the head dimension 16" in err[0]
    assert not (tmp_path / "out").exists()
