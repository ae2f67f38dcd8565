"""Matches the clusters of two point clouds with the Scipar plugin and writes the results.

Run with pvpython (rendering needs a display: use xvfb-run on a headless machine):
    pvpython scripts/demo.py --plugin build/lib/paraview-plugins/Scipar/Scipar.so \
        --source data/seed_left.vtp --target data/seed_left_next.vtp --out out

Writes OUT/source.vtu and OUT/target.vtu (inline binary VTK XML: the appended mode does not read
back with this ParaView), OUT/pairs.csv and OUT/matching.png, and prints a summary.
"""
import argparse
import os

from paraview.simple import (ColorBy, CreateView, LoadPlugin, OpenDataFile,
                             OutputPort, Render, ResetCamera, SaveData, SaveScreenshot, Show, servermanager)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plugin", required=True, help="path of Scipar.so")
    parser.add_argument("--source", required=True, help="first cloud (.vtp, .vtu, ...) with a ClusterId point array")
    parser.add_argument("--target", required=True, help="second cloud, same form")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--metric", default="Max", choices=["Max", "Sum", "Mean", "Hausdorff"])
    return parser.parse_args()


def render(matching, pair_count, path):
    """Source (left) and target (right) side by side, both coloured by PairIndex with one colour per
    pair: matched clusters share a colour."""
    view = CreateView("RenderView")
    view.ViewSize = [1200, 600]
    view.OrientationAxesVisibility = 0
    view.UseColorPaletteForBackground = 0
    view.Background = [1, 1, 1]
    bounds = servermanager.Fetch(matching, idx=0).GetBounds()
    gap = 1.15 * (bounds[1] - bounds[0])
    import scipar  # the plugin's Python module (loaded with it): the GUI's colours and pair names
    lut = scipar.color_pairs(pair_count, scipar.pair_labels(OutputPort(matching, 2)))
    for port, offset in ((0, 0.0), (1, gap)):
        display = Show(OutputPort(matching, port), view)
        display.SetRepresentationType("Points")
        display.PointSize = 5
        display.RenderPointsAsSpheres = 1
        display.Position = [offset, 0, 0]
        ColorBy(display, ("POINTS", "PairIndex"))
        display.LookupTable = lut
    ResetCamera(view)
    view.CameraParallelProjection = 1
    Render(view)
    view.CameraParallelScale *= 0.62
    SaveScreenshot(path, view, ImageResolution=[1200, 600])


def main():
    args = parse_arguments()
    os.makedirs(args.out, exist_ok=True)
    # Defines ChamferClusterMatching. A full path: ParaView 5.12+ reads a relative one as a plugin name.
    LoadPlugin(os.path.abspath(args.plugin), ns=globals())
    source = OpenDataFile(args.source)
    target = OpenDataFile(args.target)
    matching = ChamferClusterMatching(Source=source, Target=target, Metric=args.metric)  # noqa: F821
    matching.UpdatePipeline()

    SaveData(os.path.join(args.out, "source.vtu"), proxy=OutputPort(matching, 0), DataMode="Binary")
    SaveData(os.path.join(args.out, "target.vtu"), proxy=OutputPort(matching, 1), DataMode="Binary")
    SaveData(os.path.join(args.out, "pairs.csv"), proxy=OutputPort(matching, 2), Precision=17)
    pairs = servermanager.Fetch(matching, idx=2)
    render(matching, pairs.GetNumberOfRows(), os.path.join(args.out, "matching.png"))

    source_grid = servermanager.Fetch(matching, idx=0)
    target_grid = servermanager.Fetch(matching, idx=1)
    mutual = pairs.GetColumnByName("Mutual")
    fields = pairs.GetFieldData()
    wall = fields.GetArray("WallTimeSeconds").GetValue(0)
    cpu = fields.GetArray("CPUTimeSeconds").GetValue(0)
    print(f"source: {source_grid.GetNumberOfPoints()} points in {source_grid.GetNumberOfCells()} clusters")
    print(f"target: {target_grid.GetNumberOfPoints()} points in {target_grid.GetNumberOfCells()} clusters")
    print(f"pairs: {pairs.GetNumberOfRows()} rows, "
          f"{sum(mutual.GetValue(i) for i in range(pairs.GetNumberOfRows()))} mutual")
    print(f"metric {args.metric}: wall {wall * 1e3:.2f} ms, CPU {cpu * 1e3:.2f} ms, "
          f"{fields.GetArray('NumberOfThreads').GetValue(0)} threads")
    print(f"wrote {args.out}/source.vtu, target.vtu, pairs.csv, matching.png")


if __name__ == "__main__":
    main()
