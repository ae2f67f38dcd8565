"""Cluster Tracking on moving clusters, against the generator's ground truth.

Usage: pvpython test_tracking.py PLUGIN DATA_DIR

- The sample series data/tracking/moving.pvd read by ParaView's PVD reader: at least 99% of the true
  links kept (consecutive appearances of a true track keep one TrackId, gaps included), births and
  splits with fresh ids, every gap bridged, every true split and merge in the Events output (oracle:
  TrueTrackId and data/tracking/true_events.csv).
- After the first update, time requests in a shuffled order, then reversed, give the same
  annotation at each step, never track again (the filter's NumberOfTrackings counter) and read one
  step per request (NumberOfStepsRead); the Tracks and Events outputs agree with the annotation.
- A generated series (Moving Clusters, random scene) tracked with 1 and 2 threads: identical outputs
  at every step, and the same checks against the source's True Events.
- Changing a property tracks again: MaxGap 0 turns every gap into a death and a birth. FirstStep 3,
  LastStep 10: the output's times are those steps', Tracks and Events keep the input's step numbers.
- The close-pass scene (rods and blobs crossing head on): every link kept.
"""
import csv
import os
import random
import sys

import numpy as np
from paraview import simple
from vtkmodules.util.numpy_support import vtk_to_numpy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tracking_checks import Failure, check, compare_with_truth  # noqa: E402
from tracking_outputs import events_of, outputs_at, point_array  # noqa: E402
from vtk_snapshot import differences, snapshot  # noqa: E402


def counters(tracking):
    tracking.UpdatePropertyInformation()
    return tracking.GetPropertyValue("NumberOfTrackings"), tracking.GetPropertyValue("NumberOfStepsRead")


def check_annotation(clusters, tracks):
    """Every cell is one cluster with one TrackId, on its points too; its track's polyline passes
    through this step."""
    track_of_point = point_array(clusters, "TrackId")
    cell_tracks = vtk_to_numpy(clusters.GetCellData().GetArray("TrackId"))
    for c in range(clusters.GetNumberOfCells()):
        ids = clusters.GetCell(c).GetPointIds()
        members = [ids.GetId(k) for k in range(ids.GetNumberOfIds())]
        check(np.all(track_of_point[members] == cell_tracks[c]), f"cell {c}: points and cell disagree on TrackId")
    start = vtk_to_numpy(tracks.GetCellData().GetArray("StartStep"))
    end = vtk_to_numpy(tracks.GetCellData().GetArray("EndStep"))
    check(tracks.GetNumberOfCells() == len(start) and np.all(start <= end), "Tracks: bad StartStep/EndStep")
    return cell_tracks


def track_series(tracking, times):
    """Per step: (TrackId, TrueTrackId) and a snapshot of the three outputs, in time order."""
    steps, snaps = [], []
    for time in times:
        clusters, tracks, events = outputs_at(tracking, time)
        check_annotation(clusters, tracks)
        steps.append((point_array(clusters, "TrackId"), point_array(clusters, "TrueTrackId")))
        snaps.append([snapshot(clusters), snapshot(tracks), snapshot(events)])
    return steps, snaps, events_of(events)


