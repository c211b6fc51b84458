"""famlink.synth: a synthetic England with known truth, for the demo, the tests and the benchmarks.

Public API: `SynthConfig`, `generate_world(config, out)`, `summarise_world(path)`. Pipeline code must
never import this package (an import contract enforces it): truth is for tests and benchmarks only.
"""

from famlink.synth.config import DEFAULT_EFFECTS, ErrorRates, SynthConfig
from famlink.synth.world import generate_world

__all__ = ["DEFAULT_EFFECTS", "ErrorRates", "SynthConfig", "generate_world"]
