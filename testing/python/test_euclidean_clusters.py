"""Euclidean Clusters on the Kinect frames of data/kinect/, against independent answers.

Usage: pvpython test_euclidean_clusters.py PLUGIN DATA_DIR

- Min Neighbors 0, Min Cluster Size 1: the same partition of the points as VTK's own
  vtkEuclideanClusterExtraction (all clusters), whose output points are matched back to the input
  by their coordinates.
- Min Neighbors > 0 (DBSCAN-like) and size limits: the ids of an oracle written here with SciPy
  (cKDTree neighbour lists, connected components of the core points, every other point to its
  nearest core neighbour, clusters by decreasing size).
- The output keeps the input's arrays (an input ClusterId as ClusterId_input), ClusterSize and
  NoisePoints agree with the ids; a bad radius gives a clear error and an empty output.
Prints the time per frame (not asserted).
"""
import glob
import os
import sys

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from paraview import servermanager
from paraview.simple import Delete, LoadPlugin, XMLPolyDataReader
from vtkmodules.util.numpy_support import vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkLogger, vtkOutputWindow, vtkStringOutputWindow
from vtkmodules.vtkFiltersPoints import vtkEuclideanClusterExtraction

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAILED:", message)


def same_partition(a, b):
    """Whether two labelings group the points identically (label values may differ)."""
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def vtk_clusters(polydata, radius):
    """VTK's Euclidean cluster extraction, as a cluster label per input point."""
    extraction = vtkEuclideanClusterExtraction()
    extraction.SetInputData(polydata)
    extraction.SetRadius(radius)
    extraction.SetExtractionModeToAllClusters()
    extraction.ColorClustersOn()
    extraction.Update()
    out = extraction.GetOutput()
    where = {tuple(p): i for i, p in enumerate(vtk_to_numpy(polydata.GetPoints().GetData()).tolist())}
    labels = np.full(polydata.GetNumberOfPoints(), -1, dtype=np.int64)
    for point, label in zip(vtk_to_numpy(out.GetPoints().GetData()).tolist(),
                            vtk_to_numpy(out.GetPointData().GetArray("ClusterId"))):
        labels[where[tuple(point)]] = label
    return labels


