"""Cluster Tracking refuses bad input and bad properties with a clear error and empty outputs, and can
be cancelled; after each refusal a good run works again.

Usage: pvpython test_tracking_errors.py PLUGIN DATA_DIR

On the sample series data/tracking/moving.pvd, with arrays added by Calculator: a cluster array that
does not exist, a 3-component array, a float array with a non-integral value, a cell-data
selection, a non-point-set input (an image), FirstStep / LastStep outside the input's steps, a
negative MaxLinkDistance, a negative MaxGap, an unknown Metric. Each must give a VTK error naming the
input or property, the array and the problem, leave the three outputs empty, and crash nothing. A
cancel (AbortExecute set from a progress observer, as ParaView's Abort button does) stops the
tracking with an error and empty outputs; the next request for a time tracks the whole series. The
progress reported covers every step's share of the bar. The Moving Clusters source refuses bad
parameters with an error naming them. VTK messages are
captured in-process. Exits non-zero on failure.
"""
import os
import sys

from paraview import simple
from vtkmodules.vtkCommonCore import vtkCommand, vtkLogger, vtkOutputWindow, vtkStringOutputWindow

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tracking_checks import Failure, check  # noqa: E402


def run(tracking, time=0.0):
    """The outputs' sizes and every VTK message meanwhile (captured instead of printed)."""
    previous, verbosity = vtkOutputWindow.GetInstance(), vtkLogger.GetCurrentVerbosityCutoff()
    messages = vtkStringOutputWindow()
    vtkOutputWindow.SetInstance(messages)
    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_OFF)
    try:
        tracking.UpdatePipeline(time)
    finally:
        vtkOutputWindow.SetInstance(previous)
        vtkLogger.SetStderrVerbosity(verbosity)
    algorithm = tracking.GetClientSideObject()
    clusters, tracks, events = (algorithm.GetOutputDataObject(port) for port in range(3))
    sizes = (clusters.GetNumberOfPoints(), clusters.GetNumberOfCells(), tracks.GetNumberOfCells(),
             events.GetNumberOfRows())
    return sizes, messages.GetOutput()


def check_good(tracking, what, time=0.0):
    sizes, text = run(tracking, time)
    check("ERROR" not in text and sizes[1] > 0 and sizes[2] > 0, f"after {what}: a good run failed: {sizes} {text}")


def check_refused(tracking, what, *expected):
    sizes, text = run(tracking)
    check(sizes == (0, 0, 0, 0), f"{what}: outputs not empty: {sizes}")
    check("ERROR" in text, f"{what}: no error")
    for words in expected:
        check(words in text, f"{what}: the error does not say '{words}':\n{text}")


