#include "pqSciparPairColors.h"

#include "pqApplicationCore.h"
#include "pqCoreUtilities.h"
#include "pqDataRepresentation.h"
#include "pqPropertiesPanel.h"
#include "pqServerManagerModel.h"
#include "pqView.h"
#include "vtkPVArrayInformation.h"
#include "vtkSMPVRepresentationProxy.h"
#include "vtkSMPropertyHelper.h"
#include "vtkSMStringVectorProperty.h"
#include "vtkSMTransferFunctionProxy.h"
#include "vtkSMViewProxy.h"

#include <QColor>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace
{
// Beyond this many pairs the map stays ParaView's default: one annotation per pair would make the
// colour map editor and saved states heavy, and thousands of colours are not told apart anyway.
constexpr long long MaxPairs = 4096;

// A colour legend lists every pair: past this many it is a column of unreadable labels, so it is
// hidden when the colours are given (the toolbar's colour legend button shows it again).
constexpr long long MaxLegendPairs = 20;

// Clusters without a pair (PairIndex -1) or a track (TrackId -1).
constexpr double Unpaired[3] = { 0.6, 0.6, 0.6 };

// The arrays coloured as categories: PairIndex (Chamfer Cluster Matching: matched clusters share a
// colour) and TrackId (Cluster Tracking: a track keeps its colour through time).
struct Category
{
  const char* Array;
  const char* NoneLabel; // annotation of -1
  const char* Label;     // annotation of value i: Label + i
};
constexpr Category Categories[] = { { "PairIndex", "no pair", "pair " }, { "TrackId", "no track", "track " } };

// Colour of pair i: hues spaced by the golden ratio, so that consecutive pairs differ, with
// saturation and value varied so that far-apart pairs of similar hue differ too; all far from white
// (the usual background) and from black (the links).
void PairColor(long long i, double rgb[3])
{
  const double hue = std::fmod(static_cast<double>(i) * 0.618033988749895, 1.0);
  const double saturation[3] = { 0.95, 0.7, 0.85 };
  const double value[2] = { 0.95, 0.75 };
  const QColor color = QColor::fromHsvF(hue, saturation[i % 3], value[(i / 3) % 2]);
  rgb[0] = color.redF();
  rgb[1] = color.greenF();
  rgb[2] = color.blueF();
}

// The display's proxy when it can colour by an array, or null. Its member functions are used, not
// the static helpers taking any proxy: ParaView 5.13 moved those to vtkSMColorMapEditorHelper.
vtkSMPVRepresentationProxy* ColorableProxy(pqDataRepresentation* representation)
{
  return vtkSMPVRepresentationProxy::SafeDownCast(representation->getProxy());
}

// The colour map of a visible display coloured by one of the Categories' arrays, or null; `category`
// says which.
vtkSMProxy* CategoricalLookupTable(pqDataRepresentation* representation, const Category** category = nullptr)
{
  vtkSMPVRepresentationProxy* proxy = ColorableProxy(representation);
  if (!representation->isVisible() || !proxy || !proxy->GetUsingScalarColoring())
  {
    return nullptr;
  }
  const char* array = vtkSMPropertyHelper(proxy, "ColorArrayName", true).GetInputArrayNameToProcess();
  for (const Category& candidate : Categories)
  {
    if (array && std::strcmp(array, candidate.Array) == 0)
    {
      if (category)
      {
        *category = &candidate;
      }
      return representation->getLookupTableProxy();
    }
  }
  return nullptr;
}

// The largest value (PairIndex, TrackId) a display shows (-1: none, or no usable array).
long long MaxPairIndex(pqDataRepresentation* representation)
{
  vtkSMPVRepresentationProxy* proxy = ColorableProxy(representation);
  vtkPVArrayInformation* info = proxy ? proxy->GetArrayInformationForColorArray() : nullptr;
  if (!info || info->GetNumberOfComponents() != 1)
  {
    return -1;
  }
  const double top = info->GetComponentRange(0)[1];
  return std::isfinite(top) && top >= 0 ? static_cast<long long>(top) : -1;
}

void HideLegends(vtkSMProxy* lookupTable)
{
  pqServerManagerModel* model = pqApplicationCore::instance()->getServerManagerModel();
  for (pqView* view : model->findItems<pqView*>())
  {
    vtkSMProxy* legend = vtkSMTransferFunctionProxy::FindScalarBarRepresentation(lookupTable, view->getViewProxy());
    if (legend && vtkSMPropertyHelper(legend, "Visibility").GetAsInt() != 0)
    {
      vtkSMPropertyHelper(legend, "Visibility").Set(0);
      legend->UpdateVTKObjects();
      view->render();
    }
  }
}

std::vector<double> Doubles(vtkSMProxy* proxy, const char* name)
{
  vtkSMPropertyHelper helper(proxy, name, true);
  std::vector<double> values(helper.GetNumberOfElements());
  for (unsigned int i = 0; i < values.size(); ++i)
  {
    values[i] = helper.GetAsDouble(i);
  }
  return values;
}
}

pqSciparPairColors::pqSciparPairColors(QObject* parent)
  : QObject(parent)
{
}

