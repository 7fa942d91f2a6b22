"""Tree-based companions to PRIM: a classification tree's leaves as boxes, and feature scores.

:func:`cart_boxes` fits a shallow decision tree (CART; Breiman et al. 1984) to the cases of
interest and reads each leaf as a box, with the same statistics as PRIM's boxes — a second
opinion on PRIM's box that partitions the whole space instead of peeling one region (Lempert et
al. 2008 compare the two). :func:`feature_scores` ranks the parameters by their impurity
importance in an ensemble of extremely randomised trees (Geurts et al. 2006), which EMA
Workbench's feature scoring uses too: a quick screen of which parameters matter at all, for a
boolean or a continuous outcome.

scikit-learn is imported inside the functions, so importing :mod:`simulator.discovery` stays
light.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from simulator.discovery.prim import validate_xy

__all__ = ["cart_boxes", "feature_scores"]

#: the statistics columns of :func:`cart_boxes`' table, before the limits
CART_COLUMNS = ("density", "coverage", "mass", "n", "res_dim", "restricted")


def cart_boxes(
    x: pd.DataFrame,
    y: npt.ArrayLike,
    max_depth: int = 3,
    min_samples_leaf: int | float = 0.05,
    *,
    seed: int = 0,
) -> pd.DataFrame:
    """Fit a decision tree to the cases of interest ``y`` and return its leaves as boxes.

    ``x``: numeric parameters (no NaN); ``y``: boolean, at least one True. ``max_depth``: the
    tree's depth (at most ``2**max_depth`` leaves). ``min_samples_leaf``: the fewest points a
    leaf may hold — a count (int ≥ 1) or a share of all points (float in (0, 0.5]), like PRIM's
    ``min_mass``. ``seed`` fixes the tree's tie-breaking between equally good splits.

    One row per leaf (index ``leaf``: the tree's node id), sorted by density, highest first
    (ties: higher coverage): ``density``, ``coverage``, ``mass`` and ``n`` as for PRIM's
    :class:`~simulator.discovery.prim.Box`; ``res_dim`` (how many parameters the leaf's path
    splits on so that its range is narrower than the full range) and ``restricted`` (their
    names, joined by ", "); then ``<parameter>_low`` and ``<parameter>_high`` for every
    parameter. A leaf holds the points with ``low < value <= high`` where the tree split (its
    convention: left ``value <= threshold``, right ``value > threshold``) and the parameter's
    full range in the data elsewhere; the statistics count the points the tree routes there.
    Raises ValueError on bad input.
    """
    from sklearn.tree import DecisionTreeClassifier

    if isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 1:
        raise ValueError(f"max_depth must be an integer >= 1, got {max_depth!r}")
    if isinstance(min_samples_leaf, bool):
        raise ValueError("min_samples_leaf must be a count or a share, not a bool")
    if isinstance(min_samples_leaf, int):
        if min_samples_leaf < 1:
            raise ValueError(f"min_samples_leaf must be >= 1 as a count, got {min_samples_leaf}")
    elif not 0.0 < min_samples_leaf <= 0.5:
        raise ValueError(
            f"min_samples_leaf must lie in (0, 0.5] as a share, got {min_samples_leaf}"
        )
    matrix, target = validate_xy(x, y)
    interest = target.astype(bool)
    if not interest.any():
        raise ValueError("y has no case of interest (no True value)")
    names = [str(c) for c in x.columns]

    tree = DecisionTreeClassifier(
        max_depth=max_depth, min_samples_leaf=min_samples_leaf, random_state=seed
    ).fit(matrix, interest)
    structure = tree.tree_
    left = np.asarray(structure.children_left, dtype=int)
    right = np.asarray(structure.children_right, dtype=int)
    feature = np.asarray(structure.feature, dtype=int)
    threshold = np.asarray(structure.threshold, dtype=float)
    leaf_of = np.asarray(tree.apply(matrix), dtype=int)

    full_low = matrix.min(axis=0)
    full_high = matrix.max(axis=0)
    n_total = len(interest)
    coi_total = int(interest.sum())
    rows: list[dict[str, object]] = []
    # walk the tree from the root, narrowing the limits along each path
    stack: list[tuple[int, npt.NDArray[np.float64], npt.NDArray[np.float64]]] = [
        (0, full_low.copy(), full_high.copy())
    ]
    while stack:
        node, low, high = stack.pop()
        if left[node] == right[node]:  # a leaf (both -1)
            members = leaf_of == node
            n = int(members.sum())
            coi = int(interest[members].sum())
            restricted = [
                name
                for name, lo, hi, flo, fhi in zip(
                    names, low, high, full_low, full_high, strict=True
                )
                if lo > flo or hi < fhi
            ]
            row: dict[str, object] = {
                "leaf": node,
                "density": coi / n if n else 0.0,
                "coverage": coi / coi_total,
                "mass": n / n_total,
                "n": n,
                "res_dim": len(restricted),
                "restricted": ", ".join(restricted),
            }
            for j, name in enumerate(names):
                row[f"{name}_low"] = float(low[j])
                row[f"{name}_high"] = float(high[j])
            rows.append(row)
            continue
        j, cut = feature[node], threshold[node]
        left_high = high.copy()
        left_high[j] = min(high[j], cut)
        right_low = low.copy()
        right_low[j] = max(low[j], cut)
        stack.append((int(right[node]), right_low, high.copy()))
        stack.append((int(left[node]), low.copy(), left_high))

    table = pd.DataFrame(rows).set_index("leaf")
    limit_columns = [f"{name}_{side}" for name in names for side in ("low", "high")]
    table = table[list(CART_COLUMNS) + limit_columns]
    return table.sort_values(["density", "coverage"], ascending=False, kind="stable")


def feature_scores(
    x: pd.DataFrame, y: npt.ArrayLike, seed: int = 0, *, n_estimators: int = 250
) -> pd.Series:
    """Rank the parameters by extra-trees importance for the outcome ``y``.

    ``y`` boolean (cases of interest): an ``ExtraTreesClassifier``; numeric (a continuous
    outcome): an ``ExtraTreesRegressor``. ``n_estimators`` trees, seeded by ``seed``. Returns
    the mean decrease in impurity per parameter, normalised to sum to 1, as a Series named
    ``importance`` indexed by parameter, highest first (ties in ``x``'s column order). Raises
    ValueError on bad input, or when ``y`` is constant (nothing to explain).
    """
    from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor

    if isinstance(n_estimators, bool) or not isinstance(n_estimators, int) or n_estimators < 1:
        raise ValueError(f"n_estimators must be an integer >= 1, got {n_estimators!r}")
    matrix, target = validate_xy(x, y, boolean=False)
    if np.all(target == target[0]):
        raise ValueError("y is constant: there is nothing to explain")
    boolean = np.asarray(y).dtype == np.bool_
    model = (
        ExtraTreesClassifier(n_estimators=n_estimators, random_state=seed)
        if boolean
        else ExtraTreesRegressor(n_estimators=n_estimators, random_state=seed)
    )
    model.fit(matrix, target.astype(bool) if boolean else target)
    importances = np.asarray(model.feature_importances_, dtype=float)
    total = importances.sum()
    if not total > 0:  # every tree a single leaf: cannot happen for non-constant y
        raise ValueError("the trees found no split: y cannot be explained by x")
    scores = pd.Series(
        importances / total,
        index=pd.Index([str(c) for c in x.columns], name="parameter"),
        name="importance",
    )
    return scores.sort_values(ascending=False, kind="stable")
