// In the ParaView GUI, every display coloured by a PairIndex array gets a categorical colour map:
// one colour per row of the pairs table (scipar::Palette) and grey for clusters without a pair, so
// that matched clusters share a colour at first sight, and legend entries naming the pairs
// ("3 -> 107", from the data's PairLabels field array). Displays coloured by TrackId (Cluster
// Tracking) get one colour per track the same way, so that a track keeps its colour through time.
// The changes are traced: a Python trace of the GUI replays with the same colours. XML hints cannot
// choose a colour map, and ParaView's own
// categorical mode only finds the values itself up to 32 of them, hence this small client behaviour.
#ifndef pqSciparPairColors_h
#define pqSciparPairColors_h

#include "vtkWeakPointer.h"

#include <QObject>

#include <map>
#include <string>
#include <vector>

class pqDataRepresentation;
class pqRepresentation;
class vtkSMProxy;

class pqSciparPairColors : public QObject
{
  Q_OBJECT

public:
  explicit pqSciparPairColors(QObject* parent = nullptr);
  void onStartup();
  void onShutdown();

private Q_SLOTS:
  void watch(pqRepresentation* representation);
  void updateColors();
  void hideLegendsAfterApply();

private:
  /// The colours this object last gave a colour map. A map whose mode or colours differ from them
  /// was changed by the user (another preset, categories turned off) and is left alone.
  struct Given
  {
    vtkWeakPointer<vtkSMProxy> LookupTable;
    std::vector<double> Colors;
    std::vector<std::string> Annotations;
  };
  bool isUntouchedOrOurs(vtkSMProxy* lookupTable) const;
  /// Gives the map a colour per value and the values' labels (or `label` N without them, `noneLabel`
  /// for -1); false when it has them already.
  bool colorPairs(vtkSMProxy* lookupTable, long long numPairs, const char* noneLabel, const char* label,
    const std::vector<std::string>& labels);
  /// Hides the map's legends now and after the current Apply: too many pairs to read.
  void hideLegends(vtkSMProxy* lookupTable);

  std::map<vtkSMProxy*, Given> GivenColors;
  std::vector<vtkWeakPointer<vtkSMProxy>> LegendsToHide;
};

#endif
