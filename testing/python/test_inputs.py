"""What Chamfer Cluster Matching does with inputs beyond one plain cloud per port.

Usage: pvpython test_inputs.py PLUGIN DATA_DIR

- Noise points: points whose cluster id is the Noise Cluster Id (-1, what Euclidean Clusters gives
  points of no cluster) take no part while Skip Noise is on: data/seed_left.vtp and
  seed_left_next.vtp with noise points added scattered among the clusters give the pairs, distances
  and mutual flags of the clouds without them, and the noise points get PairId -1; with Skip Noise
  off, -1 is a cluster in the pairs table; another Noise Cluster Id leaves that cluster out.
- Composite inputs: a multiblock dataset (polydata and unstructured grid blocks, a nested multiblock,
  an empty block) as Source and a partitioned dataset as Target, made by cutting data/seed_left.vtp
  and seed_left_next.vtp, give the pairs, points and point arrays of the uncut clouds; a multiblock
  with an image block is refused, naming the block's type.
Exits non-zero on failure.
"""
import os
import sys

import numpy as np
from paraview import servermanager
from paraview.simple import Delete, LoadPlugin, TrivialProducer
from vtk_snapshot import snapshot
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkLogger, vtkOutputWindow, vtkPoints, vtkStringOutputWindow
from vtkmodules.vtkCommonDataModel import (vtkImageData, vtkMultiBlockDataSet, vtkPartitionedDataSet, vtkPolyData,
                                           vtkUnstructuredGrid)
from vtkmodules.vtkIOXML import vtkXMLPolyDataReader

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAILED:", message)


def read(path):
    reader = vtkXMLPolyDataReader()
    reader.SetFileName(path)
    reader.Update()
    return reader.GetOutput()


def cloud(points, arrays):
    data = vtkPolyData()
    vtk_points = vtkPoints()
    vtk_points.SetData(numpy_to_vtk(np.ascontiguousarray(points, dtype=np.float64), deep=1))
    data.SetPoints(vtk_points)
    for name, values in arrays.items():
        array = numpy_to_vtk(np.ascontiguousarray(values), deep=1)
        array.SetName(name)
        data.GetPointData().AddArray(array)
    return data


def producer(data):
    source = TrivialProducer()
    source.GetClientSideObject().SetOutput(data)
    return source


def match(source, target, **properties):
    """Snapshots of the four outputs of a matching of two vtkPolyData."""
    producers = [producer(source), producer(target)]
    matching = ChamferClusterMatching(Source=producers[0], Target=producers[1], **properties)  # noqa: F821
    matching.UpdatePipeline()
    algorithm = matching.GetClientSideObject()
    outputs = [snapshot(algorithm.GetOutputDataObject(port)) for port in range(4)]
    for proxy in [matching] + producers:
        Delete(proxy)
    return outputs


def with_noise(data, count, seed):
    """data plus count points with ClusterId -1 scattered over its bounding box (the other arrays
    extended with zeros), and the index of the first noise point."""
    points = vtk_to_numpy(data.GetPoints().GetData())
    rng = np.random.default_rng(seed)
    noise = rng.uniform(points.min(axis=0), points.max(axis=0), (count, 3))
    arrays = {}
    for i in range(data.GetPointData().GetNumberOfArrays()):
        name = data.GetPointData().GetArrayName(i)
        values = vtk_to_numpy(data.GetPointData().GetArray(i))
        arrays[name] = np.concatenate([values, np.full(count, -1 if name == "ClusterId" else 0, values.dtype)])
    return cloud(np.concatenate([points, noise]), arrays), len(points)


def check_noise(data_dir):
    source, target = read(os.path.join(data_dir, "seed_left.vtp")), read(os.path.join(data_dir, "seed_left_next.vtp"))
    clean = match(source, target)
    noisy_source, source_noise = with_noise(source, 60, 1)
    noisy_target, target_noise = with_noise(target, 45, 2)
    noisy = match(noisy_source, noisy_target)
    for column in ("SourceId", "TargetId", "Distance", "Mutual", "SourcePoints", "TargetPoints"):
        check(np.array_equal(noisy[2]["columns"][column], clean[2]["columns"][column]),
              f"noise skipped: pairs column {column} differs from the clouds without noise")
    for port, first_noise in ((0, source_noise), (1, target_noise)):
        pair_id = noisy[port]["point_data"]["PairId"]
        check(np.all(pair_id[first_noise:] == -1), f"output {port}: noise points do not all have PairId -1")
        check(np.array_equal(pair_id[:first_noise], clean[port]["point_data"]["PairId"]),
              f"output {port}: the other points' PairId differs from the clouds without noise")
        check(np.array_equal(noisy[port]["point_data"]["ClusterId"][first_noise:], np.full(len(pair_id) - first_noise, -1)),
              f"output {port}: noise points do not keep ClusterId -1")
        check(len(noisy[port]["cell_types"]) == len(clean[port]["cell_types"]),
              f"output {port}: noise points make a cluster cell")

    kept = match(noisy_source, noisy_target, SkipNoise=0)
    check(-1 in kept[2]["columns"]["SourceId"] and -1 in kept[2]["columns"]["TargetId"],
          "Skip Noise off: cluster -1 is not in the pairs table")

    other = match(noisy_source, noisy_target, NoiseClusterId=7)
    check(7 not in other[2]["columns"]["SourceId"] and -1 in other[2]["columns"]["SourceId"],
          "Noise Cluster Id 7: cluster 7 is still matched, or -1 is not")
    ids = other[0]["point_data"]["ClusterId"]
    check(np.all(other[0]["point_data"]["PairId"][ids == 7] == -1), "Noise Cluster Id 7: its points are paired")
    print(f"noise: {len(noisy[2]['columns']['SourceId'])} pairs with {60 + 45} noise points skipped, "
          "as without them")


