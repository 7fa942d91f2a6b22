"""Experiments: running scenarios, storing their results, recomputing single replicates."""
