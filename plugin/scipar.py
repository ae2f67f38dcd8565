"""The Scipar plugin's look, for pvpython and pvbatch scripts.

In the ParaView GUI the plugin shows a Chamfer Cluster Matching by itself: the two clouds as points
coloured by PairIndex with one colour per pair of clusters (grey without a pair), the source as
large faded points and the target as small solid ones, the pair links as thick black lines, and
legend entries naming the pairs ("3 -> 107"). Scripts get the same with this module, which the
plugin carries: after LoadPlugin or LoadDistributedPlugin,

    import scipar
    scipar.show_matching(matching)              # in the active render view

A Python trace of the GUI needs none of it: it records the colours and display properties.
"""
from paraview.simple import (ColorBy, GetActiveViewOrCreate, GetColorTransferFunction, OutputPort, Show)

# The same 32 colours as the GUI (plugin/SciparPalette.h): chosen one after the other as far as
# possible, in CIELAB, from those before and from white, black and grey. Pair i gets colour i mod 32.
PALETTE = (
    (0.0, 0.0, 1.0), (0.0, 0.882, 0.0), (1.0, 0.0, 0.0), (1.0, 0.118, 0.706), (0.941, 0.765, 0.059),
    (0.0, 0.412, 0.882), (0.0, 0.412, 0.059), (0.529, 0.235, 0.0), (0.0, 0.882, 0.765),
    (0.471, 0.176, 0.412), (1.0, 0.529, 0.588), (0.941, 0.647, 1.0), (0.882, 0.0, 1.0),
    (0.706, 0.824, 0.471), (0.0, 0.765, 1.0), (0.0, 0.294, 0.471), (0.471, 0.059, 0.647),
    (1.0, 0.529, 0.118), (1.0, 0.0, 0.353), (0.0, 0.353, 0.294), (0.941, 0.706, 0.471),
    (0.235, 0.882, 0.471), (0.647, 0.824, 0.0), (0.529, 0.471, 0.0), (0.588, 0.0, 0.176),
    (0.353, 0.294, 0.118), (0.353, 0.294, 1.0), (0.529, 0.588, 0.882), (0.588, 0.353, 0.353),
    (0.882, 0.412, 1.0), (0.235, 0.647, 0.647), (0.235, 0.647, 0.0))
UNPAIRED = (0.6, 0.6, 0.6)
UNPAIRED_LABEL = "no pair"
MAX_PAIRS = 4096        # beyond, the colour map is left as ParaView makes it
MAX_LEGEND_PAIRS = 20   # beyond, the legend is a column of unreadable labels: hidden

# How the GUI shows the outputs (plugin/pqSciparDisplayDefaults.cxx).
SOURCE_DISPLAY = {"PointSize": 8.0, "Opacity": 0.4}
TARGET_DISPLAY = {"PointSize": 4.0, "Opacity": 1.0}
LINK_DISPLAY = {"LineWidth": 3.0, "AmbientColor": [0.0, 0.0, 0.0], "DiffuseColor": [0.0, 0.0, 0.0]}


def pair_labels(proxy):
    """The labels of the pairs ("3 -> 107", one per row of the pairs table) that an output of
    Chamfer Cluster Matching, or a file saved from one, carries in its field array PairLabels (up to
    4,096 pairs; [] past it)."""
    info = proxy.GetDataInformation().GetFieldDataInformation().GetArrayInformation("PairLabels")
    if info is None or info.GetNumberOfStringValues() < 1:
        return []
    return info.GetStringValue(0).splitlines()


def pair_colors(num_pairs, labels=None):
    """(annotations, indexed colours) of a PairIndex colour map: value -1 grey, value i the palette's
    colour i mod 32, named by labels[i] (or "pair i")."""
    named = labels is not None and len(labels) == num_pairs
    annotations, colors = ["-1", UNPAIRED_LABEL], list(UNPAIRED)
    for i in range(num_pairs):
        annotations += [str(i), labels[i] if named else f"pair {i}"]
        colors += list(PALETTE[i % len(PALETTE)])
    return annotations, colors


def color_pairs(num_pairs, labels=None, name="PairIndex"):
    """Makes the colour map of the array `name` categorical, as the GUI does; returns it."""
    lut = GetColorTransferFunction(name)
    if num_pairs > MAX_PAIRS:
        return lut
    annotations, colors = pair_colors(num_pairs, labels)
    lut.InterpretValuesAsCategories = 1
    lut.AnnotationsInitialized = 1
    lut.Annotations = annotations
    lut.IndexedColors = colors
    return lut


def show_matching(matching, view=None):
    """Shows the Source, Target and Pair Links outputs of a Chamfer Cluster Matching in a render view
    (the active one by default) as the GUI does; returns their three displays."""
    view = view or GetActiveViewOrCreate("RenderView")
    matching.UpdatePipeline()
    # The rows of all processes (a Fetch of the table would bring the first process's only).
    num_pairs = OutputPort(matching, 2).GetDataInformation().GetNumberOfRows()
    lut = color_pairs(num_pairs, pair_labels(OutputPort(matching, 2)))
    displays = []
    for port, look in ((0, SOURCE_DISPLAY), (1, TARGET_DISPLAY)):
        display = Show(OutputPort(matching, port), view)
        display.SetRepresentationType("Points")
        ColorBy(display, ("POINTS", "PairIndex"))
        display.LookupTable = lut
        for name, value in look.items():
            setattr(display, name, value)
        display.SetScalarBarVisibility(view, num_pairs <= MAX_LEGEND_PAIRS)
        displays.append(display)
    links = Show(OutputPort(matching, 3), view)  # one colour: the links carry no active scalars
    for name, value in LINK_DISPLAY.items():
        setattr(links, name, value)
    displays.append(links)
    return displays