def split(data, parts):
    """data's points cut into `parts` point sets of consecutive points (polydata, then unstructured
    grids), each with every point array."""
    points = vtk_to_numpy(data.GetPoints().GetData())
    pieces = []
    for k, chosen in enumerate(np.array_split(np.arange(len(points)), parts)):
        arrays = {data.GetPointData().GetArrayName(i): vtk_to_numpy(data.GetPointData().GetArray(i))[chosen]
                  for i in range(data.GetPointData().GetNumberOfArrays())}
        piece = cloud(points[chosen], arrays)
        if k % 2:
            grid = vtkUnstructuredGrid()
            grid.ShallowCopy(piece)
            grid.SetPoints(piece.GetPoints())
            grid.GetPointData().ShallowCopy(piece.GetPointData())
            piece = grid
        pieces.append(piece)
    return pieces


def check_composite(data_dir):
    """A multiblock (with a nested multiblock and an empty block) and a partitioned dataset
    of point sets are matched as the clouds their blocks make together."""
    source, target = read(os.path.join(data_dir, "seed_left.vtp")), read(os.path.join(data_dir, "seed_left_next.vtp"))
    plain = match(source, target)
    blocks = vtkMultiBlockDataSet()
    pieces = split(source, 3)
    nested = vtkMultiBlockDataSet()
    nested.SetBlock(0, pieces[1])
    nested.SetBlock(1, pieces[2])
    blocks.SetBlock(0, pieces[0])
    blocks.SetBlock(1, None)
    blocks.SetBlock(2, nested)
    partitions = vtkPartitionedDataSet()
    for k, piece in enumerate(split(target, 2)):
        partitions.SetPartition(k, piece)
    composite = match(blocks, partitions)
    for column in plain[2]["columns"]:
        check(np.allclose(composite[2]["columns"][column], plain[2]["columns"][column], rtol=1e-12),
              f"composite inputs: pairs column {column} differs from the plain clouds'")
    for port in (0, 1):
        for name in ("ClusterId", "PairId", "TrueClusterId"):
            got, expected = composite[port]["point_data"].get(name), plain[port]["point_data"].get(name)
            check(expected is None or (got is not None and np.array_equal(got, expected)),
                  f"composite inputs: output {port} point array {name} differs from the plain clouds'")
        check(np.array_equal(composite[port]["points"], plain[port]["points"]),
              f"composite inputs: output {port} points are not the blocks' points in order")
    print(f"composite: a multiblock of 3 blocks and a partitioned dataset of 2 give the plain clouds' "
          f"{len(plain[2]['columns']['SourceId'])} pairs")

    image = vtkImageData()
    image.SetDimensions(2, 2, 2)
    mixed = vtkMultiBlockDataSet()
    mixed.SetBlock(0, pieces[0])
    mixed.SetBlock(1, image)
    producers = [producer(mixed), producer(target)]
    matching = ChamferClusterMatching(Source=producers[0], Target=producers[1])  # noqa: F821
    previous, verbosity = vtkOutputWindow.GetInstance(), vtkLogger.GetCurrentVerbosityCutoff()
    messages = vtkStringOutputWindow()
    vtkOutputWindow.SetInstance(messages)
    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_OFF)
    try:
        matching.UpdatePipeline()
    finally:
        vtkOutputWindow.SetInstance(previous)
        vtkLogger.SetStderrVerbosity(verbosity)
    text = messages.GetOutput()
    check("Source input" in text and "vtkImageData" in text and "not a point set" in text,
          f"a multiblock with an image block: no clear error: {text!r}")
    table = matching.GetClientSideObject().GetOutputDataObject(2)
    check(table.GetNumberOfRows() == 0, "a multiblock with an image block: pairs were made")


def main():
    LoadPlugin(sys.argv[1], ns=globals())
    check_noise(sys.argv[2])
    check_composite(sys.argv[2])
    if failures:
        print(f"test_inputs: {len(failures)} failures")
        sys.exit(1)
    print("test_inputs: all checks passed")


if __name__ == "__main__":
    main()