def test_sample(data_dir):
    reader = simple.PVDReader(FileName=os.path.join(data_dir, "tracking", "moving.pvd"))
    times = list(reader.TimestepValues)
    tracking = simple.ClusterTracking(Input=reader)
    check(list(tracking.TimestepValues) == times, f"output time steps {tracking.TimestepValues} != input's {times}")
    outputs_at(tracking, times[0])
    trackings, read = counters(tracking)
    # The first update reads every step once, then the step asked for (the first) again.
    check((trackings, read) == (1, len(times) + 1), f"first update: {trackings} trackings, {read} steps read")

    order = list(range(len(times)))
    random.Random(5).shuffle(order)
    first = {}
    for s in order:
        clusters, tracks, events = outputs_at(tracking, times[s])
        first[s] = snapshot(clusters)
    for s in reversed(order):
        clusters, _, _ = outputs_at(tracking, times[s])
        diff = differences(first[s], snapshot(clusters))
        check(not diff, f"step {s}: another annotation when asked again: {diff[:5]}")
    trackings, read_after = counters(tracking)
    check(trackings == 1, f"time requests tracked again ({trackings} trackings)")
    # One step read per request for another time than the one shown.
    requests, shown = 0, 0
    for s in order + order[::-1]:
        requests += s != shown
        shown = s
    check(read_after - read == requests, f"{read_after - read} steps read for {requests} time requests")

    series, _, events = track_series(tracking, times)
    with open(os.path.join(data_dir, "tracking", "true_events.csv")) as handle:
        rows = list(csv.DictReader(handle))
    truth = [(int(r["Step"]), r["Kind"], int(r["TrackId"]), int(r["OtherTrackId"])) for r in rows]
    figures = compare_with_truth(series, events, truth)
    check(figures["fraction"] >= 0.99, f"sample: only {figures['kept']} of {figures['links']} true links kept")
    check(all(figures["true_events"].get(k, 0) > 0 for k in ("birth", "death", "split", "merge", "gap")),
          f"the sample lacks an event kind: {figures['true_events']}")
    check(counters(tracking)[0] == 1, "tracked again")
    print(f"sample: {figures}")

    # A property change tracks again: without gap closing, a gap is a death and a birth.
    tracking.MaxGap = 0
    _, _, events = outputs_at(tracking, times[0])
    check(counters(tracking)[0] == 2, "changing MaxGap did not track again")
    kinds = [e[1] for e in events_of(events)]
    check("gap" not in kinds, f"MaxGap 0 still closed gaps: {kinds}")
    check(kinds.count("birth") > figures["true_events"]["birth"], "MaxGap 0 gave no extra births")

    # A part of the series: the output's times are the tracked steps', steps keep the input's numbers.
    tracking.MaxGap, tracking.FirstStep, tracking.LastStep = 2, 3, 10
    tracking.UpdatePipelineInformation()
    check(list(tracking.TimestepValues) == times[3:11], f"FirstStep 3, LastStep 10: times {tracking.TimestepValues}")
    clusters, tracks, events = outputs_at(tracking, times[0])
    steps = vtk_to_numpy(tracks.GetPointData().GetArray("Step"))
    check(steps.min() == 3 and steps.max() == 10, f"Tracks steps {steps.min()}..{steps.max()}, not 3..10")
    check(all(3 < e[0] <= 10 for e in events_of(events)), "an event outside steps 4..10")
    check(np.array_equal(point_array(clusters, "TrueTrackId"), series[3][1]),
          "a time before the first tracked step does not show that step")


def test_generated():
    source = simple.MovingClusters(StepCount=12, ClusterCount=30, Seed=3, GapProbability=0.05,
                                   SplitProbability=0.03, MergeProbability=0.03)
    times = list(source.TimestepValues)
    results = []
    for threads in (1, 2):
        tracking = simple.ClusterTracking(Input=source, NumberOfThreads=threads)
        results.append(track_series(tracking, times))
        check(counters(tracking)[0] == 1, f"{threads} threads: tracked more than once")
    for s in range(len(times)):
        for port in range(3):
            diff = differences(results[0][1][s][port], results[1][1][s][port])
            check(not diff, f"step {s} port {port}: 1 and 2 threads differ: {diff[:5]}")
    source.UpdatePipeline(times[0])
    truth = events_of(source.GetClientSideObject().GetOutputDataObject(1))
    figures = compare_with_truth(results[0][0], results[0][2], truth)
    check(figures["fraction"] >= 0.99, f"generated: only {figures['kept']} of {figures['links']} true links kept")
    check(figures["true_events"].get("split", 0) > 0 and figures["true_events"].get("merge", 0) > 0,
          f"the generated series lacks splits or merges: {figures['true_events']}")
    print(f"generated: {figures}")


def test_close_passes():
    source = simple.MovingClusters(Scene="Close Passes", StepCount=10, ClusterCount=6, Seed=2)
    tracking = simple.ClusterTracking(Input=source)
    steps, _, events = track_series(tracking, list(source.TimestepValues))
    figures = compare_with_truth(steps, events, [])
    check(figures["kept"] == figures["links"], f"close passes: {figures['kept']} of {figures['links']} links kept")
    print(f"close passes: {figures}")


def main(plugin, data_dir):
    simple.LoadPlugin(plugin)
    try:
        test_sample(data_dir)
        test_generated()
        test_close_passes()
    except Failure as failure:
        print(f"FAILED: {failure}")
        return 1
    print("tracking: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
