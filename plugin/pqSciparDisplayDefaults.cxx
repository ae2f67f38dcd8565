#include "pqSciparDisplayDefaults.h"

#include "pqApplicationCore.h"
#include "pqDataRepresentation.h"
#include "pqOutputPort.h"
#include "pqPipelineSource.h"
#include "pqServerManagerModel.h"
#include "pqSpreadSheetView.h"
#include "vtkSMPropertyHelper.h"
#include "vtkSMProxy.h"
#include "vtkSMStringVectorProperty.h"

#include <cstring>
#include <string>
#include <vector>

namespace
{
// The look of each output port; plugin/scipar.py has the same numbers for scripts.
constexpr double SourcePointSize = 8.0;
constexpr double SourceOpacity = 0.4; // faded: the target's points show on top, in the same colour
constexpr double TargetPointSize = 4.0;
constexpr double LinkWidth = 3.0;
constexpr double LinkColor[3] = { 0.0, 0.0, 0.0 }; // no pair colour is near black

void SetDouble(vtkSMProxy* proxy, const char* name, double value)
{
  if (proxy->GetProperty(name))
  {
    vtkSMPropertyHelper(proxy, name).Set(value);
  }
}

void ShowCloud(vtkSMProxy* display, double pointSize, double opacity)
{
  SetDouble(display, "PointSize", pointSize);
  SetDouble(display, "Opacity", opacity);
}

void ShowLinks(vtkSMProxy* display)
{
  SetDouble(display, "LineWidth", LinkWidth);
  for (const char* name : { "AmbientColor", "DiffuseColor" })
  {
    if (display->GetProperty(name))
    {
      vtkSMPropertyHelper(display, name).Set(LinkColor, 3);
    }
  }
}

// The pairs table's centroid columns, as the spreadsheet names their components.
std::vector<std::string> CentroidColumns()
{
  std::vector<std::string> columns;
  for (const char* side : { "SourceCentroid", "TargetCentroid" })
  {
    for (const char* component : { "_0", "_1", "_2", "_Magnitude" })
    {
      columns.push_back(std::string(side) + component);
    }
  }
  return columns;
}

void HideCentroidColumns(pqView* view)
{
  vtkSMProxy* proxy = view->getProxy();
  auto* hidden = vtkSMStringVectorProperty::SafeDownCast(proxy->GetProperty("HiddenColumnLabels"));
  if (hidden && hidden->GetNumberOfElements() == 0) // the user's choice of columns, if any, stays
  {
    hidden->SetElements(CentroidColumns());
    proxy->UpdateVTKObjects();
  }
}
}

pqSciparDisplayDefaults::pqSciparDisplayDefaults(QObject* parent)
  : QObject(parent)
{
}

void pqSciparDisplayDefaults::onStartup()
{
  pqServerManagerModel* model = pqApplicationCore::instance()->getServerManagerModel();
  QObject::connect(model, &pqServerManagerModel::sourceAdded, this, &pqSciparDisplayDefaults::watch);
  for (pqPipelineSource* source : model->findItems<pqPipelineSource*>())
  {
    this->watch(source);
  }
}

void pqSciparDisplayDefaults::watch(pqPipelineSource* source)
{
  // A display's input is known once its source reports it, not yet when the model adds it.
  if (std::strcmp(source->getProxy()->GetXMLName(), "ChamferClusterMatching") == 0)
  {
    QObject::connect(
      source, &pqPipelineSource::representationAdded, this, &pqSciparDisplayDefaults::setDefaults);
  }
}

void pqSciparDisplayDefaults::setDefaults(pqPipelineSource*, pqDataRepresentation* representation, int port)
{
  if (port == 2)
  {
    if (auto* spreadsheet = qobject_cast<pqSpreadSheetView*>(representation->getView()))
    {
      HideCentroidColumns(spreadsheet);
    }
    return;
  }
  vtkSMProxy* display = representation->getProxy();
  if (!display->GetProperty("PointSize"))
  {
    return; // not a render view's display
  }
  if (port == 3)
  {
    ShowLinks(display);
  }
  else
  {
    ShowCloud(display, port == 0 ? SourcePointSize : TargetPointSize, port == 0 ? SourceOpacity : 1.0);
  }
  display->UpdateVTKObjects();
}
