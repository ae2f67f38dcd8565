"""The approaches the benchmark compares. Each takes (a, a_ids, b, b_ids, threads) and returns the
nearest target id of every source cluster and the nearest source id of every target cluster (Max
metric, Euclidean distances), as two dicts, except the floor, which returns nothing.

- scipar core: libscipar.so through ctypes.
- scipar plugin: the ParaView filter, run by pvpython on VTK data built from the arrays.
- seed: the 2018 notebook's approach with its distance bug fixed: a Numba (nopython, nogil) Chamfer
  per cluster pair, every pair evaluated, source clusters spread over joblib threads.
- SciPy per cluster: one cKDTree per cluster, each cluster's points queried at once against every
  cluster of the other cloud.
- floor: one nearest-neighbour query per point against the whole other cloud, both ways (cKDTree,
  workers=threads): a global nearest-neighbour search, not a matching; the answer itself for
  one-point clusters.
- limit (oracle-informed): bench/limit.c given scipar's final pairs computes only their exact
  Chamfer values, with its own grouping, k-d trees and SIMD loops: the least exact work any method
  must do. Not a matching either (it is told the answer).
- brute force: bench/limit.c evaluating every cluster pair over every point pair.
"""
import ctypes
import time

import numba
import numpy as np
from joblib import Parallel, delayed
from scipy.spatial import cKDTree


class _Cloud(ctypes.Structure):
    _fields_ = [("points", ctypes.POINTER(ctypes.c_double)), ("labels", ctypes.POINTER(ctypes.c_int64)),
                ("num_points", ctypes.c_size_t), ("skip", ctypes.POINTER(ctypes.c_ubyte))]


class _Options(ctypes.Structure):
    _fields_ = [("metric", ctypes.c_int), ("squared", ctypes.c_int), ("max_pair_distance", ctypes.c_double),
                ("num_threads", ctypes.c_int), ("progress", ctypes.c_void_p), ("progress_user_data", ctypes.c_void_p)]


class _Side(ctypes.Structure):
    _fields_ = [("num_clusters", ctypes.c_size_t)] + [
        (name, ctypes.POINTER(kind)) for name, kind in (
            ("cluster_ids", ctypes.c_int64), ("cluster_sizes", ctypes.c_int64), ("centroids", ctypes.c_double),
            ("nearest", ctypes.c_int64), ("nearest_distance", ctypes.c_double), ("mutual", ctypes.c_ubyte),
            ("pair_index", ctypes.c_int64), ("cluster_offsets", ctypes.c_int64),
            ("cluster_point_ids", ctypes.c_int64), ("point_cluster", ctypes.c_int64))
    ] + [("num_excluded_points", ctypes.c_size_t), ("num_skipped_points", ctypes.c_size_t)]


class _Pair(ctypes.Structure):
    _fields_ = [("source", ctypes.c_int64), ("target", ctypes.c_int64), ("distance", ctypes.c_double),
                ("source_to_target", ctypes.c_ubyte), ("target_to_source", ctypes.c_ubyte), ("mutual", ctypes.c_ubyte)]


class _Result(ctypes.Structure):
    _fields_ = [("source", _Side), ("target", _Side), ("num_pairs", ctypes.c_size_t), ("pairs", ctypes.c_void_p),
                ("first_pair", ctypes.c_int64),
                ("num_threads", ctypes.c_int), ("wall_seconds", ctypes.c_double), ("cpu_seconds", ctypes.c_double),
                ("message", ctypes.c_char * 256)]


