"""Run by run_gui_test.py in pvpython (no GUI): what a script gets of the GUI's look.

Usage: pvpython replay_look.py PLUGIN TRACE REPORT

1. Replays TRACE, the Python trace gui_pipeline.py recorded in the GUI (with a LoadPlugin line added
   after its import, as a user adds it), and reports the PairIndex colour map and the three displays it gets.
2. In a new session, builds the same pipeline and shows it with the plugin's Python helper
   (import scipar; scipar.show_matching), and reports the same.
run_gui_test.py compares both with what the GUI showed. Writes REPORT (JSON), with the traceback
if anything failed.
"""
import json
import sys
import traceback

plugin, trace_path, report_path = sys.argv[1:4]
report = {"finished": False}


def look(displays):
    from paraview.simple import GetColorTransferFunction
    lut = GetColorTransferFunction("PairIndex")
    return {"categorical": int(lut.InterpretValuesAsCategories), "annotations": list(lut.Annotations),
            "colors": list(lut.IndexedColors),
            "displays": {name: {"representation": str(d.Representation), "point_size": d.PointSize,
                                "opacity": d.Opacity, "line_width": d.LineWidth,
                                "color_array": str(d.ColorArrayName[1]), "diffuse_color": list(d.DiffuseColor)}
                         for name, d in zip(("source", "target", "links"), displays)}}


try:
    from paraview import servermanager
    from paraview.simple import (FindSource, GetActiveViewOrCreate, GetDisplayProperties, LoadPlugin,
                                 OutputPort, ResetSession)
    # As a user replays a trace of a session with the plugin: a LoadPlugin line after the import.
    with open(trace_path) as handle:
        trace = handle.read()
    importing = "from paraview.simple import *\n"
    if trace.count(importing) != 1:
        raise RuntimeError(f"{trace_path}: not one {importing!r}")
    trace = trace.replace(importing, f"{importing}LoadPlugin({plugin!r}, ns=globals())\n")
    exec(compile(trace, trace_path, "exec"), {})
    matching = FindSource("Chamfer Cluster Matching")
    view = GetActiveViewOrCreate("RenderView")
    report["trace"] = look([GetDisplayProperties(OutputPort(matching, port), view) for port in (0, 1, 3)])

    ResetSession()
    LoadPlugin(plugin, ns=globals())
    import scipar
    clusters = GaussianClusters(ClusterCount=18, MaxClusterSize=80, Seed=3, BoxRange=[0.0, 100.0],  # noqa: F821
                                SigmaRange=[1.0, 2.5])
    moved = NextFrame(Input=clusters, Shift=8.0, Jitter=0.2, DropFraction=0.2, Seed=4)  # noqa: F821
    matching = ChamferClusterMatching(Source=clusters, Target=moved)  # noqa: F821
    report["helper"] = look(scipar.show_matching(matching))
    report["helper"]["palette"] = [list(c) for c in scipar.PALETTE]
    report["finished"] = True
except Exception:
    report["error"] = traceback.format_exc()
with open(report_path, "w") as handle:
    json.dump(report, handle, indent=1)
