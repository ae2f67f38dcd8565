"""Writes data/tracking/: a small time series of moving clusters with known tracks, for Cluster Tracking.

Run with pvpython and the built plugin (deterministic: rerunning it rewrites the same data):
    pvpython scripts/make_tracking_sample.py build/lib/paraview-plugins/Scipar/Scipar.so [OUT_DIR]

The Moving Clusters source (the core's scipar_moving_clusters_step) with the parameters below makes
the steps; each is written as moving_NN.vtp (VTK XML polydata, inline binary, zlib: appended mode
does not read back with Debian's ParaView 5.11), listed with its time in moving.pvd. Point arrays:
ClusterId (int64, renumbered at random at every step) and TrueTrackId (int64, the true track, numbered
as Cluster Tracking numbers its tracks). true_events.csv lists the true events (step, time, kind,
track, other track), as Cluster Tracking's Events output. The script checks that the series holds
every kind of event and reads every file back.
"""
import csv
import os
import sys

from paraview import simple
from paraview import servermanager
from vtkmodules.vtkIOXML import vtkXMLPolyDataReader, vtkXMLPolyDataWriter

PARAMETERS = dict(StepCount=16, ClusterCount=10, ClusterSizeRange=[20, 50], Seed=3, BoxRange=[0, 50],
                  BirthRate=0.3, DeathProbability=0.02, GapProbability=0.04, SplitProbability=0.03,
                  MergeProbability=0.03)
KINDS = ("birth", "death", "split", "merge", "gap")


def main(plugin, out):
    simple.LoadPlugin(plugin)  # adds MovingClusters to paraview.simple
    source = simple.MovingClusters(**PARAMETERS)
    times = list(source.TimestepValues)
    os.makedirs(out, exist_ok=True)
    entries = []
    for step, time in enumerate(times):
        source.UpdatePipeline(time)
        cloud = servermanager.Fetch(source)
        name = f"moving_{step:02d}.vtp"
        writer = vtkXMLPolyDataWriter()
        writer.SetFileName(os.path.join(out, name))
        writer.SetInputData(cloud)
        writer.SetDataModeToBinary()
        if not writer.Write():
            raise SystemExit(f"could not write {name}")
        reader = vtkXMLPolyDataReader()
        reader.SetFileName(os.path.join(out, name))
        reader.Update()
        if reader.GetOutput().GetNumberOfPoints() != cloud.GetNumberOfPoints():
            raise SystemExit(f"{name} does not read back")
        entries.append(f'    <DataSet timestep="{time:g}" part="0" file="{name}"/>')
    with open(os.path.join(out, "moving.pvd"), "w") as handle:
        handle.write('<?xml version="1.0"?>\n<VTKFile type="Collection" version="0.1">\n  <Collection>\n')
        handle.write("\n".join(entries) + "\n  </Collection>\n</VTKFile>\n")

    source.UpdatePipeline(times[0])
    table = source.GetClientSideObject().GetOutputDataObject(1)
    columns = ["Step", "Time", "Kind", "TrackId", "OtherTrackId"]
    rows = [[table.GetColumnByName(c).GetValue(r) for c in columns] for r in range(table.GetNumberOfRows())]
    with open(os.path.join(out, "true_events.csv"), "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    missing = [kind for kind in KINDS if kind not in {row[2] for row in rows}]
    if missing:
        raise SystemExit(f"the series has no {', '.join(missing)} event: choose other parameters")
    print(f"{len(times)} steps, {len(rows)} events written to {out}")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "data", "tracking"))
