// The colours of the pairs of clusters in the GUI, the same as the Python helper's (scipar.py):
// 32 colours chosen one after the other as far as possible, in CIELAB, from those chosen before and
// from white (the background), black (the links) and grey (clusters without a pair), among saturated
// colours of mid lightness. So any two of the first n colours differ clearly (CIE76 distance at
// least 58 among the first 8, 40 among the first 20, 30 among all 32); pair i gets colour i mod 32.
#ifndef SciparPalette_h
#define SciparPalette_h

namespace scipar
{
constexpr int PaletteSize = 32;
constexpr double Palette[PaletteSize][3] = { { 0.0, 0.0, 1.0 }, { 0.0, 0.882, 0.0 }, { 1.0, 0.0, 0.0 },
  { 1.0, 0.118, 0.706 }, { 0.941, 0.765, 0.059 }, { 0.0, 0.412, 0.882 }, { 0.0, 0.412, 0.059 },
  { 0.529, 0.235, 0.0 }, { 0.0, 0.882, 0.765 }, { 0.471, 0.176, 0.412 }, { 1.0, 0.529, 0.588 },
  { 0.941, 0.647, 1.0 }, { 0.882, 0.0, 1.0 }, { 0.706, 0.824, 0.471 }, { 0.0, 0.765, 1.0 },
  { 0.0, 0.294, 0.471 }, { 0.471, 0.059, 0.647 }, { 1.0, 0.529, 0.118 }, { 1.0, 0.0, 0.353 },
  { 0.0, 0.353, 0.294 }, { 0.941, 0.706, 0.471 }, { 0.235, 0.882, 0.471 }, { 0.647, 0.824, 0.0 },
  { 0.529, 0.471, 0.0 }, { 0.588, 0.0, 0.176 }, { 0.353, 0.294, 0.118 }, { 0.353, 0.294, 1.0 },
  { 0.529, 0.588, 0.882 }, { 0.588, 0.353, 0.353 }, { 0.882, 0.412, 1.0 }, { 0.235, 0.647, 0.647 },
  { 0.235, 0.647, 0.0 } };

// Clusters without a pair (PairIndex -1).
constexpr double Unpaired[3] = { 0.6, 0.6, 0.6 };
}

#endif
