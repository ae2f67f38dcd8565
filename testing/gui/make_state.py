"""Writes matching_state.pvsm, the saved ParaView state that the gui.state test loads in the GUI.

Run from the repository after building the plugin (pvpython needs an X display to render, even
offscreen, on this ParaView: xvfb-run gives one):
    xvfb-run -a -s "-screen 0 1280x800x24" pvpython testing/gui/make_state.py build/lib/paraview-plugins/Scipar/Scipar.so

The state holds two render views side by side:
- left: data/seed_left.vtp and data/seed_left_next.vtp (XML PolyData readers) matched by Chamfer
  Cluster Matching (metric Max), both clouds as points coloured by PairIndex (categorical), the pair
  links as black lines;
- right: Gaussian Clusters -> Next Frame -> Chamfer Cluster Matching (metric Hausdorff), shown the
  same way.
The readers' absolute paths are replaced by /path/to/scipar/data/..., so that loading the state
needs ParaView's data-directory relocation (File > Load State > "Search files under specified
directory", or LoadState(..., data_directory=...)), as on any other machine.
"""
import os
import sys

from paraview.simple import (AssignViewToLayout, CreateLayout, CreateView, GetLayout, LoadPlugin,
                             ResetCamera, SaveState, SetActiveView, XMLPolyDataReader)

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.realpath(os.path.join(HERE, "..", "..", "data"))
PLACEHOLDER = "/path/to/scipar/data"
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import scipar_display  # noqa: E402

LoadPlugin(sys.argv[1], ns=globals())

left = XMLPolyDataReader(registrationName="seed_left.vtp", FileName=[os.path.join(DATA, "seed_left.vtp")])
left_next = XMLPolyDataReader(registrationName="seed_left_next.vtp",
                              FileName=[os.path.join(DATA, "seed_left_next.vtp")])
seed_matching = ChamferClusterMatching(registrationName="Seed matching", Source=left, Target=left_next,
                                       Metric="Max")
seed_matching.UpdatePipeline()

clusters = GaussianClusters(registrationName="Gaussian Clusters", ClusterCount=15, MaxClusterSize=50,
                            Seed=11, BoxRange=[0.0, 60.0], SigmaRange=[0.5, 1.5])
moved = NextFrame(registrationName="Next Frame", Input=clusters, Shift=3.0, DropFraction=0.25, Seed=12)
generated_matching = ChamferClusterMatching(registrationName="Generated matching", Source=clusters,
                                            Target=moved, Metric="Hausdorff")
generated_matching.UpdatePipeline()

layout = CreateLayout("Matching")
views = []
for matching in (seed_matching, generated_matching):
    view = CreateView("RenderView")
    AssignViewToLayout(view=view, layout=layout, hint=0)
    SetActiveView(view)
    scipar_display.show_matching(matching, view, point_sizes=(6, 3))
    ResetCamera(view)
    views.append(view)
# One colour map for both views: enough categories for the larger pairs table.
from paraview import servermanager  # noqa: E402
largest = max(servermanager.Fetch(m, idx=2).GetNumberOfRows() for m in (seed_matching, generated_matching))
scipar_display.categorical_pair_colors(largest)

path = os.path.join(HERE, "matching_state.pvsm")
SaveState(path)
with open(path) as handle:
    text = handle.read()
with open(path, "w") as handle:
    handle.write(text.replace(DATA, PLACEHOLDER))
print(f"wrote {path} ({text.count(DATA)} data paths now under {PLACEHOLDER})")
