"""Run inside the ParaView GUI: paraview --script=gui_kinect.py --exit (under Xvfb).

The Kinect demo: two frames of data/kinect/ (no cluster ids) -> Euclidean Clusters on each ->
Chamfer Cluster Matching, shown as the GUI shows it by default (nothing of the look set here but
the view), from the camera's own point of view; a screenshot is saved. Environment: SCIPAR_PLUGIN,
SCIPAR_DATA (data/), SCIPAR_GUI_DIR, SCIPAR_GUI_OUT, and optionally SCIPAR_README_PNG (the README's
picture, written there too).
"""
import json
import os
import sys
import traceback

out = os.environ["SCIPAR_GUI_OUT"]
sys.path.insert(0, os.environ["SCIPAR_GUI_DIR"])
sys.dont_write_bytecode = True
report = {"script": "gui_kinect", "finished": False}
try:
    from paraview import servermanager
    from paraview.simple import (GetActiveCamera, GetActiveViewOrCreate, ResetCamera, GetColorTransferFunction, LoadPlugin, OpenDataFile,
                                 OutputPort, Render, SaveScreenshot, Show)

    import scipar_display

    report["executable"] = os.path.realpath("/proc/self/exe")
    LoadPlugin(os.environ["SCIPAR_PLUGIN"], ns=globals())
    frames = [os.path.join(os.environ["SCIPAR_DATA"], "kinect", f"frame_{k}.vtp") for k in (0, 1)]
    # 1 cm voxels: neighbours within 2 cm, a core point needs 16 of them (a solid surface), so that
    # thin junctions do not chain the objects to the walls; clusters of fewer than 50 points (specks)
    # or more than 5000 (the floor and walls) are dropped: their points are noise (grey).
    clusters = [EuclideanClusters(registrationName=f"Frame {k} clusters", Input=OpenDataFile(path),  # noqa: F821
                                  Radius=0.02, MinNeighbors=16, MinClusterSize=50, MaxClusterSize=5000)
                for k, path in enumerate(frames)]
    matching = ChamferClusterMatching(registrationName="Kinect matching", Source=clusters[0],  # noqa: F821
                                      Target=clusters[1])
    matching.UpdatePipeline()
    view = GetActiveViewOrCreate("RenderView")
    view.ViewSize = [1280, 800]
    displays = [Show(OutputPort(matching, port), view) for port in (0, 1, 3)]
    scipar_display.plain_view(view)
    # The sensor's view: the camera at the origin looks along +z, image rows along -y.
    view.CameraPosition = [0.0, 0.0, 0.0]
    view.CameraFocalPoint = [0.0, 0.0, 1.0]
    view.CameraViewUp = [0.0, -1.0, 0.0]
    ResetCamera(view)
    GetActiveCamera().Zoom(1.5)
    Render(view)
    png = os.path.join(out, "gui_kinect.png")
    SaveScreenshot(png, view, ImageResolution=[1280, 800])
    readme = os.environ.get("SCIPAR_README_PNG")
    if readme:
        SaveScreenshot(readme, view, ImageResolution=[1280, 800])
    pairs = servermanager.Fetch(matching, idx=2)
    lut = GetColorTransferFunction("PairIndex")
    report.update({
        "screenshot": png,
        "clusters": [c.GetClientSideObject().GetOutputDataObject(0).GetFieldData().GetArray("ClusterSize")
                     .GetNumberOfTuples() for c in clusters],
        "num_pairs": pairs.GetNumberOfRows(),
        "mutual": int(sum(pairs.GetColumnByName("Mutual").GetValue(i) for i in range(pairs.GetNumberOfRows()))),
        "links": servermanager.Fetch(matching, idx=3).GetNumberOfLines(),
        "palette": [list(lut.IndexedColors[i:i + 3]) for i in range(3, len(lut.IndexedColors), 3)],
        "link_color": scipar_display.LINK_COLOR, "background": scipar_display.BACKGROUND})
    report["finished"] = True
except Exception:
    report["error"] = traceback.format_exc()
    print(report["error"])
with open(os.path.join(out, "gui_kinect.json"), "w") as handle:
    json.dump(report, handle, indent=1, sort_keys=True)
