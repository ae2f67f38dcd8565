"""Cluster Tracking against a centroid tracker and against the floor of reading the steps, on moving
clusters with known tracks. Writes OUT/tracking.md and OUT/tracking.json.

    pvpython bench/tracking.py --build build --out bench/results             # every scene: minutes
    pvpython bench/tracking.py --build build --out /tmp/tq --quick           # small scenes: seconds (ctest)

Each scene is made by the plugin's Moving Clusters source (the core's generator: TrueTrackId on every
point) and written as a .pvd series of inline-binary .vtp files in a scratch directory; every
contender reads it through ParaView's PVD reader:

- read: the floor, every step read through the reader (UpdatePipeline per time step);
- chamfer: Cluster Tracking's first update over a fresh reader: it reads every step, tracks, and
  reads the step shown once more;
- centroid: every step read the same way, its cluster centroids (NumPy), and consecutive steps
  linked by SciPy's linear_sum_assignment on centroid distances with a gate (pairs farther than the
  gate are never linked), as TrackMate and trackpy link. Its gate is the best of several (2, 4 and 8
  times the fastest cluster's step, by accuracy against the truth): tuned on the answer, in its favour.

Accuracy: of the true frame-to-frame links (a true track present at two consecutive steps), the
fraction each tracker keeps (both clusters in one of its tracks); wrong links are counted apart.
Times are medians of --repeats runs, contenders interleaved (tracking / read: the median of the
runs' ratios), one thread (NumberOfThreads 1; SciPy's
assignment is serial). The quick mode fails (exit 1) when Cluster Tracking keeps fewer links than the
centroid tracker on a scene.
"""
import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np
from paraview import servermanager, simple
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist
from vtkmodules.util.numpy_support import vtk_to_numpy
from vtkmodules.vtkIOXML import vtkXMLPolyDataWriter

HERE = os.path.dirname(os.path.abspath(__file__))

# name -> Moving Clusters properties. "random": the default motion, occlusion and events at scale;
# "crowded": the same in a box 4x smaller per side, faster (neighbours within a step's motion);
# "close passes": rods and blobs crossing head on (centroids pass within half a step's motion).
SCENES = {
    "random-1k": dict(StepCount=100, ClusterCount=1000, ClusterSizeRange=[80, 220], BoxRange=[0, 500], Seed=1),
    "crowded": dict(StepCount=30, ClusterCount=300, ClusterSizeRange=[30, 80], BoxRange=[0, 80],
                    SpeedRange=[1.0, 3.0], Seed=2),
    "close-passes": dict(Scene="Close Passes", StepCount=30, ClusterCount=100, Seed=3),
}
QUICK = {
    "random-small": dict(StepCount=10, ClusterCount=40, Seed=1),
    "close-passes-small": dict(Scene="Close Passes", StepCount=10, ClusterCount=10, Seed=3),
}


def write_series(properties, directory):
    """The scene as directory/series.pvd; returns the number of points per step (mean)."""
    source = simple.MovingClusters(**properties)
    entries, points = [], []
    for step, time_value in enumerate(source.TimestepValues):
        source.UpdatePipeline(time_value)
        cloud = servermanager.Fetch(source)
        points.append(cloud.GetNumberOfPoints())
        name = f"step_{step:03d}.vtp"
        writer = vtkXMLPolyDataWriter()
        writer.SetFileName(os.path.join(directory, name))
        writer.SetInputData(cloud)
        writer.SetDataModeToBinary()
        writer.Write()
        entries.append(f'<DataSet timestep="{time_value!r}" part="0" file="{name}"/>')
    simple.Delete(source)
    with open(os.path.join(directory, "series.pvd"), "w") as handle:
        handle.write('<?xml version="1.0"?>\n<VTKFile type="Collection" version="0.1"><Collection>\n'
                     + "\n".join(entries) + "\n</Collection></VTKFile>\n")
    return float(np.mean(points))