void pqSciparPairColors::onStartup()
{
  pqServerManagerModel* model = pqApplicationCore::instance()->getServerManagerModel();
  QObject::connect(model, &pqServerManagerModel::representationAdded, this, &pqSciparPairColors::watch);
  for (pqRepresentation* representation : model->findItems<pqRepresentation*>())
  {
    this->watch(representation);
  }
}

void pqSciparPairColors::onShutdown()
{
  this->GivenColors.clear();
}

void pqSciparPairColors::watch(pqRepresentation* representation)
{
  auto* data = qobject_cast<pqDataRepresentation*>(representation);
  if (!data)
  {
    return;
  }
  // New data (a re-applied filter may have more pairs), another colour array, another map, shown.
  QObject::connect(data, &pqDataRepresentation::dataUpdated, this, &pqSciparPairColors::updateColors);
  QObject::connect(data, &pqDataRepresentation::colorArrayNameModified, this, &pqSciparPairColors::updateColors);
  QObject::connect(
    data, &pqDataRepresentation::colorTransferFunctionModified, this, &pqSciparPairColors::updateColors);
  QObject::connect(data, &pqRepresentation::visibilityChanged, this, &pqSciparPairColors::updateColors);
}

void pqSciparPairColors::updateColors()
{
  auto* changed = qobject_cast<pqDataRepresentation*>(this->sender());
  const Category* category = nullptr;
  vtkSMProxy* lookupTable = changed ? CategoricalLookupTable(changed, &category) : nullptr;
  if (!lookupTable || !this->isUntouchedOrOurs(lookupTable))
  {
    return;
  }
  // The displays coloured by the array share the map (the two clouds and the links; the clusters and
  // the tracks): it needs a colour for every value any of them shows.
  long long maxIndex = -1;
  pqServerManagerModel* model = pqApplicationCore::instance()->getServerManagerModel();
  for (pqDataRepresentation* representation : model->findItems<pqDataRepresentation*>())
  {
    if (CategoricalLookupTable(representation) == lookupTable)
    {
      maxIndex = std::max(maxIndex, MaxPairIndex(representation));
    }
  }
  if (maxIndex < 0 || maxIndex >= MaxPairs)
  {
    return;
  }
  auto given = this->GivenColors.find(lookupTable);
  if (given != this->GivenColors.end() && given->second.Colors.size() == 3 * static_cast<size_t>(maxIndex + 2))
  {
    return; // already one colour per pair
  }
  this->colorPairs(lookupTable, maxIndex + 1, category->NoneLabel, category->Label);
  changed->renderViewEventually();
  if (maxIndex + 1 > MaxLegendPairs)
  {
    HideLegends(lookupTable);
    // Applying a new filter shows its legend after its displays got their colours: hide it again
    // once the Apply is over.
    this->LegendsToHide.push_back(lookupTable);
    QWidget* window = pqCoreUtilities::mainWidget();
    for (auto* panel : window ? window->findChildren<pqPropertiesPanel*>() : QList<pqPropertiesPanel*>())
    {
      QObject::connect(panel, QOverload<>::of(&pqPropertiesPanel::applied), this,
        &pqSciparPairColors::hideLegendsAfterApply, Qt::UniqueConnection);
    }
  }
}

void pqSciparPairColors::hideLegendsAfterApply()
{
  for (const auto& lookupTable : this->LegendsToHide)
  {
    if (lookupTable)
    {
      HideLegends(lookupTable);
    }
  }
  this->LegendsToHide.clear();
}

bool pqSciparPairColors::isUntouchedOrOurs(vtkSMProxy* lookupTable) const
{
  const bool indexed = vtkSMPropertyHelper(lookupTable, "IndexedLookup", true).GetAsInt() != 0;
  auto given = this->GivenColors.find(lookupTable);
  if (given != this->GivenColors.end() && given->second.LookupTable == lookupTable)
  {
    return indexed && Doubles(lookupTable, "IndexedColors") == given->second.Colors;
  }
  return !indexed && vtkSMPropertyHelper(lookupTable, "Annotations", true).GetNumberOfElements() == 0;
}

void pqSciparPairColors::colorPairs(
  vtkSMProxy* lookupTable, long long numPairs, const char* noneLabel, const char* label)
{
  std::vector<std::string> annotations = { "-1", noneLabel };
  std::vector<double> colors(Unpaired, Unpaired + 3);
  for (long long i = 0; i < numPairs; ++i)
  {
    annotations.push_back(std::to_string(i));
    annotations.push_back(label + std::to_string(i));
    double rgb[3];
    PairColor(i, rgb);
    colors.insert(colors.end(), rgb, rgb + 3);
  }
  vtkSMPropertyHelper(lookupTable, "IndexedLookup").Set(1);
  // Annotations are given: without this flag, the colour map editor would try to find them itself
  // and, past 32 values, stop the GUI with a dialog saying it cannot.
  vtkSMPropertyHelper(lookupTable, "AnnotationsInitialized", true).Set(1);
  vtkSMStringVectorProperty::SafeDownCast(lookupTable->GetProperty("Annotations"))->SetElements(annotations);
  vtkSMPropertyHelper(lookupTable, "IndexedColors").Set(colors.data(), static_cast<unsigned int>(colors.size()));
  lookupTable->UpdateVTKObjects();
  this->GivenColors[lookupTable] = Given{ lookupTable, colors };
}
