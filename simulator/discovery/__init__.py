"""Scenario discovery: which regions of a sweep's parameter space produce an outcome of interest.

:func:`prim` (the Patient Rule Induction Method, as scenario discovery uses it) finds one box and
its peeling trajectory; :func:`cart_boxes` reads a classification tree's leaves as boxes;
:func:`feature_scores` ranks the parameters by extra-trees importance. scikit-learn, which the
last two need, is imported only when they are called.
"""

from simulator.discovery.prim import Box, Trajectory, prim
from simulator.discovery.trees import cart_boxes, feature_scores

__all__ = ["Box", "Trajectory", "cart_boxes", "feature_scores", "prim"]