def main(plugin, data_dir):
    simple.LoadPlugin(plugin)
    reader = simple.PVDReader(FileName=os.path.join(data_dir, "tracking", "moving.pvd"))
    triple = simple.Calculator(Input=reader, ResultArrayName="Triple", Function="coords")
    half = simple.Calculator(Input=triple, ResultArrayName="HalfIds", Function="ClusterId+0.5")
    tracking = simple.ClusterTracking(Input=half)
    try:
        check_good(tracking, "nothing")
        for array, problem in (("Nope", "is not a point-data array"), ("Triple", "has 3 components"),
                               ("HalfIds", "is not an integer")):
            tracking.ClusterArray = ["POINTS", array]
            check_refused(tracking, f"array {array}", "Input cluster array", f"'{array}'", problem)
            tracking.ClusterArray = ["POINTS", "ClusterId"]
            check_good(tracking, f"array {array}")
        tracking.ClusterArray = ["CELLS", "ClusterId"]
        check_refused(tracking, "cell array", "'ClusterId'", "not selected as point data")
        tracking.ClusterArray = ["POINTS", "ClusterId"]

        for name, value, words in (("FirstStep", 16, "FirstStep 16: the input has steps 0 to 15"),
                                   ("LastStep", 99, "LastStep 99"), ("MaxLinkDistance", -1.0, "MaxLinkDistance -1"),
                                   ("MaxGap", -1, "MaxGap -1"), ("Metric", 7, "Metric 7")):
            good = tracking.GetProperty(name).GetData()
            tracking.GetProperty(name).SetData(value)
            check_refused(tracking, f"{name} {value}", words)
            tracking.GetProperty(name).SetData(good)
            check_good(tracking, f"{name} {value}")
        tracking.FirstStep, tracking.LastStep = 5, 4
        check_refused(tracking, "LastStep before FirstStep", "LastStep 4", "from FirstStep (5)")
        tracking.FirstStep, tracking.LastStep = 0, -1

        image = simple.TrivialProducer(registrationName="image")
        from vtkmodules.vtkImagingCore import vtkRTAnalyticSource
        wavelet = vtkRTAnalyticSource()
        wavelet.Update()
        image.GetClientSideObject().SetOutput(wavelet.GetOutput())
        on_image = simple.ClusterTracking(Input=image)
        check_refused(on_image, "an image", "Input is a vtkImageData", "not a point set")

        # The progress bar moves through the whole series: every step's share of it is reported.
        tracking.MaxGap = 3
        algorithm = tracking.GetClientSideObject()
        progress = []
        observer = algorithm.AddObserver(vtkCommand.ProgressEvent, lambda caller, _: progress.append(caller.GetProgress()))
        check_good(tracking, "progress")
        algorithm.RemoveObserver(observer)
        shares = sorted({int(value * 16) for value in progress if value < 1.0})
        check(shares == list(range(16)), f"progress reported in the shares {shares} of 16 steps, not in each")

        # Cancel during the third step, as the GUI's Abort button does (it sets AbortExecute).
        tracking.MaxGap = 1
        algorithm = tracking.GetClientSideObject()
        calls = []

        def abort(caller, _event):
            calls.append(1)
            if len(calls) > 6:
                caller.SetAbortExecute(1)

        observer = algorithm.AddObserver(vtkCommand.ProgressEvent, abort)
        check_refused(tracking, "cancel", "cancelled at input step")
        algorithm.RemoveObserver(observer)
        tracking.UpdatePropertyInformation()
        before = tracking.GetPropertyValue("NumberOfTrackings")
        # As for any filter, the pipeline does not run it again for the same request: the next time
        # asked for (or a property change) tracks the series again.
        check_good(tracking, "cancel", time=3.0)
        tracking.UpdatePropertyInformation()
        check(tracking.GetPropertyValue("NumberOfTrackings") == before + 1, "no tracking after the cancel")

        # The source refuses bad parameters the same way, naming them.
        for name, value, words in (("StepCount", 0, "step count 0"), ("ClusterSizeRange", [5, 2], "cluster sizes [5, 2]"),
                                   ("SpeedRange", [3.0, 1.0], "speed range [3, 1]"), ("Scene", 5, "Scene 5")):
            source = simple.MovingClusters()
            source.GetProperty(name).SetData(value)
            previous, verbosity = vtkOutputWindow.GetInstance(), vtkLogger.GetCurrentVerbosityCutoff()
            messages = vtkStringOutputWindow()
            vtkOutputWindow.SetInstance(messages)
            vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_OFF)
            try:
                source.UpdatePipeline()
            finally:
                vtkOutputWindow.SetInstance(previous)
                vtkLogger.SetStderrVerbosity(verbosity)
            text = messages.GetOutput()
            points = source.GetClientSideObject().GetOutputDataObject(0).GetNumberOfPoints()
            check("Moving Clusters" in text and words in text and points == 0,
                  f"Moving Clusters {name} {value}: {points} points, message:\n{text}")
            simple.Delete(source)
    except Failure as failure:
        print(f"FAILED: {failure}")
        return 1
    print("tracking errors: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
