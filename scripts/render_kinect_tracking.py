"""Renders docs/kinect_tracking.png: Cluster Tracking over the three Kinect frames of data/kinect/.

    pvpython --force-offscreen-rendering scripts/render_kinect_tracking.py build/lib/paraview-plugins/Scipar/Scipar.so [OUT.png]

(`cmake --build build --target scipar_kinect_tracking_picture` runs it.) The three frames read as one
time series -> Euclidean Clusters with the README demo's parameters (Radius 0.02, Min Neighbors 16,
Min Cluster Size 50, Max Cluster Size 5000) -> Cluster Tracking with its defaults. The frames are
drawn side by side, each seen from the sensor (parallel projection), its clusters coloured by TrackId
with the GUI's categorical colours (the plugin's `scipar` module), its noise points (walls, floor,
specks: no track) small and light grey. A cluster that continues a track keeps its colour from
frame to frame. Prints the figures shown.
"""
import os
import sys
from collections import Counter

from paraview import servermanager
from paraview.simple import (ColorBy, CreateView, ForceTime, LoadPlugin, OutputPort, Render, SaveScreenshot, Show,
                             Text, Clip, Transform, XMLPolyDataReader)

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = dict(Radius=0.02, MinNeighbors=16, MinClusterSize=50, MaxClusterSize=5000)
REGION = (-0.95, 0.62, -0.76, -0.12)  # x and y range (metres) around the clusters of the three frames
SPACING = 0.7  # metres between the frames drawn one above the other
SIZE = (1200, 1300)
TOP, BOTTOM, LEFT = 0.16, 0.04, 0.35  # margins (metres): the title above, the captions left


def main(plugin, png):
    LoadPlugin(plugin, ns=globals())
    import scipar  # the plugin's Python module, importable once the plugin is loaded

    frames = [os.path.join(HERE, "..", "data", "kinect", f"frame_{k}.vtp") for k in range(3)]
    reader = XMLPolyDataReader(FileName=frames)  # one series: time steps 0, 1, 2
    clusters = EuclideanClusters(Input=reader, **DEMO)  # noqa: F821 (defined by the plugin)
    tracking = ClusterTracking(Input=clusters)  # noqa: F821
    tracking.UpdatePipeline(0.0)
    num_tracks = servermanager.Fetch(tracking, idx=1).GetNumberOfCells()
    events = servermanager.Fetch(tracking, idx=2)
    kinds = Counter(events.GetColumnByName("Kind").GetValue(r) for r in range(events.GetNumberOfRows()))

    lut = scipar.color_pairs(num_tracks, [f"track {i}" for i in range(num_tracks)], name="TrackId")
    view = CreateView("RenderView")
    view.ViewSize = list(SIZE)
    view.UseColorPaletteForBackground = 0
    view.Background = [1.0, 1.0, 1.0]
    view.OrientationAxesVisibility = 0
    counts = []
    top, bottom = REGION[2] - TOP, REGION[3] + 2 * SPACING + BOTTOM  # image rows run along +y
    for k, time in enumerate(reader.TimestepValues):
        offset = [0.0, k * SPACING, 0.0]  # +y is down in the sensor's image: frame 0 on top
        # Every point of the frame near the objects, noise included, as a light grey backdrop.
        frame = ForceTime(Input=reader, ForcedTime=time, IgnorePipelineTime=1)
        near = Clip(Input=frame, ClipType="Box", Invert=1, Crinkleclip=1)
        near.ClipType.Position = [REGION[0], REGION[2], 0.0]
        near.ClipType.Length = [REGION[1] - REGION[0], REGION[3] - REGION[2], 10.0]
        backdrop = Show(Transform(Input=near, Transform="Transform"), view)
        step = ForceTime(Input=OutputPort(tracking, 0), ForcedTime=time, IgnorePipelineTime=1)
        tracked = Show(Transform(Input=step, Transform="Transform"), view)
        for display, source in ((backdrop, near), (tracked, step)):
            display.Input.Transform.Translate = offset
            display.SetRepresentationType("Points")
        backdrop.ColorArrayName = ["POINTS", ""]  # a solid colour
        backdrop.AmbientColor = [0.7, 0.7, 0.7]
        backdrop.DiffuseColor = [0.7, 0.7, 0.7]
        backdrop.PointSize = 1.5
        ColorBy(tracked, ("POINTS", "TrackId"))
        tracked.LookupTable = lut
        tracked.PointSize = 4.0
        tracked.SetScalarBarVisibility(view, False)
        step.UpdatePipeline(time)
        counts.append(step.GetDataInformation().GetNumberOfCells())  # one cell per cluster
        caption = Show(Text(Text=f"frame {k}\n{counts[-1]} clusters"), view)
        caption.WindowLocation = "Any Location"
        middle = 0.5 * (REGION[2] + REGION[3]) + k * SPACING
        caption.Position = [0.02, (bottom - middle) / (bottom - top) - 0.02]
        caption.FontSize = 16
        caption.Color = [0.1, 0.1, 0.1]

    title = Show(Text(Text=f"data/kinect/ -> Euclidean Clusters -> Cluster Tracking: {num_tracks} tracks, "
                           f"coloured by TrackId (the GUI's 32 colours,\nshared by tracks 32 apart; "
                           f"light grey: noise, no track). Events: "
                           + ", ".join(f"{kinds[k]} {k}s" for k in ("birth", "split", "merge", "death", "gap")
                                       if kinds[k])), view)
    title.WindowLocation = "Upper Left Corner"
    title.FontSize = 14
    title.Color = [0.1, 0.1, 0.1]
    title.Justification = "Left"

    # Each frame as the sensor sees it (camera at the origin looking along +z, image rows along -y),
    # with a parallel projection so that the frames one above the other look alike.
    Render(view)  # the first render resets the camera to the data: set it afterwards
    half_height = 0.5 * (bottom - top)
    half_width = half_height * SIZE[0] / SIZE[1]
    centre = [REGION[0] - LEFT + half_width, 0.5 * (top + bottom), 1.2]
    view.CameraPosition = [centre[0], centre[1], -5.0]
    view.CameraFocalPoint = centre
    view.CameraViewUp = [0.0, -1.0, 0.0]
    view.CameraParallelProjection = 1
    view.CameraParallelScale = half_height
    Render(view)
    SaveScreenshot(png, view, ImageResolution=list(SIZE))
    print(f"clusters per frame {counts}, {num_tracks} tracks, events {dict(kinds)}, picture in {png}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "docs", "kinect_tracking.png"))
