"""The benchmark's workloads: a cloud of Gaussian clusters and its next frame (every cluster moved
slightly, points jittered, ids renumbered), so that the right pairing is known.

Every workload is deterministic (its own seed). Cluster ids of the next frame are 3 * id + 1.
"""
import numpy as np

NEXT_ID_SCALE, NEXT_ID_OFFSET = 3, 1


def seed_clusters(n, m, seed):
    """The 2018 notebook's gen_clusters, with its legacy NumPy calls: n clusters of 1..m-1 points
    around integer means in [1, 10) with per-axis sigma 1 or 2."""
    np.random.seed(seed)
    points, ids = [], []
    for cluster, size in enumerate(np.random.randint(1, m, n)):
        means, sigmas = np.random.randint(1, 10, 3), np.random.randint(1, 3, 3)
        points.append(np.random.normal(loc=means, scale=sigmas, size=(size, 3)))
        ids.append(np.full(size, cluster, dtype=np.int64))
    return np.vstack(points), np.concatenate(ids)


def cluster_sizes(weights, num_points):
    """Sizes proportional to weights, each at least 1, summing to num_points. Rounding leaves a
    difference: the last cluster takes it, unless that would leave it empty (many clusters of about
    one point), in which case the largest clusters give up one point each until the sum is right."""
    if num_points < len(weights):
        raise ValueError(f"{len(weights)} clusters cannot share {num_points} points")
    sizes = np.maximum(1, np.round(weights / weights.sum() * num_points)).astype(np.int64)
    difference = num_points - int(sizes.sum())
    if sizes[-1] + difference >= 1:
        sizes[-1] += difference
        return sizes
    excess = -difference
    while excess > 0:
        larger = np.flatnonzero(sizes > 1)
        take = larger[np.argsort(-sizes[larger], kind="stable")][:excess]
        sizes[take] -= 1
        excess -= len(take)
    return sizes


def separated_clusters(num_points, num_clusters, seed, sigma=0.5):
    """Clusters of varying size (a factor ~10 between small and large) with centres uniform in a box
    sized so that clusters are mostly apart, as segmented real data is; points in random order."""
    rng = np.random.default_rng(seed)
    weights = rng.uniform(0.2, 2.0, num_clusters)
    sizes = cluster_sizes(weights, num_points)
    box = 4.0 * sigma * np.cbrt(num_clusters) * 2.0
    centres = rng.uniform(0, box, (num_clusters, 3))
    ids = np.repeat(np.arange(num_clusters, dtype=np.int64), sizes)
    points = centres[ids] + rng.normal(0, sigma, (len(ids), 3))
    order = rng.permutation(len(ids))
    return points[order], ids[order]


def next_frame(points, ids, seed, shift=0.15, jitter=0.01):
    """Every cluster moved by its own small vector, points jittered, ids renumbered."""
    rng = np.random.default_rng(seed)
    moves = rng.uniform(-shift, shift, (ids.max() + 1, 3))
    moved = points + moves[ids] + rng.normal(0, jitter, points.shape)
    return moved, ids * NEXT_ID_SCALE + NEXT_ID_OFFSET


def seed_next_frame(points, ids, seed, shift=(0.1, 0.5), jitter=0.01):
    """The seed-like workloads' next frame: every cluster moved by a vector of random direction and a
    length uniform in `shift`, points jittered, ids renumbered."""
    rng = np.random.default_rng(seed)
    k = ids.max() + 1
    directions = rng.normal(size=(k, 3))
    directions /= np.linalg.norm(directions, axis=1)[:, None]
    moves = directions * rng.uniform(*shift, k)[:, None]
    moved = points + moves[ids] + rng.normal(0, jitter, points.shape)
    return moved, ids * NEXT_ID_SCALE + NEXT_ID_OFFSET


def moved(make, seed):
    """A cloud and its next frame."""
    points, ids = make()
    return (points, ids) + next_frame(points, ids, seed)


def _seed_like(clusters, size, seed):
    points, ids = seed_clusters(clusters, size, seed)
    return (points, ids) + seed_next_frame(points, ids, seed + 1)


def _far_apart(num_points, num_clusters, seed, distance=1000.0):
    """The next frame moved `distance` away along x: every value is large and nearly equal."""
    a, a_ids, b, b_ids = moved(lambda: separated_clusters(num_points, num_clusters, seed), seed + 1)
    return a, a_ids, b + np.array([distance, 0.0, 0.0]), b_ids


def _singletons(num_points, seed):
    """Every point its own cluster: the answer is a global nearest-neighbour query."""
    return moved(lambda: separated_clusters(num_points, num_points, seed), seed + 1)


def _huge_vs_many(num_points, num_clusters, seed):
    """The source is one cluster of every point; the target is its next frame in num_clusters small
    clusters: every target cluster pairs with the huge one, and each value needs all its points."""
    a, a_ids, b, b_ids = moved(lambda: separated_clusters(num_points, num_clusters, seed), seed + 1)
    return a, np.zeros_like(a_ids), b, b_ids


WORKLOADS = {
    # name: (description, maker of (source points, source ids, target points, target ids))
    "seed": ("the notebook's case: gen_clusters(50, 35, seed=1)",
             lambda: moved(lambda: seed_clusters(50, 35, 1), len("seed"))),
    "100k": ("2 x 100k points, 2,000 clusters", lambda: moved(lambda: separated_clusters(100_000, 2_000, 1), 4)),
    "1M-10k": ("2 x 1M points, 10,000 clusters",
               lambda: moved(lambda: separated_clusters(1_000_000, 10_000, 2), 6)),
    "1M-20": ("2 x 1M points, 20 large clusters",
              lambda: moved(lambda: separated_clusters(1_000_000, 20, 3, sigma=2.0), 5)),
    "seed-100k": ("the notebook's gen_clusters at scale: 2 x 100k points, 2,000 heavily overlapping clusters, "
                  "next frame shifted 0.1-0.5", lambda: _seed_like(2_000, 100, 11)),
    "seed-1M": ("gen_clusters at scale: 2 x 1M points, 10,000 heavily overlapping clusters, next frame shifted 0.1-0.5",
                lambda: _seed_like(10_000, 200, 12)),
    "far-100k": ("2 x 100k points, 1,000 separated clusters, next frame 1,000 units away",
                 lambda: _far_apart(100_000, 1_000, 13)),
    "far-1M": ("2 x 1M points, 10,000 separated clusters, next frame 1,000 units away",
               lambda: _far_apart(1_000_000, 10_000, 14)),
    "singletons-100k": ("2 x 100k points, every point its own cluster", lambda: _singletons(100_000, 15)),
    "singletons-1M": ("2 x 1M points, every point its own cluster", lambda: _singletons(1_000_000, 16)),
    "huge-100k": ("one cluster of 100k points vs 10,000 clusters of its next frame",
                  lambda: _huge_vs_many(100_000, 10_000, 17)),
}


def workload(name):
    """(source points, source ids, target points, target ids) of a named workload."""
    a, a_ids, b, b_ids = WORKLOADS[name][1]()
    return (np.ascontiguousarray(a, dtype=np.float64), np.ascontiguousarray(a_ids, dtype=np.int64),
            np.ascontiguousarray(b, dtype=np.float64), np.ascontiguousarray(b_ids, dtype=np.int64))
