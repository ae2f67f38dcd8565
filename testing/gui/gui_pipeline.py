"""Run inside the ParaView GUI: paraview --script=gui_pipeline.py --exit (under Xvfb).

What a user does with no data of their own: Sources > Scipar > Gaussian Clusters, Filters > Scipar >
Next Frame, Filters > Scipar > Chamfer Cluster Matching (Source = the clusters, Target = the next
frame), then looks at the result. Here the same pipeline is built in the GUI's own Python, shown in
the GUI's render view (clouds as points coloured by PairIndex with the categorical colour map the
plugin gives by default, as every other part of the look: nothing is set here but the view), and a
screenshot is saved.

The GUI does not pass arguments to --script, so the environment does:
  SCIPAR_PLUGIN    the plugin (Scipar.so)
  SCIPAR_GUI_DIR   this directory (for scipar_display)
  SCIPAR_GUI_OUT   where to write gui_pipeline.png and gui_pipeline.json (the report that
                   run_gui_test.py checks, with the traceback if anything failed)
  SCIPAR_README_PNG  optional: also save the README picture there (larger, points as spheres)
"""
import json
import os
import sys
import traceback

out = os.environ["SCIPAR_GUI_OUT"]
sys.path.insert(0, os.environ["SCIPAR_GUI_DIR"])
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
report = {"script": "gui_pipeline", "finished": False}
try:
    import numpy as np
    from paraview import servermanager
    from paraview.simple import (ColorBy, CreateView, Delete, SetActiveView, GetActiveCamera, GetActiveViewOrCreate,
                                 GetColorTransferFunction,
                                 GetDisplayProperties, Hide, LoadPlugin, OutputPort, Render, ResetCamera,
                                 SaveScreenshot, Show, Text)
    from vtkmodules.util.numpy_support import vtk_to_numpy

    import scipar_display

    report["executable"] = os.path.realpath("/proc/self/exe")  # the paraview GUI, not pvpython
    LoadPlugin(os.environ["SCIPAR_PLUGIN"], ns=globals())  # defines GaussianClusters, NextFrame, ...
    for group, name in (("sources", "GaussianClusters"), ("filters", "NextFrame"), ("filters", "EuclideanClusters"),
                        ("filters", "ChamferClusterMatching"), ("sources", "MovingClusters"),
                        ("filters", "ClusterTracking")):
        report[f"definition_{name}"] = scipar_display.proxy_documentation(group, name)

    # Traced as a user's GUI session would be (Tools > Start Trace): the trace must replay in
    # pvpython with the GUI's colours (run_gui_test.py replays it).
    from paraview import smtrace
    smtrace.start_trace()

    # Well separated clusters that move by up to 8 (the notebook's settings overlap too much to see).
    clusters = GaussianClusters(registrationName="Gaussian Clusters", ClusterCount=18,
                                MaxClusterSize=80, Seed=3, BoxRange=[0.0, 100.0],
                                SigmaRange=[1.0, 2.5])
    moved = NextFrame(registrationName="Next Frame", Input=clusters, Shift=8.0, Jitter=0.2,
                      DropFraction=0.2, Seed=4)
    matching = ChamferClusterMatching(registrationName="Chamfer Cluster Matching",
                                      Source=clusters, Target=moved)
    matching.UpdatePipeline()

    view = GetActiveViewOrCreate("RenderView")
    view.ViewSize = [1280, 800]
    # Shown as Apply shows them, nothing set here: the plugin's GUI behaviours must give the look by
    # themselves (PairIndex categorical, the clouds told apart, the links visible).
    num_pairs = servermanager.Fetch(matching, idx=2).GetNumberOfRows()
    displays = [Show(OutputPort(matching, port), view) for port in (0, 1, 3)]
    scipar_display.plain_view(view)
    view.CameraFocalPoint = [50, 50, 50]
    view.CameraPosition = [50 + 200, 50 - 240, 50 + 160]
    view.CameraViewUp = [0, 0, 1]
    ResetCamera(view)
    camera = GetActiveCamera()
    camera.Zoom(1.3)
    Render(view)
    # The pairs table in a spreadsheet, as Apply shows it: the columns a user sees, in their order.
    spreadsheet = CreateView("SpreadSheetView")
    Show(OutputPort(matching, 2), spreadsheet)
    Render(spreadsheet)
    sheet = spreadsheet.GetClientSideObject()
    report["spreadsheet_columns"] = [sheet.GetColumnLabel(i) for i in range(sheet.GetNumberOfColumns())
                                     if sheet.GetColumnVisibility(i) and not sheet.IsColumnInternal(i)]
    report["spreadsheet_hidden"] = list(spreadsheet.HiddenColumnLabels)
    Delete(spreadsheet)
    SetActiveView(view)

    trace = os.path.join(out, "gui_pipeline_trace.py")
    with open(trace, "w") as handle:
        handle.write(smtrace.stop_trace())
    lut = GetColorTransferFunction("PairIndex")
    png = os.path.join(out, "gui_pipeline.png")
    SaveScreenshot(png, view, ImageResolution=[1280, 800])

    # What the test checks besides the picture: the right answer is known (TrueClusterId).
    source = servermanager.Fetch(matching, idx=0)
    target = servermanager.Fetch(matching, idx=1)
    pairs = servermanager.Fetch(matching, idx=2)
    pair_id = vtk_to_numpy(target.GetPointData().GetArray("PairId"))
    truth = vtk_to_numpy(target.GetPointData().GetArray("TrueClusterId"))
    report.update({
        "screenshot": png,
        "trace": trace,
        "num_pairs": int(num_pairs),
        "source_points": source.GetNumberOfPoints(),
        "source_clusters": source.GetNumberOfCells(),
        "target_points": target.GetNumberOfPoints(),
        "target_clusters": target.GetNumberOfCells(),
        "links": servermanager.Fetch(matching, idx=3).GetNumberOfLines(),
        "target_points_matched_right": float(np.mean(pair_id == truth)),
        # The colour map the displays got: its mode, its annotated values, its colours.
        "lut_categorical": int(lut.InterpretValuesAsCategories),
        "lut_values": [lut.Annotations[i] for i in range(0, len(lut.Annotations), 2)],
        "lut_annotations": list(lut.Annotations),
        "lut_colors": list(lut.IndexedColors),
        "pairs": [[int(pairs.GetColumnByName(side).GetValue(row)) for side in ("SourceId", "TargetId")]
                  for row in range(pairs.GetNumberOfRows())],
        "unpaired_color": list(lut.IndexedColors[0:3]),
        "palette": [list(lut.IndexedColors[i:i + 3]) for i in range(3, len(lut.IndexedColors), 3)],
        "link_color": scipar_display.LINK_COLOR,
        # The look the displays got by default.
        "displays": {name: {"representation": str(d.Representation), "point_size": d.PointSize, "opacity": d.Opacity,
                            "line_width": d.LineWidth, "color_array": str(d.ColorArrayName[1]),
                            "diffuse_color": list(d.DiffuseColor)}
                     for name, d in zip(("source", "target", "links"), displays)},
        "background": scipar_display.BACKGROUND,
    })

    readme = os.environ.get("SCIPAR_README_PNG")
    if readme:
        for port, size in ((0, 11), (1, 6)):
            display = GetDisplayProperties(OutputPort(matching, port), view)
            display.PointSize = size
            display.RenderPointsAsSpheres = 1
        GetDisplayProperties(OutputPort(matching, 3), view).LineWidth = 3.0
        title = Text(registrationName="Title")
        title.Text = "Gaussian Clusters -> Next Frame -> Chamfer Cluster Matching"
        title_display = Show(title, view)
        title_display.FontSize = 12
        title_display.Color = [0.1, 0.1, 0.1]
        title_display.WindowLocation = "Upper Left Corner"
        legend = Text(registrationName="Legend")
        legend.Text = ("large faded points: Gaussian Clusters (source)    small points: Next Frame (moved, thinned, "
                       "renumbered)\nsame colour: a matched pair (PairIndex)    black lines: Pair Links, "
                       "centroid to centroid")
        legend_display = Show(legend, view)
        legend_display.FontSize = 9
        legend_display.Color = [0.25, 0.25, 0.25]
        legend_display.WindowLocation = "Lower Left Corner"
        legend_display.Justification = "Left"
        Render(view)
        SaveScreenshot(readme, view, ImageResolution=[1600, 1000])
        Hide(title, view)
        Hide(legend, view)
        report["readme_picture"] = readme

    # Cluster Tracking in the same view, the matching hidden: TrackId gets a categorical colour map
    # by itself too, shared by the clusters (points) and the tracks (cells).
    for port in (0, 1, 3):
        Hide(OutputPort(matching, port), view)
    moving = MovingClusters(registrationName="Moving Clusters", StepCount=8, ClusterCount=12, Seed=2)
    tracking = ClusterTracking(registrationName="Cluster Tracking", Input=moving)
    tracking.UpdatePipeline(0.0)
    clusters_display = Show(OutputPort(tracking, 0), view)
    ColorBy(clusters_display, ("POINTS", "TrackId"))
    tracks_display = Show(OutputPort(tracking, 1), view)
    ColorBy(tracks_display, ("CELLS", "TrackId"))
    Render(view)
    track_lut = GetColorTransferFunction("TrackId")
    report.update({
        "num_tracks": servermanager.Fetch(tracking, idx=1).GetNumberOfCells(),
        "track_lut_categorical": int(track_lut.InterpretValuesAsCategories),
        "track_lut_values": [track_lut.Annotations[i] for i in range(0, len(track_lut.Annotations), 2)],
    })
    report["finished"] = True
except Exception:
    report["error"] = traceback.format_exc()
    print(report["error"])
with open(os.path.join(out, "gui_pipeline.json"), "w") as handle:
    json.dump(report, handle, indent=1, sort_keys=True)
