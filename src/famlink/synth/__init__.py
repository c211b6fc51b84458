"""famlink.synth."""