def read_steps(path, keep):
    """Reads every step through a fresh PVD reader; keep(step, polydata) sees each. Returns seconds."""
    reader = simple.PVDReader(FileName=path)
    times = list(reader.TimestepValues)
    start = time.perf_counter()
    for step, time_value in enumerate(times):
        reader.UpdatePipeline(time_value)
        keep(step, reader.GetClientSideObject().GetOutputDataObject(0))
    seconds = time.perf_counter() - start
    simple.Delete(reader)
    return seconds


def step_links(cluster_tracks):
    """cluster_tracks: per step, {cluster id: (tracker's track, true track)}. Returns (true links,
    kept, wrong): frame-to-frame links between consecutive steps."""
    true_links = kept = wrong = 0
    for before, after in zip(cluster_tracks, cluster_tracks[1:]):
        true_before = {true: mine for mine, true in before.values()}
        mine_before = {mine: true for mine, true in before.values()}
        for mine, true in after.values():
            if true in true_before:
                true_links += 1
                kept += true_before[true] == mine
            if mine in mine_before and mine_before[mine] != true:
                wrong += 1
    return true_links, kept, wrong


def clusters_of(polydata, track_array):
    ids = vtk_to_numpy(polydata.GetPointData().GetArray("ClusterId"))
    tracks = vtk_to_numpy(polydata.GetPointData().GetArray(track_array))
    truth = vtk_to_numpy(polydata.GetPointData().GetArray("TrueTrackId"))
    first = np.unique(ids, return_index=True)[1]
    return {int(ids[i]): (int(tracks[i]), int(truth[i])) for i in first}


def run_chamfer(path):
    reader = simple.PVDReader(FileName=path)
    times = list(reader.TimestepValues)
    tracking = simple.ClusterTracking(Input=reader, NumberOfThreads=1)
    start = time.perf_counter()
    tracking.UpdatePipeline(times[0])
    seconds = time.perf_counter() - start
    per_step = []
    for time_value in times:
        tracking.UpdatePipeline(time_value)
        per_step.append(clusters_of(tracking.GetClientSideObject().GetOutputDataObject(0), "TrackId"))
    simple.Delete(tracking)
    simple.Delete(reader)
    return seconds, step_links(per_step)


def centroid_links(previous, current, gate):
    """Assignment on centroid distances within the gate: {current row: previous row}."""
    if len(previous) == 0 or len(current) == 0:
        return {}
    cost = cdist(previous, current)
    blocked = cost > gate
    cost[blocked] = 1e12  # never chosen over leaving both unlinked, which the gate check below does
    rows, columns = linear_sum_assignment(cost)
    return {int(c): int(r) for r, c in zip(rows, columns) if not blocked[r, c]}


def run_centroid(path, gate):
    """Reads every step, links by centroids; returns (seconds, links, seconds without reading)."""
    state = {"previous": None, "tracks": None, "next": 0, "per_step": [], "work": 0.0}

    def keep(step, polydata):
        start = time.perf_counter()
        xyz = vtk_to_numpy(polydata.GetPoints().GetData())
        ids = vtk_to_numpy(polydata.GetPointData().GetArray("ClusterId"))
        truth = vtk_to_numpy(polydata.GetPointData().GetArray("TrueTrackId"))
        labels, inverse, counts = np.unique(ids, return_inverse=True, return_counts=True)
        centroids = np.stack([np.bincount(inverse, xyz[:, k]) for k in range(3)], axis=1) / counts[:, None]
        tracks = np.empty(len(labels), dtype=np.int64)
        links = centroid_links(state["previous"], centroids, gate) if state["previous"] is not None else {}
        for c in range(len(labels)):
            if c in links:
                tracks[c] = state["tracks"][links[c]]
            else:
                tracks[c] = state["next"]
                state["next"] += 1
        state["previous"], state["tracks"] = centroids, tracks
        state["work"] += time.perf_counter() - start
        first = np.unique(inverse, return_index=True)[1]
        state["per_step"].append({int(labels[c]): (int(tracks[c]), int(truth[first[c]])) for c in range(len(labels))})

    seconds = read_steps(path, keep)
    return seconds, step_links(state["per_step"]), state["work"]


