"""Chamfer Cluster Matching on time series: the outputs' time steps and the same-data warning.

Usage: pvpython test_time.py PLUGIN DATA_DIR

Two series of three steps each, read by ParaView's XML reader from data/ files (steps 0, 1, 2):
A = seed_left, seed_left_next, seed_right; B = seed_right, seed_left, seed_left_next, shifted by 0.5
in time with Temporal Shift Scale (steps 0.5, 1.5, 2.5).
- Source = A, Target = B: the outputs report the time steps of both inputs (their union, sorted);
  at time 1.5 the Source is at its step 1 (seed_left_next) and the Target at 1.5 (seed_left), and
  the pairs are those of matching these two files directly; every output carries the two inputs'
  times (field arrays SourceTime, TargetTime) and the time asked as its own.
- Source = A, Target = Temporal Shift Scale of A (a user's way to get "the next step"): ParaView
  gives both inputs the same time, so both hold the same points: a warning says so and names
  Cluster Tracking; matching A with B gives no such warning.
VTK messages are captured with a vtkStringOutputWindow. Exits non-zero on failure.
"""
import os
import shutil
import sys
import tempfile

import numpy as np
from paraview import servermanager
from paraview.simple import LoadPlugin, TemporalShiftScale, XMLPolyDataReader
from vtkmodules.util.numpy_support import vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkLogger, vtkOutputWindow, vtkStringOutputWindow
from vtkmodules.vtkCommonExecutionModel import vtkStreamingDemandDrivenPipeline

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAILED:", message)


def update(matching, time):
    """Updates at `time`; returns the text of the VTK messages meanwhile."""
    previous, verbosity = vtkOutputWindow.GetInstance(), vtkLogger.GetCurrentVerbosityCutoff()
    messages = vtkStringOutputWindow()
    vtkOutputWindow.SetInstance(messages)
    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_OFF)
    try:
        matching.UpdatePipeline(time)
    finally:
        vtkOutputWindow.SetInstance(previous)
        vtkLogger.SetStderrVerbosity(verbosity)
    return messages.GetOutput()


def pairs_of(matching, port=2):
    table = servermanager.Fetch(matching, idx=port)
    return sorted(zip(vtk_to_numpy(table.GetColumnByName("SourceId")).tolist(),
                      vtk_to_numpy(table.GetColumnByName("TargetId")).tolist()))


def main():
    LoadPlugin(sys.argv[1], ns=globals())
    data = sys.argv[2]
    work = tempfile.mkdtemp(prefix="scipar_time_")
    try:
        def series(name, files):
            paths = []
            for step, file in enumerate(files):
                paths.append(os.path.join(work, f"{name}_{step}.vtp"))
                shutil.copy(os.path.join(data, file), paths[-1])
            return XMLPolyDataReader(FileName=paths)

        a = series("a", ["seed_left.vtp", "seed_left_next.vtp", "seed_right.vtp"])
        b = TemporalShiftScale(Input=series("b", ["seed_right.vtp", "seed_left.vtp", "seed_left_next.vtp"]),
                               PreShift=0.5)
        check(list(a.TimestepValues) == [0, 1, 2] and list(b.TimestepValues) == [0.5, 1.5, 2.5],
              f"test series: steps {list(a.TimestepValues)} and {list(b.TimestepValues)}")

        matching = ChamferClusterMatching(Source=a, Target=b)  # noqa: F821
        text = update(matching, 1.5)
        steps = list(matching.GetClientSideObject().GetOutputInformation(0).Get(
            vtkStreamingDemandDrivenPipeline.TIME_STEPS()) or [])
        check(steps == [0, 0.5, 1, 1.5, 2, 2.5], f"the outputs' time steps are {steps}, not both inputs'")
        direct = ChamferClusterMatching(  # noqa: F821
            Source=XMLPolyDataReader(FileName=[os.path.join(data, "seed_left_next.vtp")]),
            Target=XMLPolyDataReader(FileName=[os.path.join(data, "seed_left.vtp")]))
        direct.UpdatePipeline()
        check(pairs_of(matching) == pairs_of(direct),
              "at time 1.5 the pairs are not those of seed_left_next (Source step 1) and seed_left (Target 1.5)")
        algorithm = matching.GetClientSideObject()
        for port in range(4):
            output = algorithm.GetOutputDataObject(port)
            field = output.GetFieldData()
            times = [field.GetArray(name).GetValue(0) if field.GetArray(name) else None
                     for name in ("SourceTime", "TargetTime")]
            check(times == [1.0, 1.5], f"output {port}: SourceTime, TargetTime {times}, expected [1.0, 1.5]")
            own = output.GetInformation().Get(output.DATA_TIME_STEP())
            check(own == 1.5, f"output {port}: its time is {own}, expected the time asked, 1.5")
        check("same points" not in text, f"a warning for different inputs: {text}")

        itself = ChamferClusterMatching(Source=a, Target=TemporalShiftScale(Input=a, PreShift=-1.0))  # noqa: F821
        text = update(itself, 1.0)
        check("Source and Target hold the same points" in text and "Cluster Tracking" in text,
              f"no warning that both inputs hold the same points at time 1: {text!r}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        sys.exit(1)
    print("test_time: all checks passed")


if __name__ == "__main__":
    main()
