#include "pqSciparPairColors.h"

#include "pqApplicationCore.h"
#include "pqCoreUtilities.h"
#include "pqDataRepresentation.h"
#include "pqPropertiesPanel.h"
#include "pqServerManagerModel.h"
#include "pqView.h"
#include "SciparLabelledPairs.h"
#include "SciparPalette.h"
#include "vtkPVArrayInformation.h"
#include "vtkPVDataInformation.h"
#include "vtkPVDataSetAttributesInformation.h"
#include "vtkSMPVRepresentationProxy.h"
#include "vtkSMPropertyHelper.h"
#include "vtkSMStringVectorProperty.h"
#include "vtkSMTrace.h"
#include "vtkSMTransferFunctionProxy.h"
#include "vtkSMViewProxy.h"


#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>
#include <string>

namespace
{
// Beyond this many pairs the map stays ParaView's default: one annotation per pair would make the
// colour map editor and saved states heavy, and thousands of colours are not told apart anyway (the
// filter's outputs carry the pairs' labels up to as many).
constexpr long long MaxPairs = scipar::MaxLabelledPairs;

// A colour legend lists every pair: past this many it is a column of unreadable labels, so it is
// hidden when the colours are given (the toolbar's colour legend button shows it again).
constexpr long long MaxLegendPairs = 20;

// The arrays coloured as categories: PairIndex (Chamfer Cluster Matching: matched clusters share a
// colour) and TrackId (Cluster Tracking: a track keeps its colour through time).
struct Category
{
  const char* Array;
  const char* NoneLabel;    // annotation of -1
  const char* Label;        // annotation of value i without carried labels: Label + i
  const char* LabelsArray;  // field array of the values' labels, one per line, or null
};
constexpr Category Categories[] = { { "PairIndex", "no pair", "pair ", "PairLabels" },
  { "TrackId", "no track", "track ", nullptr } };

// The values' labels ("3 -> 107" for pairs) a display's data carries in the category's field array
// (one string, a label per line), or none.
std::vector<std::string> CarriedLabels(pqDataRepresentation* representation, const Category& category)
{
  vtkPVDataInformation* data = category.LabelsArray ? representation->getInputDataInformation() : nullptr;
  vtkPVArrayInformation* labels =
    data ? data->GetFieldDataInformation()->GetArrayInformation(category.LabelsArray) : nullptr;
  std::vector<std::string> result;
  if (!labels || labels->GetNumberOfStringValues() < 1)
  {
    return result;
  }
  std::istringstream lines(labels->GetStringValue(0));
  for (std::string line; std::getline(lines, line);)
  {
    result.push_back(line);
  }
  return result;
}

// The display's proxy when it can colour by an array, or null. Its member functions are used, not
// the static helpers taking any proxy: ParaView 5.13 moved those to vtkSMColorMapEditorHelper.
vtkSMPVRepresentationProxy* ColorableProxy(pqDataRepresentation* representation)
{
  return vtkSMPVRepresentationProxy::SafeDownCast(representation->getProxy());
}

// The colour map of a visible display coloured by an array named PairIndex, or null.
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
      SM_SCOPED_TRACE(PropertiesModified)
        .arg("proxy", legend)
        .arg("comment", "Scipar: a legend of more pairs than can be read is hidden");
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
  // the tracks): it needs a colour for every value any of them shows, and names the values after the
  // labels their data carries (the pairs' "3 -> 107").
  long long maxIndex = -1;
  std::vector<std::string> labels;
  pqServerManagerModel* model = pqApplicationCore::instance()->getServerManagerModel();
  for (pqDataRepresentation* representation : model->findItems<pqDataRepresentation*>())
  {
    if (CategoricalLookupTable(representation) == lookupTable)
    {
      maxIndex = std::max(maxIndex, MaxPairIndex(representation));
      const std::vector<std::string> carried = CarriedLabels(representation, *category);
      labels = carried.size() > labels.size() ? carried : labels;
    }
  }
  if (maxIndex < 0 || maxIndex >= MaxPairs)
  {
    return;
  }
  const long long numPairs = maxIndex + 1;
  if (this->colorPairs(lookupTable, numPairs, category->NoneLabel, category->Label, labels))
  {
    changed->renderViewEventually();
  }
  if (numPairs > MaxLegendPairs)
  {
    this->hideLegends(lookupTable);
  }
}

void pqSciparPairColors::hideLegends(vtkSMProxy* lookupTable)
{
  HideLegends(lookupTable);
  // Applying a new filter, or showing another file coloured by the same map, shows its legend after
  // its display got the colours: hide it again once the Apply is over.
  this->LegendsToHide.push_back(lookupTable);
  QWidget* window = pqCoreUtilities::mainWidget();
  for (auto* panel : window ? window->findChildren<pqPropertiesPanel*>() : QList<pqPropertiesPanel*>())
  {
    QObject::connect(panel, QOverload<>::of(&pqPropertiesPanel::applied), this,
      &pqSciparPairColors::hideLegendsAfterApply, Qt::UniqueConnection);
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

bool pqSciparPairColors::colorPairs(vtkSMProxy* lookupTable, long long numPairs, const char* noneLabel,
  const char* label, const std::vector<std::string>& labels)
{
  std::vector<std::string> annotations = { "-1", noneLabel };
  std::vector<double> colors(scipar::Unpaired, scipar::Unpaired + 3);
  const bool named = labels.size() == static_cast<size_t>(numPairs);
  for (long long i = 0; i < numPairs; ++i)
  {
    annotations.push_back(std::to_string(i));
    annotations.push_back(named ? labels[i] : label + std::to_string(i));
    const double* rgb = scipar::Palette[i % scipar::PaletteSize];
    colors.insert(colors.end(), rgb, rgb + 3);
  }
  auto given = this->GivenColors.find(lookupTable);
  if (given != this->GivenColors.end() && given->second.Colors == colors &&
    given->second.Annotations == annotations)
  {
    return false;
  }
  // Traced, so that a Python trace of the GUI replays with these colours.
  SM_SCOPED_TRACE(PropertiesModified)
    .arg("proxy", lookupTable)
    .arg("comment", "Scipar: one colour per pair of clusters (or track), grey for none");
  vtkSMPropertyHelper(lookupTable, "IndexedLookup").Set(1);
  // Annotations are given: without this flag, the colour map editor would try to find them itself
  // and, past 32 values, stop the GUI with a dialog saying it cannot.
  vtkSMPropertyHelper(lookupTable, "AnnotationsInitialized", true).Set(1);
  vtkSMStringVectorProperty::SafeDownCast(lookupTable->GetProperty("Annotations"))->SetElements(annotations);
  vtkSMPropertyHelper(lookupTable, "IndexedColors").Set(colors.data(), static_cast<unsigned int>(colors.size()));
  lookupTable->UpdateVTKObjects();
  this->GivenColors[lookupTable] = Given{ lookupTable, colors, annotations };
  return true;
}