def bench_scene(name, properties, repeats, scratch):
    directory = os.path.join(scratch, name)
    os.makedirs(directory)
    points = write_series(properties, directory)
    path = os.path.join(directory, "series.pvd")
    speed = properties.get("SpeedRange", [0.5, 2.0])[1]
    gates = [2 * speed, 4 * speed, 8 * speed]
    best_gate = max(gates, key=lambda gate: run_centroid(path, gate)[1][1])
    timings = {"read": [], "chamfer": [], "centroid": [], "centroid without reading": []}
    for _ in range(repeats):  # interleaved
        timings["read"].append(read_steps(path, lambda step, data: None))
        seconds, chamfer = run_chamfer(path)
        timings["chamfer"].append(seconds)
        seconds, centroid, work = run_centroid(path, best_gate)
        timings["centroid"].append(seconds)
        timings["centroid without reading"].append(work)
    shutil.rmtree(directory)
    medians = {key: statistics.median(values) for key, values in timings.items()}
    result = {
        "scene": name, "properties": properties, "steps": properties["StepCount"], "points_per_step": points,
        "seconds": medians, "runs": timings, "centroid_gate": best_gate,
        "chamfer": dict(zip(("true_links", "kept", "wrong"), chamfer)),
        "centroid": dict(zip(("true_links", "kept", "wrong"), centroid)),
        # The median of each run's ratio: the runs interleave, so each ratio compares like with like.
        "chamfer / read": statistics.median(c / r for c, r in zip(timings["chamfer"], timings["read"])),
    }
    for tracker in ("chamfer", "centroid"):
        result[tracker]["accuracy"] = result[tracker]["kept"] / max(result[tracker]["true_links"], 1)
    print(json.dumps({k: result[k] for k in ("scene", "seconds", "chamfer", "centroid", "chamfer / read")}), flush=True)
    return result


def write_table(results, out):
    lines = ["| scene | steps | points/step | read (s) | Cluster Tracking (s) | tracking / read | centroid tracker (s) "
             "| links kept: Cluster Tracking | centroid tracker (gate) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        s, c, g = r["seconds"], r["chamfer"], r["centroid"]
        lines.append(f"| {r['scene']} | {r['steps']} | {r['points_per_step']:,.0f} | {s['read']:.2f} | {s['chamfer']:.2f} "
                     f"| {r['chamfer / read']:.2f} | {s['centroid']:.2f} ({s['centroid without reading']:.2f} "
                     f"without reading) | {c['accuracy']:.2%} ({c['wrong']} wrong) | {g['accuracy']:.2%} "
                     f"({g['wrong']} wrong, gate {r['centroid_gate']:g}) |")
    with open(os.path.join(out, "tracking.md"), "w") as handle:
        handle.write("\n".join(lines) + "\n")
    with open(os.path.join(out, "tracking.json"), "w") as handle:
        json.dump(results, handle, indent=1)
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build", help="scipar build directory")
    parser.add_argument("--out", default=os.path.join(HERE, "results"))
    parser.add_argument("--quick", action="store_true", help="small scenes, one run: seconds")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenes", nargs="*", help="scene names (default: all)")
    arguments = parser.parse_args()
    simple.LoadPlugin(os.path.abspath(os.path.join(arguments.build, "lib", "paraview-plugins", "Scipar", "Scipar.so")))
    scenes = QUICK if arguments.quick else SCENES
    names = arguments.scenes or list(scenes)
    os.makedirs(arguments.out, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="scipar-tracking-bench-")
    try:
        results = [bench_scene(name, scenes[name], 1 if arguments.quick else arguments.repeats, scratch)
                   for name in names]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    write_table(results, arguments.out)
    worse = [r["scene"] for r in results if r["chamfer"]["accuracy"] < r["centroid"]["accuracy"]]
    if worse:
        print(f"FAILED: Cluster Tracking keeps fewer links than the centroid tracker on {worse}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
