"""Experiments: simulating scenarios into results folders, sweeps over their parameters, replays."""
