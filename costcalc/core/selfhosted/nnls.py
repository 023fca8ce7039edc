"""Non-negative least squares for the handful of coefficients of the capacity fit."""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt


def nnls(
    design: npt.NDArray[np.float64], target: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """argmin ‖design·x − target‖² subject to x ≥ 0, exactly, by trying every active set.

    With at most three coefficients (prefill, decode, constant) there are seven non-empty
    subsets; the best feasible unconstrained solution over them is the constrained optimum,
    because the optimum is the unconstrained optimum of its own support.
    """
    n = design.shape[1]
    best = np.zeros(n)
    best_cost = float(np.sum(target**2))
    for size in range(1, n + 1):
        for support in itertools.combinations(range(n), size):
            cols = list(support)
            sub, *_ = np.linalg.lstsq(design[:, cols], target, rcond=None)
            if np.any(sub < 0):
                continue
            x = np.zeros(n)
            x[cols] = sub
            cost = float(np.sum((design @ x - target) ** 2))
            if cost < best_cost - 1e-15 * max(1.0, best_cost):
                best, best_cost = x, cost
    return best