class SciparCore:
    """scipar_match through ctypes; mirrors core/include/scipar/scipar.h."""

    def __init__(self, library):
        self.lib = ctypes.CDLL(library)
        self.lib.scipar_options_init.argtypes = [ctypes.POINTER(_Options)]
        self.lib.scipar_match.argtypes = [ctypes.POINTER(_Cloud), ctypes.POINTER(_Cloud), ctypes.POINTER(_Options),
                                          ctypes.POINTER(_Result)]
        self.lib.scipar_result_free.argtypes = [ctypes.POINTER(_Result)]

    @staticmethod
    def _cloud(points, ids):
        return _Cloud(points.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
                      ids.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)), len(ids))

    def __call__(self, a, a_ids, b, b_ids, threads, with_pairs=False):
        """The nearest dicts both ways; with_pairs: also the pairs table as (source ids, target ids,
        values) arrays."""
        options = _Options()
        self.lib.scipar_options_init(ctypes.byref(options))
        options.num_threads = threads
        result = _Result()
        status = self.lib.scipar_match(ctypes.byref(self._cloud(a, a_ids)), ctypes.byref(self._cloud(b, b_ids)),
                                       ctypes.byref(options), ctypes.byref(result))
        if status != 0:
            raise RuntimeError(result.message.decode())
        try:
            answer = _nearest_dict(result.source, result.target), _nearest_dict(result.target, result.source)
            if not with_pairs:
                return answer
            n = result.num_pairs
            rows = np.ctypeslib.as_array(ctypes.cast(result.pairs, ctypes.POINTER(_Pair)), (n,)) if n else None
            source_ids = np.ctypeslib.as_array(result.source.cluster_ids, (result.source.num_clusters,))
            target_ids = np.ctypeslib.as_array(result.target.cluster_ids, (result.target.num_clusters,))
            if rows is None:
                return answer, (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
            return answer, (source_ids[rows["source"]].copy(), target_ids[rows["target"]].copy(),
                            rows["distance"].copy())
        finally:
            self.lib.scipar_result_free(ctypes.byref(result))


class Limit:
    """bench/limit.c through ctypes: the oracle-informed limit and the all-pairs brute force."""

    def __init__(self, library):
        self.lib = ctypes.CDLL(library)
        pointer, size = ctypes.c_void_p, ctypes.c_size_t
        self.lib.scipar_limit_values.argtypes = [pointer, pointer, size, pointer, pointer, size, pointer, pointer, size,
                                                 ctypes.c_int, pointer]
        self.lib.scipar_limit_values.restype = ctypes.c_double
        self.lib.scipar_brute_force.argtypes = [pointer, pointer, size, pointer, pointer, size, ctypes.c_int, pointer,
                                                pointer]
        self.lib.scipar_brute_force.restype = ctypes.c_double

    @staticmethod
    def _p(array):
        return array.ctypes.data_as(ctypes.c_void_p)

    def values(self, a, a_ids, b, b_ids, pairs, threads):
        """The exact values of the given pairs (source ids, target ids): (seconds, values)."""
        source, target = np.ascontiguousarray(pairs[0]), np.ascontiguousarray(pairs[1])
        values = np.empty(len(source))
        seconds = self.lib.scipar_limit_values(self._p(a), self._p(a_ids), len(a_ids), self._p(b), self._p(b_ids),
                                               len(b_ids), self._p(source), self._p(target), len(source), threads,
                                               self._p(values))
        if seconds < 0:
            raise RuntimeError("the limit failed (out of memory, or a pair names a missing cluster)")
        return seconds, values

    def brute_force(self, a, a_ids, b, b_ids, threads):
        """Every cluster pair over every point pair: the nearest dicts both ways."""
        source_ids, target_ids = np.unique(a_ids), np.unique(b_ids)
        forward, backward = np.empty(len(source_ids), np.int64), np.empty(len(target_ids), np.int64)
        seconds = self.lib.scipar_brute_force(self._p(a), self._p(a_ids), len(a_ids), self._p(b), self._p(b_ids),
                                              len(b_ids), threads, self._p(forward), self._p(backward))
        if seconds < 0:
            raise RuntimeError("the brute force ran out of memory")
        return dict(zip(source_ids.tolist(), forward.tolist())), dict(zip(target_ids.tolist(), backward.tolist()))


def _nearest_dict(side, other):
    k = side.num_clusters
    ids = np.ctypeslib.as_array(side.cluster_ids, (k,))
    nearest = np.ctypeslib.as_array(side.nearest, (k,))
    other_ids = np.ctypeslib.as_array(other.cluster_ids, (other.num_clusters,))
    return dict(zip(ids.tolist(), other_ids[nearest].tolist()))


class SciparPlugin:
    """The ParaView filter, as a pvpython user runs it. Calling it returns the seconds its pipeline
    update took (VTK data in, conversion, matching, VTK data out) and its answer: building the input
    proxies and fetching the table afterwards are not timed."""

    def __init__(self, plugin):
        from paraview import simple
        self.simple = simple
        simple.LoadPlugin(plugin, ns=globals())

    def __call__(self, a, a_ids, b, b_ids, threads):
        from paraview import servermanager
        source, target = self.simple.TrivialProducer(), self.simple.TrivialProducer()
        source.GetClientSideObject().SetOutput(_polydata(a, a_ids))
        target.GetClientSideObject().SetOutput(_polydata(b, b_ids))
        source.UpdatePipeline()
        target.UpdatePipeline()
        matching = ChamferClusterMatching(Source=source, Target=target, NumberOfThreads=threads)  # noqa: F821
        start = time.perf_counter()
        matching.UpdatePipeline()
        seconds = time.perf_counter() - start
        table = servermanager.Fetch(matching, idx=2)
        columns = [np.array([table.GetColumnByName(c).GetValue(r) for r in range(table.GetNumberOfRows())])
                   for c in ("SourceId", "TargetId", "SourceToTarget", "TargetToSource")]
        for proxy in (matching, source, target):
            self.simple.Delete(proxy)
        s, t, s2t, t2s = columns
        answer = (dict(zip(s[s2t == 1].tolist(), t[s2t == 1].tolist())),
                  dict(zip(t[t2s == 1].tolist(), s[t2s == 1].tolist())))
        return seconds, answer


def _polydata(points, ids):
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonCore import vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkPolyData
    data = vtkPolyData()
    vtk_points = vtkPoints()
    vtk_points.SetData(numpy_to_vtk(points, deep=1))
    data.SetPoints(vtk_points)
    labels = numpy_to_vtk(ids, deep=1)
    labels.SetName("ClusterId")
    data.GetPointData().AddArray(labels)
    return data


def _clusters(points, ids):
    """Sorted ids and the points of each cluster."""
    order = np.argsort(ids, kind="stable")
    unique, starts = np.unique(ids[order], return_index=True)
    return unique, np.split(points[order], starts[1:])


@numba.jit(nopython=True, nogil=True, cache=True)
def _chamfer_numba(left, right):
    """The notebook's chamfer_JIT with the Euclidean distance |l - r|."""
    lr = 0.0
    for li in range(left.shape[0]):
        m = np.inf
        for ri in range(right.shape[0]):
            d = np.sqrt((left[li, 0] - right[ri, 0]) ** 2 + (left[li, 1] - right[ri, 1]) ** 2
                        + (left[li, 2] - right[ri, 2]) ** 2)
            m = min(m, d)
        lr += m
    rl = 0.0
    for ri in range(right.shape[0]):
        m = np.inf
        for li in range(left.shape[0]):
            d = np.sqrt((left[li, 0] - right[ri, 0]) ** 2 + (left[li, 1] - right[ri, 1]) ** 2
                        + (left[li, 2] - right[ri, 2]) ** 2)
            m = min(m, d)
        rl += m
    return max(lr / left.shape[0], rl / right.shape[0])


# Compiled at import (cached on disk). Observed here: between importing numba and its first jitted
# call, every 2-thread OpenMP region of the process took ~0.1 s; running one first keeps the other
# contenders' timings clean.
_chamfer_numba(np.zeros((1, 3)), np.zeros((1, 3)))


def _nearest_of_each(queries, query_ids, others, other_ids, chamfer, threads):
    """For each query cluster, the other cluster of least chamfer(query, other), ties to the smaller id,
    query clusters spread over joblib threads as in the notebook."""
    def best(q):
        values = [chamfer(q, o) for o in others]
        return other_ids[int(np.argmin(values))]
    found = Parallel(n_jobs=threads, backend="threading")(delayed(best)(q) for q in queries)
    return dict(zip(query_ids.tolist(), [int(f) for f in found]))


def seed_numba(a, a_ids, b, b_ids, threads, subsample=None):
    s_ids, s_clusters = _clusters(a, a_ids)
    t_ids, t_clusters = _clusters(b, b_ids)
    _chamfer_numba(s_clusters[0], t_clusters[0])  # compile outside the timing
    s_q, t_q = _subsample(s_clusters, s_ids, subsample), _subsample(t_clusters, t_ids, subsample)
    forward = _nearest_of_each(*s_q, t_clusters, t_ids, _chamfer_numba, threads)
    backward = _nearest_of_each(*t_q, s_clusters, s_ids, lambda q, o: _chamfer_numba(o, q), threads)
    return forward, backward


def scipy_per_cluster(a, a_ids, b, b_ids, threads, subsample=None):
    """cKDTree queries release the GIL: query clusters are spread over joblib threads, each query
    single-threaded (a thread pool per small query would cost more than the query)."""
    s_ids, s_clusters = _clusters(a, a_ids)
    t_ids, t_clusters = _clusters(b, b_ids)
    s_trees = [cKDTree(c) for c in s_clusters]
    t_trees = [cKDTree(c) for c in t_clusters]

    def chamfer(points, tree, other_points, other_tree):
        return max(other_tree.query(points)[0].mean(), tree.query(other_points)[0].mean())

    def nearest(clusters, trees, ids, others, other_trees, other_ids, count):
        def best(i):
            values = [chamfer(clusters[i], trees[i], others[j], other_trees[j]) for j in range(len(others))]
            return int(other_ids[int(np.argmin(values))])
        found = Parallel(n_jobs=threads, backend="threading")(delayed(best)(i) for i in range(count))
        return dict(zip(ids[:count].tolist(), found))

    s_count = len(s_ids) if subsample is None else min(subsample, len(s_ids))
    t_count = len(t_ids) if subsample is None else min(subsample, len(t_ids))
    forward = nearest(s_clusters, s_trees, s_ids, t_clusters, t_trees, t_ids, s_count)
    backward = nearest(t_clusters, t_trees, t_ids, s_clusters, s_trees, s_ids, t_count)
    return forward, backward


def _subsample(clusters, ids, count):
    if count is None:
        return clusters, ids
    return clusters[:count], ids[:count]


def floor(a, a_ids, b, b_ids, threads):
    cKDTree(b).query(a, workers=threads)
    cKDTree(a).query(b, workers=threads)
    return None


def sampled_pair_seconds(peer, a, a_ids, b, b_ids, pairs, seed=0):
    """Mean seconds of one cluster-pair Chamfer evaluation of a peer, over `pairs` random pairs, and
    the seconds of its set-up (grouping, and for SciPy the trees of every cluster)."""
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    s_ids, s_clusters = _clusters(a, a_ids)
    t_ids, t_clusters = _clusters(b, b_ids)
    if peer == "scipy":
        s_trees = [cKDTree(c) for c in s_clusters]
        t_trees = [cKDTree(c) for c in t_clusters]
    setup = time.perf_counter() - start
    chosen = [(int(rng.integers(len(s_ids))), int(rng.integers(len(t_ids)))) for _ in range(pairs)]
    start = time.perf_counter()
    for i, j in chosen:
        if peer == "seed":
            _chamfer_numba(s_clusters[i], t_clusters[j])
        else:
            max(t_trees[j].query(s_clusters[i])[0].mean(), s_trees[i].query(t_clusters[j])[0].mean())
    return (time.perf_counter() - start) / pairs, setup
