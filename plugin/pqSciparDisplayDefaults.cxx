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

#include <algorithm>
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

// The pairs table's centroid columns, as the spreadsheet labels them (its components share a label).
const char* const CentroidColumns[] = { "SourceCentroid", "SourceCentroid_Magnitude", "TargetCentroid",
  "TargetCentroid_Magnitude" };

void HideCentroidColumns(pqView* view)
{
  vtkSMProxy* proxy = view->getProxy();
  auto* hidden = vtkSMStringVectorProperty::SafeDownCast(proxy->GetProperty("HiddenColumnLabels"));
  if (!hidden)
  {
    return;
  }
  std::vector<std::string> labels;
  for (unsigned int i = 0; i < hidden->GetNumberOfElements(); ++i)
  {
    labels.emplace_back(hidden->GetElement(i));
  }
  for (const char* column : CentroidColumns)
  {
    if (std::find(labels.begin(), labels.end(), column) == labels.end())
    {
      labels.emplace_back(column);
    }
  }
  hidden->SetElements(labels);
  proxy->UpdateVTKObjects();
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
  // A spreadsheet's display is added to its source before the spreadsheet: it is seen from the view.
  QObject::connect(model, &pqServerManagerModel::viewAdded, this, &pqSciparDisplayDefaults::watchView);
  for (pqView* view : model->findItems<pqView*>())
  {
    this->watchView(view);
  }
}

void pqSciparDisplayDefaults::watchView(pqView* view)
{
  if (auto* spreadsheet = qobject_cast<pqSpreadSheetView*>(view))
  {
    QObject::connect(spreadsheet, &pqView::representationAdded, this, [spreadsheet](pqRepresentation* added) {
      auto* representation = qobject_cast<pqDataRepresentation*>(added);
      pqOutputPort* port = representation ? representation->getOutputPortFromInput() : nullptr;
      if (port && port->getPortNumber() == 2 &&
        std::strcmp(port->getSource()->getProxy()->GetXMLName(), "ChamferClusterMatching") == 0)
      {
        HideCentroidColumns(spreadsheet);
      }
    });
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
  vtkSMProxy* display = representation->getProxy();
  if (port == 2 || !display->GetProperty("PointSize"))
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
