"""Writes the sample clouds of data/, deterministically (the same points and arrays on every run).

Run from anywhere, with an interpreter that has NumPy and ParaView's `vtkmodules`:
    /usr/bin/python3 scripts/make_sample_data.py      # or: pvpython scripts/make_sample_data.py
Optional argument: the output directory (default: data/ of this repository).

- seed_left.vtp: the seed notebook's left cloud, gen_clusters(50, 35, seed=1), 758 points, point
  array ClusterId (int64) = cluster index 0..49.
- seed_right.vtp: its right cloud, gen_clusters(30, 23, seed=2), 332 points, ClusterId 0..29.
- seed_left_next.vtp: seed_left one frame later: every cluster translated slightly and jittered,
  ids renumbered to a permutation of 100..149, point array TrueClusterId = the original id. The script
  checks by brute force that each moved cluster and its original are each other's nearest (Max
  Chamfer) and fails otherwise.
- seed_left.csv, seed_left_next.csv: the same two clouds as CSV (header x,y,z,label; the next
  frame also true_label), for the command line's CSV input.

Files are written with vtkXMLPolyDataWriter in inline binary mode (appended mode, VTK's default, has
been seen not to read back with Debian's ParaView 5.11) and read back to check them. Each point also gets a vertex cell, so the
clouds show in ParaView as they are opened.
"""
import os
import sys

import numpy as np
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkIOXML import vtkXMLPolyDataReader, vtkXMLPolyDataWriter

MOVE_SEED = 2018
MOVE_SIGMA = 0.05    # per-axis standard deviation of each cluster's translation
JITTER_SIGMA = 0.01  # per-point jitter; the clusters' own spread is 1 or 2 per axis
NEXT_ID_OFFSET = 100


def gen_clusters(n, m, seed=0):
    """The seed notebook's generator, verbatim in its random calls: n clusters of 1..m-1 points."""
    np.random.seed(seed)
    meanrange = [1, 10]
    sigmarange = [1, 3]
    clusters = []
    for size in np.random.randint(1, m, n):
        means, sigmas = np.random.randint(*meanrange, 3), np.random.randint(*sigmarange, 3)
        clusters.append(np.random.normal(loc=means, scale=sigmas, size=(size, 3)))
    return clusters


def stack(clusters, ids):
    """Points of all clusters one after the other, and the id of each point."""
    points = np.concatenate(clusters)
    labels = np.repeat(np.asarray(ids, dtype=np.int64), [len(c) for c in clusters])
    return points, labels


def next_frame(clusters):
    """Each cluster moved and renumbered: (moved clusters in new-id order, new ids, original ids)."""
    rng = np.random.default_rng(MOVE_SEED)
    count = len(clusters)
    new_id_of = rng.permutation(count) + NEXT_ID_OFFSET
    moved = [c + rng.normal(0, MOVE_SIGMA, 3) + rng.normal(0, JITTER_SIGMA, c.shape) for c in clusters]
    order = np.argsort(new_id_of)
    return [moved[k] for k in order], new_id_of[order], order


def max_chamfer(a, b):
    d = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))
    return max(d.min(axis=1).mean(), d.min(axis=0).mean())


def check_true_partners(originals, moved, true_index):
    """Fails unless original k and moved j with true_index[j] == k are each other's nearest, strictly."""
    values = np.array([[max_chamfer(a, b) for b in moved] for a in originals])
    for j, k in enumerate(true_index):
        others_of_original = np.delete(values[k], j)
        others_of_moved = np.delete(values[:, j], k)
        if not (values[k, j] < others_of_original.min() and values[k, j] < others_of_moved.min()):
            sys.exit(f"make_sample_data: moved cluster {j} is not unambiguously nearest to its original {k}: "
                     f"{values[k, j]} vs {others_of_original.min()} / {others_of_moved.min()}")


def write_cloud(path, points, arrays):
    data = vtkPolyData()
    vtk_points = vtkPoints()
    vtk_points.SetData(numpy_to_vtk(np.ascontiguousarray(points, dtype=np.float64), deep=1))
    data.SetPoints(vtk_points)
    verts = vtkCellArray()
    for i in range(len(points)):
        verts.InsertNextCell(1, [i])
    data.SetVerts(verts)
    for name, values in arrays.items():
        array = numpy_to_vtk(np.ascontiguousarray(values), deep=1)
        array.SetName(name)
        data.GetPointData().AddArray(array)
    data.GetPointData().SetActiveScalars("ClusterId")
    writer = vtkXMLPolyDataWriter()
    writer.SetFileName(path)
    writer.SetInputData(data)
    writer.SetDataModeToBinary()
    if not writer.Write():
        sys.exit(f"make_sample_data: could not write {path}")
    check_read_back(path, points, arrays)


def write_csv(path, points, columns):
    """A header row, then one row per point: x, y, z at full precision and the integer columns."""
    with open(path, "w", newline="") as handle:
        handle.write(",".join(["x", "y", "z", *columns]) + "\n")
        for i, point in enumerate(points):
            values = [repr(float(c)) for c in point] + [str(int(v[i])) for v in columns.values()]
            handle.write(",".join(values) + "\n")


def check_read_back(path, points, arrays):
    reader = vtkXMLPolyDataReader()
    reader.SetFileName(path)
    reader.Update()
    back = reader.GetOutput()
    if back.GetNumberOfPoints() != len(points) or not np.array_equal(vtk_to_numpy(back.GetPoints().GetData()), points):
        sys.exit(f"make_sample_data: {path} does not read back its points")
    for name, values in arrays.items():
        array = back.GetPointData().GetArray(name)
        if array is None or not np.array_equal(vtk_to_numpy(array), values):
            sys.exit(f"make_sample_data: {path} does not read back its array {name}")


def main():
    repository = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(repository, "data")
    os.makedirs(out, exist_ok=True)
    left = gen_clusters(50, 35, seed=1)
    right = gen_clusters(30, 23, seed=2)
    moved, new_ids, true_index = next_frame(left)
    check_true_partners(left, moved, true_index)

    points, ids = stack(left, range(len(left)))
    write_cloud(os.path.join(out, "seed_left.vtp"), points, {"ClusterId": ids})
    write_csv(os.path.join(out, "seed_left.csv"), points, {"label": ids})
    points, ids = stack(right, range(len(right)))
    write_cloud(os.path.join(out, "seed_right.vtp"), points, {"ClusterId": ids})
    points, ids = stack(moved, new_ids)
    _, true_ids = stack(moved, true_index)
    write_cloud(os.path.join(out, "seed_left_next.vtp"), points, {"ClusterId": ids, "TrueClusterId": true_ids})
    write_csv(os.path.join(out, "seed_left_next.csv"), points, {"label": ids, "true_label": true_ids})
    print(f"make_sample_data: wrote seed_left.vtp ({sum(map(len, left))} points), seed_right.vtp "
          f"({sum(map(len, right))} points), seed_left_next.vtp ({sum(map(len, moved))} points) and the "
          f"CSV copies of seed_left and seed_left_next to {out}")


if __name__ == "__main__":
    main()
