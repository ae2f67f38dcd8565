"""The generating sources: Next Frame keeps every input array of the points it keeps, and both
Gaussian Clusters and Next Frame report running out of memory instead of aborting.

Usage: pvpython test_sources.py PLUGIN

Arrays: a cloud with arrays of several types and roles (active vectors, a 2-component short array,
a string array) goes through Next Frame; each output point's values must be the input's at its
InputPointId (NumPy indexing of the input: the oracle), the cluster array replaced by TrueClusterId,
the roles kept.

Memory: with the address space limited to what the process uses plus a headroom, from 0 up to the
least headroom that succeeds (found by bisection), every few megabytes, each run must give the
unlimited run's output or the source's "out of memory" error with an empty output. VTK's own
allocations abort the process when memory runs out (Debian builds VTK without NDEBUG), so a source
that left an output array to VTK ends this test with SIGABRT.
"""
import os
import sys

import numpy as np
from paraview.simple import LoadPlugin, TrivialProducer
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkPoints, vtkStringArray
from vtkmodules.vtkCommonDataModel import vtkPolyData

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from address_space import MB, limited  # noqa: E402

SWEEP_STEP = 4 * MB


def named(values, name):
    array = numpy_to_vtk(values, deep=1)
    array.SetName(name)
    return array


def cloud_with_arrays(rng, n):
    data = vtkPolyData()
    points = vtkPoints()
    points.SetData(numpy_to_vtk(rng.uniform(0, 50, (n, 3)), deep=1))
    data.SetPoints(points)
    arrays = {
        "ClusterId": rng.integers(0, 40, n).astype(np.int64),
        "Temperature": rng.normal(300, 5, n).astype(np.float32),
        "Velocity": rng.normal(0, 1, (n, 3)),
        "Pair": rng.integers(-100, 100, (n, 2)).astype(np.int16),
    }
    for name, values in arrays.items():
        data.GetPointData().AddArray(named(values, name))
    data.GetPointData().SetActiveVectors("Velocity")
    labels = vtkStringArray()
    labels.SetName("Label")
    for i in range(n):
        labels.InsertNextValue(f"p{i}")
    data.GetPointData().AddArray(labels)
    return data, arrays


def run(algorithm, headroom=None):
    """(output copy or None, messages): the algorithm updated, with the address space limited to what
    is in use plus `headroom` bytes if given."""
    algorithm.GetOutputDataObject(0).Initialize()
    algorithm.Modified()
    with limited(headroom) as messages:
        algorithm.Update()
    output = algorithm.GetOutputDataObject(0)
    if output.GetNumberOfPoints() == 0:
        return None, messages.GetOutput()
    return (vtk_to_numpy(output.GetPoints().GetData()).copy(),
            vtk_to_numpy(output.GetPointData().GetArray("ClusterId")).copy()), messages.GetOutput()


def check_arrays():
    rng = np.random.default_rng(5)
    n = 3000
    data, arrays = cloud_with_arrays(rng, n)
    producer = TrivialProducer()
    producer.GetClientSideObject().SetOutput(data)
    frame = NextFrame(Input=producer, DropFraction=0.3)  # noqa: F821
    frame.UpdatePipeline()
    out = frame.GetClientSideObject().GetOutputDataObject(0).GetPointData()
    kept = vtk_to_numpy(out.GetArray("InputPointId"))
    assert 0 < len(kept) < n, f"{len(kept)} of {n} points kept with DropFraction 0.3"
    for name in ("Temperature", "Velocity", "Pair"):
        got = out.GetArray(name)
        assert got is not None, f"input array {name} missing from Next Frame's output"
        assert got.GetDataType() == data.GetPointData().GetArray(name).GetDataType(), f"{name}: type changed"
        assert np.array_equal(vtk_to_numpy(got), arrays[name][kept]), f"{name}: values not the input's at InputPointId"
    labels = out.GetAbstractArray("Label")
    assert labels is not None and labels.GetNumberOfValues() == len(kept), "string array Label not carried"
    assert all(labels.GetValue(i) == f"p{kept[i]}" for i in range(len(kept))), "Label: values not the input's"
    assert np.array_equal(vtk_to_numpy(out.GetArray("TrueClusterId")), arrays["ClusterId"][kept]), "TrueClusterId"
    assert out.GetVectors() is not None and out.GetVectors().GetName() == "Velocity", "active vectors lost"
    assert out.GetScalars().GetName() == "ClusterId", "ClusterId not the active scalars"
    print(f"test_sources: Next Frame kept {len(kept)} of {n} points with every input array")


def sweep(name, algorithm, error):
    expected, text = run(algorithm)
    assert expected is not None, f"{name} without a limit: {text}"
    low, high = 0, 1024 * MB

    def outcome(headroom):
        result, text = run(algorithm, headroom)
        where = f"{name}, headroom {headroom / MB:.0f} MB"
        if result is not None:
            assert all(np.array_equal(a, b) for a, b in zip(result, expected)), f"{where}: other output"
            assert "ERR" not in text, f"{where}: success with an error: {text}"
            return "ok"
        assert "out of memory" in text, f"{where}: failed without saying out of memory: {text}"
        assert algorithm.GetOutputDataObject(0).GetNumberOfPoints() == 0, f"{where}: output not empty"
        return "vtk" if error in text else "core"

    assert outcome(high) == "ok", f"{name}: 1 GB of headroom must be enough"
    while high - low > 2 * MB:
        middle = (low + high) // 2
        if outcome(middle) == "ok":
            high = middle
        else:
            low = middle
    outcomes = [outcome(headroom) for headroom in range(0, high, SWEEP_STEP)]
    counts = {kind: outcomes.count(kind) for kind in ("core", "vtk", "ok")}
    # The sweep must reach the band where the source's VTK arrays fail, or it proves nothing.
    assert counts["vtk"] > 0, f"{name}: no headroom below {high / MB:.0f} MB failed in the output arrays: {counts}"
    print(f"test_sources: {name} succeeds from {high / MB:.0f} MB of headroom; below, every {SWEEP_STEP // MB} MB: "
          f"{counts['core']} out of memory in the core, {counts['vtk']} in the output arrays, {counts['ok']} succeeded")


def main():
    LoadPlugin(sys.argv[1], ns=globals())
    check_arrays()
    # About 1.5 million points; one thread, so that no thread starts under the limit.
    gaussian = GaussianClusters(ClusterCount=3000, MaxClusterSize=1000, BoxRange=[0, 500])  # noqa: F821
    sweep("Gaussian Clusters", gaussian.GetClientSideObject(), "Gaussian Clusters ran out of memory")
    frame = NextFrame(Input=gaussian)  # noqa: F821
    sweep("Next Frame", frame.GetClientSideObject(), "Next Frame ran out of memory")


if __name__ == "__main__":
    main()