def oracle_clusters(points, radius, min_neighbors, min_size, max_size):
    """The definition of scipar/clustering.h with SciPy: ids by decreasing size, ties (of sizes, and of
    distances to core points) by the point that comes first by x, then y, then z."""
    n = len(points)
    tree = cKDTree(points)
    pairs = tree.query_pairs(radius, output_type="ndarray")  # distance <= radius
    degree = np.bincount(pairs.ravel(), minlength=n)
    core = degree >= min_neighbors
    core_pairs = pairs[core[pairs[:, 0]] & core[pairs[:, 1]]]
    graph = coo_matrix((np.ones(len(core_pairs)), (core_pairs[:, 0], core_pairs[:, 1])), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    group = np.where(core, component, -1)
    distances = np.sqrt(((points[pairs[:, 0]] - points[pairs[:, 1]]) ** 2).sum(axis=1))
    for i in np.flatnonzero(~core):
        best = None
        for (a, b), d in zip(pairs[(pairs[:, 0] == i) | (pairs[:, 1] == i)],
                             distances[(pairs[:, 0] == i) | (pairs[:, 1] == i)]):
            j = b if a == i else a
            if core[j] and (best is None or (d, tuple(points[j])) < best[:2]):
                best = (d, tuple(points[j]), j)
        if best is not None:
            group[i] = component[best[2]]
    labels = [g for g in np.unique(group) if g >= 0]
    sizes = {g: int((group == g).sum()) for g in labels}
    first = {g: min(map(tuple, points[group == g])) for g in labels}
    kept = [g for g in labels if sizes[g] >= min_size and (max_size <= 0 or sizes[g] <= max_size)]
    kept.sort(key=lambda g: (-sizes[g], first[g]))
    ids = np.full(n, -1, dtype=np.int64)
    for k, g in enumerate(kept):
        ids[group == g] = k
    return ids


def cluster(reader, **properties):
    clusters = EuclideanClusters(Input=reader, **properties)  # noqa: F821 (defined by LoadPlugin)
    clusters.UpdatePipeline()
    output = servermanager.Fetch(clusters)
    Delete(clusters)
    return output


def check_frame(path):
    name = os.path.basename(path)
    reader = XMLPolyDataReader(FileName=[path])
    reader.UpdatePipeline()
    polydata = servermanager.Fetch(reader)
    points = vtk_to_numpy(polydata.GetPoints().GetData()).astype(np.float64)

    for radius in (0.015, 0.02):
        out = cluster(reader, Radius=radius, MinNeighbors=0, MinClusterSize=1, MaxClusterSize=0)
        ids = vtk_to_numpy(out.GetPointData().GetArray("ClusterId"))
        check(same_partition(ids, vtk_clusters(polydata, radius)),
              f"{name}, radius {radius}: the partition differs from vtkEuclideanClusterExtraction's")
        print(f"{name}: radius {radius}: {len(np.unique(ids))} clusters, as VTK's; "
              f"{out.GetFieldData().GetArray('WallTimeSeconds').GetValue(0) * 1e3:.1f} ms")

    for radius, min_neighbors, min_size, max_size in ((0.02, 4, 10, 0), (0.015, 6, 20, 5000), (0.03, 10, 1, 100)):
        out = cluster(reader, Radius=radius, MinNeighbors=min_neighbors, MinClusterSize=min_size,
                      MaxClusterSize=max_size)
        ids = vtk_to_numpy(out.GetPointData().GetArray("ClusterId"))
        expected = oracle_clusters(points, radius, min_neighbors, min_size, max_size)
        setting = f"{name}, radius {radius}, min neighbours {min_neighbors}, sizes {min_size}..{max_size}"
        check(np.array_equal(ids, expected), f"{setting}: {int((ids != expected).sum())} ids differ from SciPy's")
        sizes = vtk_to_numpy(out.GetFieldData().GetArray("ClusterSize"))
        check(np.array_equal(sizes, np.bincount(ids[ids >= 0], minlength=len(sizes))),
              f"{setting}: ClusterSize does not count the ids")
        check(out.GetFieldData().GetArray("NoisePoints").GetValue(0) == int((ids < 0).sum()),
              f"{setting}: NoisePoints is not the number of -1 ids")
        check(out.GetPointData().GetArray("Frame") is not None, f"{setting}: the input's Frame array is lost")
        print(f"{setting}: {len(sizes)} clusters, {int((ids < 0).sum())} noise points, as SciPy's")
    return reader


def check_input_cluster_id_kept(reader):
    from paraview.simple import Calculator
    with_ids = Calculator(Input=reader, ResultArrayName="ClusterId", Function="Frame + 7")
    out = cluster(with_ids, Radius=0.02)
    kept, frame = out.GetPointData().GetArray("ClusterId_input"), out.GetPointData().GetArray("Frame")
    check(kept is not None and np.array_equal(vtk_to_numpy(kept), vtk_to_numpy(frame) + 7),
          "an input ClusterId array does not reach the output as ClusterId_input")
    check(out.GetPointData().GetArray("ClusterId").GetDataTypeAsString() in ("long", "long long", "idtype"),
          "ClusterId is not a 64-bit integer array")
    Delete(with_ids)


def check_bad_radius(reader):
    """A zero radius: an error naming the radius, captured instead of printed, and an empty output."""
    clusters = EuclideanClusters(Input=reader, Radius=0.0)  # noqa: F821
    previous, verbosity = vtkOutputWindow.GetInstance(), vtkLogger.GetCurrentVerbosityCutoff()
    messages = vtkStringOutputWindow()
    vtkOutputWindow.SetInstance(messages)
    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_OFF)
    try:
        clusters.UpdatePipeline()
    finally:
        vtkOutputWindow.SetInstance(previous)
        vtkLogger.SetStderrVerbosity(verbosity)
    text = messages.GetOutput()
    check("radius 0: it must be a positive finite distance" in text, f"zero radius: message {text!r}")
    check(clusters.GetClientSideObject().GetOutputDataObject(0).GetNumberOfPoints() == 0,
          "a zero radius still gives an output")
    Delete(clusters)


def main():
    LoadPlugin(sys.argv[1], ns=globals())
    frames = sorted(glob.glob(os.path.join(sys.argv[2], "kinect", "frame_*.vtp")))
    check(len(frames) == 3, f"expected three Kinect frames in {sys.argv[2]}/kinect, found {frames}")
    reader = None
    for path in frames:
        reader = check_frame(path)
    check_input_cluster_id_kept(reader)
    check_bad_radius(reader)
    if failures:
        print(f"test_euclidean_clusters: {len(failures)} failures")
        sys.exit(1)
    print("test_euclidean_clusters: all checks passed")


if __name__ == "__main__":
    main()
