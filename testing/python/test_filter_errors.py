"""Bad cluster arrays are refused with a clear error and empty outputs; whole-number floats are accepted.

Usage: pvpython test_filter_errors.py PLUGIN DATA_DIR

On data/seed_left.vtp (Source) and seed_right.vtp (Target), with extra point arrays added: for each
input in turn, a cluster array that does not exist, a 3-component array, and a float array with a
non-integral value must each give a VTK error naming the input (Source/Target), the array and the
problem, blame nothing on the other input, crash nothing, and leave every output empty (0 points,
0 cells, 0 rows), even right after a successful run. Cluster ids stored as float64 (Source) and
float32 (Target) holding whole numbers must be accepted without any message and give the same
pairs and per-point and per-cell results as the int64 ClusterId arrays. VTK messages are captured
in-process with a vtkStringOutputWindow. Exits non-zero on failure.
"""
import os
import sys

import numpy as np
from paraview.simple import LoadPlugin, TrivialProducer
from vtk_snapshot import differences, snapshot
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkLogger, vtkOutputWindow, vtkStringOutputWindow
from vtkmodules.vtkIOXML import vtkXMLPolyDataReader

SIDES = ("Source", "Target")
RESULT_ARRAYS = ("ClusterId", "PairId", "PairDistance", "Mutual", "PairIndex")


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def read_with_extra_arrays(path, float_type):
    """The cloud, plus point arrays Triple (3 components), HalfIds (one value not whole) and
    FloatIds (ClusterId as float_type)."""
    reader = vtkXMLPolyDataReader()
    reader.SetFileName(path)
    reader.Update()
    data = reader.GetOutput()
    ids = vtk_to_numpy(data.GetPointData().GetArray("ClusterId"))
    half = ids.astype(np.float64)
    half[7] += 0.5
    for name, values in (("Triple", np.repeat(ids[:, None], 3, axis=1)), ("HalfIds", half),
                         ("FloatIds", ids.astype(float_type))):
        array = numpy_to_vtk(np.ascontiguousarray(values), deep=1)
        array.SetName(name)
        data.GetPointData().AddArray(array)
    return data


def run(matching, source_array, target_array):
    """Snapshots of the four outputs, and the text of every VTK message meanwhile, captured instead
    of printed (VTK also logs errors to stderr through vtkLogger: silenced meanwhile)."""
    matching.SourceClusterArray = ["POINTS", source_array]
    matching.TargetClusterArray = ["POINTS", target_array]
    previous, verbosity = vtkOutputWindow.GetInstance(), vtkLogger.GetCurrentVerbosityCutoff()
    messages = vtkStringOutputWindow()
    vtkOutputWindow.SetInstance(messages)
    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_OFF)
    try:
        matching.UpdatePipeline()
    finally:
        vtkOutputWindow.SetInstance(previous)
        vtkLogger.SetStderrVerbosity(verbosity)
    algorithm = matching.GetClientSideObject()
    return [snapshot(algorithm.GetOutputDataObject(port)) for port in range(4)], messages.GetOutput()


def rows(table):
    return max((len(column) for column in table["columns"].values()), default=0)


def check_refused(matching, side, array, problem, value, *more):
    arrays = ["ClusterId", "ClusterId"]
    arrays[SIDES.index(side)] = array
    outputs, _ = run(matching, "ClusterId", "ClusterId")
    check(rows(outputs[2]) > 0, "a good run must give pairs (before the bad one)")
    outputs, text = run(matching, *arrays)
    what = f"{side} cluster array '{array}'"
    errors = [message for message in text.split("ERROR: In ")[1:] if f"'{array}'" in message]
    check(len(errors) == 1, f"{what}: expected one error naming the array; got: {text!r}")
    for word in (side, problem, value, *more):
        check(word in errors[0], f"{what}: the error does not say '{word}': {errors[0]!r}")
    other = SIDES[1 - SIDES.index(side)]
    check(other not in errors[0], f"{what}: the error blames the {other}: {errors[0]!r}")
    for port in (0, 1, 3):
        count = (len(outputs[port]["points"]), len(outputs[port]["cell_types"]))
        check(count == (0, 0), f"{what}: output port {port} has (points, cells) {count}, expected empty")
    check(rows(outputs[2]) == 0, f"{what}: pairs table has {rows(outputs[2])} rows")


def check_float_ids_accepted(matching):
    int_outputs, _ = run(matching, "ClusterId", "ClusterId")
    float_outputs, text = run(matching, "FloatIds", "FloatIds")
    check(text == "", f"whole-number float ids: unexpected messages: {text!r}")
    got, expected = float_outputs[2]["columns"], int_outputs[2]["columns"]
    check(rows(float_outputs[2]) > 0 and differences(got, expected) == [],
          f"float ids: pairs table differs from the int64 ids' in {differences(got, expected)}")
    for port in (0, 1):
        for attributes in ("point_data", "cell_data"):
            got, expected = float_outputs[port][attributes], int_outputs[port][attributes]
            for name in RESULT_ARRAYS:
                check(name in got and differences(got[name], expected[name]) == [],
                      f"float ids: output {port} {attributes} {name} differs from the int64 ids'")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    LoadPlugin(sys.argv[1], ns=globals())
    source = read_with_extra_arrays(os.path.join(sys.argv[2], "seed_left.vtp"), np.float64)
    target = read_with_extra_arrays(os.path.join(sys.argv[2], "seed_right.vtp"), np.float32)
    producers = []
    for data in (source, target):
        producers.append(TrivialProducer())
        producers[-1].GetClientSideObject().SetOutput(data)
    matching = ChamferClusterMatching(Source=producers[0], Target=producers[1])  # noqa: F821
    try:
        for side in SIDES:
            # The error lists the arrays the input has, as the command line does.
            data = (source, target)[SIDES.index(side)].GetPointData()
            arrays = ", ".join(data.GetArrayName(a) for a in range(data.GetNumberOfArrays()))
            check_refused(matching, side, "NoSuchArray", "not a point-data array", "NoSuchArray",
                          f"its point arrays: {arrays}")
            check_refused(matching, side, "Triple", "3 components", "Triple")
            check_refused(matching, side, "HalfIds", "not an integer", "0.5")
        check_float_ids_accepted(matching)
    except Failure as failure:
        print(f"test_filter_errors: FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
    print("test_filter_errors: all checks passed")


if __name__ == "__main__":
    main()
