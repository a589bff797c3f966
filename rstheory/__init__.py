"""rstheory: the mathematics of randomized-smoothing robustness certificates.

Randomized smoothing turns a base classifier ``f`` into
``g(x) = argmax_c P[f(x + sigma * N(0, I)) = c]`` and certifies the L2 radius
``sigma * Phi^-1(p_A)`` around ``x`` (Cohen, Rosenfeld & Kolter 2019), where
``p_A`` is a Clopper-Pearson lower bound from ``n`` noisy votes.  rstheory
provides sound Numba kernels for these formulas (a lower bound or radius is
never above the exact value, in floating point too), a 50-digit mpmath twin of
each (:mod:`rstheory.reference`), Cohen's PREDICT and CERTIFY from counts, and
a command line (``rstheory``) that computes, verifies and reports.

The public API (names and keyword names are a contract, see DESIGN.md):

>>> from rstheory import clopper_pearson_lower, gaussian_radius, certify
>>> p = clopper_pearson_lower(990, 1000, 0.001)
>>> round(gaussian_radius(p, 0.25), 4)
0.4945
>>> certify([3, 990, 7], [5, 99880, 115], sigma=0.25, alpha=0.001).label
1

Importing rstheory does not import matplotlib or torch (they load lazily).
"""

from rstheory.bounds import (
    ConfidenceInterval,
    clopper_pearson,
    clopper_pearson_lower,
    clopper_pearson_upper,
    hoeffding_lower,
    hoeffding_upper,
    wilson_lower,
    wilson_upper,
)
from rstheory.certify import ABSTAIN, Certificate, certified_accuracy, certify, predict
from rstheory.classifiers import (
    MLP,
    Ball,
    Checkerboard,
    Linear,
    Paraboloid,
    Sectors,
    monte_carlo_counts,
)
from rstheory.levels import level_distance_bound, level_threshold, majority_vote_probability
from rstheory.planning import (
    RadiusDistribution,
    abstain_probability,
    certification_probability,
    expected_radius,
    max_radius,
    predict_min_n,
    radius_distribution,
    required_n,
)
from rstheory.radius import (
    gaussian_radius,
    gaussian_radius_two,
    l2_radius_for_linf,
    laplace_radius,
    linf_radius_from_l2,
    uniform_radius,
)
from rstheory.simulate import (
    SmoothedClassifier,
    binary_search,
    binary_search_spread,
    direction_scan,
    linear_normal_cosine,
    normal_estimate,
    normal_study,
    search_distribution,
    slice_2d,
)
from rstheory.sorm import (
    DesignPoint,
    breitung,
    design_point,
    form,
    hohenbichler,
    paraboloid_probability,
    principal_curvatures,
    smoothed_frontier_offset,
    sphere_probability,
    tvedt,
)

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "ABSTAIN",
    "Certificate",
    "RadiusDistribution",
    "abstain_probability",
    "certification_probability",
    "expected_radius",
    "max_radius",
    "predict_min_n",
    "radius_distribution",
    "required_n",
    "ConfidenceInterval",
    "certified_accuracy",
    "certify",
    "clopper_pearson",
    "clopper_pearson_lower",
    "clopper_pearson_upper",
    "gaussian_radius",
    "gaussian_radius_two",
    "hoeffding_lower",
    "hoeffding_upper",
    "l2_radius_for_linf",
    "level_distance_bound",
    "level_threshold",
    "majority_vote_probability",
    "laplace_radius",
    "linf_radius_from_l2",
    "predict",
    "uniform_radius",
    "wilson_lower",
    "wilson_upper",
    "Ball",
    "Checkerboard",
    "Linear",
    "MLP",
    "Paraboloid",
    "Sectors",
    "monte_carlo_counts",
    "DesignPoint",
    "breitung",
    "design_point",
    "form",
    "hohenbichler",
    "paraboloid_probability",
    "principal_curvatures",
    "smoothed_frontier_offset",
    "sphere_probability",
    "tvedt",
    "SmoothedClassifier",
    "binary_search",
    "binary_search_spread",
    "direction_scan",
    "linear_normal_cosine",
    "normal_estimate",
    "normal_study",
    "search_distribution",
    "slice_2d",
]
