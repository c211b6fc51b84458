"""famlink.evaluation."""
