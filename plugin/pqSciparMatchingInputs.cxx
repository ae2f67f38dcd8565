#include "pqSciparMatchingInputs.h"

#include "vtkPVVersion.h" // before the headers chosen by version

#include "pqActiveObjects.h"
#include "pqApplicationCore.h"
#include "pqCoreUtilities.h"
#include "pqOutputPort.h"
#include "pqPipelineFilter.h"
#include "pqPipelineSource.h"
#include "pqPluginManager.h"
#include "pqProxyGroupMenuManager.h"
#if PARAVIEW_VERSION_NUMBER >= PARAVIEW_VERSION_CHECK(5, 13, 0)
#include "pqProxyAction.h"
#endif
#include "pqServer.h"
#include "pqServerManagerModel.h"
#include "vtkCommand.h"
#include "vtkEventQtSlotConnect.h"
#include "vtkPVDataInformation.h"
#include "vtkSMProperty.h"
#include "vtkSMPropertyHelper.h"
#include "vtkSMProxy.h"
#include "vtkSMProxySelectionModel.h"
#include "vtkSMSessionProxyManager.h"

#include <QAction>
#include <QTimer>
#include <QWidget>

#include <cstring>

namespace
{
const char* const FilterName = "ChamferClusterMatching";

// The filter prototype behind a menu action (ParaView 5.13 moved the lookup to pqProxyAction).
vtkSMProxy* MenuPrototype(pqProxyGroupMenuManager* menu, QAction* action)
{
#if PARAVIEW_VERSION_NUMBER >= PARAVIEW_VERSION_CHECK(5, 13, 0)
  (void)menu;
  return pqProxyAction::GetProxyPrototype(action);
#else
  return menu->getPrototype(action);
#endif
}

bool IsMatching(pqPipelineSource* source)
{
  return std::strcmp(source->getProxy()->GetXMLName(), FilterName) == 0;
}

// Whether the port's data can be an input: a point set, or a composite of them.
bool IsCloud(pqOutputPort* port)
{
  if (!port || port->getSource()->modifiedState() == pqProxy::UNINITIALIZED || IsMatching(port->getSource()))
  {
    return false;
  }
  vtkPVDataInformation* data = port->getDataInformation();
  return data && (data->DataSetTypeIsA("vtkPointSet") || data->HasDataSetType("vtkPointSet"));
}

// The selected output ports, in the order they were selected.
QList<pqOutputPort*> SelectedPorts()
{
  QList<pqOutputPort*> ports;
  vtkSMProxySelectionModel* selection = pqActiveObjects::instance().activeSourcesSelectionModel();
  pqServerManagerModel* model = pqApplicationCore::instance()->getServerManagerModel();
  for (unsigned int i = 0; selection && i < selection->GetNumberOfSelectedProxies(); ++i)
  {
    auto* item = model->findItem<pqServerManagerModelItem*>(selection->GetSelectedProxy(i));
    if (auto* port = qobject_cast<pqOutputPort*>(item))
    {
      ports.push_back(port);
    }
    else if (auto* source = qobject_cast<pqPipelineSource*>(item))
    {
      ports.push_back(source->getOutputPort(0));
    }
  }
  return ports;
}

// A sensible Target for Source = `source`: a point set computed from it (its next frame), else the
// point set it is computed from, else the most recently created other point set.
pqOutputPort* SuggestedTarget(pqOutputPort* source)
{
  for (pqPipelineSource* consumer : source->getConsumers())
  {
    if (IsCloud(consumer->getOutputPort(0)))
    {
      return consumer->getOutputPort(0);
    }
  }
  if (auto* filter = qobject_cast<pqPipelineFilter*>(source->getSource()))
  {
    for (pqOutputPort* input : filter->getAllInputs())
    {
      if (IsCloud(input))
      {
        return input;
      }
    }
  }
  const QList<pqPipelineSource*> all =
    pqApplicationCore::instance()->getServerManagerModel()->findItems<pqPipelineSource*>();
  for (auto other = all.rbegin(); other != all.rend(); ++other)
  {
    if (*other != source->getSource() && IsCloud((*other)->getOutputPort(0)))
    {
      return (*other)->getOutputPort(0);
    }
  }
  return nullptr;
}
}

pqSciparMatchingInputs::pqSciparMatchingInputs(QObject* parent)
  : QObject(parent)
{
}

pqSciparMatchingInputs::~pqSciparMatchingInputs() = default;

void pqSciparMatchingInputs::onStartup()
{
  // The menus get the filter's action after the plugin is loaded, and may not exist yet when it is
  // loaded at start; a new connection brings new prototypes: look again on each of these events.
  QObject::connect(pqApplicationCore::instance()->getPluginManager(), &pqPluginManager::pluginsUpdated, this,
    &pqSciparMatchingInputs::watch, Qt::QueuedConnection);
  QObject::connect(
    &pqActiveObjects::instance(), &pqActiveObjects::selectionChanged, this, &pqSciparMatchingInputs::watch);
  QObject::connect(
    &pqActiveObjects::instance(), &pqActiveObjects::serverChanged, this, &pqSciparMatchingInputs::watch);
  QTimer::singleShot(0, this, &pqSciparMatchingInputs::watch);
}

void pqSciparMatchingInputs::watch()
{
  QWidget* window = pqCoreUtilities::mainWidget();
  pqServer* server = pqActiveObjects::instance().activeServer();
  // The Filters menu and the pipeline browser's context menu have an action each for the filter.
  for (pqProxyGroupMenuManager* menu :
    window ? window->findChildren<pqProxyGroupMenuManager*>() : QList<pqProxyGroupMenuManager*>())
  {
    for (QAction* action : menu->actions())
    {
      vtkSMProxy* prototype = MenuPrototype(menu, action);
      if (prototype && std::strcmp(prototype->GetXMLGroup(), "filters") == 0 &&
        std::strcmp(prototype->GetXMLName(), FilterName) == 0 && !this->Actions.contains(action))
      {
        QObject::connect(action, &QAction::changed, this, [this, action]() { this->allowTwoClouds(action); });
        QObject::connect(action, &QObject::destroyed, this, [this, action]() { this->Actions.remove(action); });
        this->Actions.insert(action);
        this->allowTwoClouds(action);
      }
    }
  }
  vtkSMProxy* prototype = server ? server->proxyManager()->GetPrototypeProxy("filters", FilterName) : nullptr;
  if (prototype && prototype != this->Prototype)
  {
    this->PrototypeEvents->Disconnect();
    this->PrototypeEvents->Connect(
      prototype->GetProperty("Source"), vtkCommand::ModifiedEvent, this, SLOT(fillInputs()));
    this->Prototype = prototype;
  }
}

void pqSciparMatchingInputs::allowTwoClouds(QAction* action)
{
  // ParaView's menus grey the action out for two selected sources, whenever the selection changes.
  const QList<pqOutputPort*> ports = SelectedPorts();
  if (action->isEnabled() || ports.size() != 2 || !IsCloud(ports[0]) || !IsCloud(ports[1]))
  {
    return;
  }
  action->setEnabled(true);
  action->setVisible(true);
  action->setStatusTip(QString("Match %1 (Source, selected first) with %2 (Target)")
                         .arg(ports[0]->getSource()->getSMName(), ports[1]->getSource()->getSMName()));
}

void pqSciparMatchingInputs::fillInputs()
{
  // The menu's handler empties the prototype's Source, adds each selected source to it, builds the
  // input dialog from the prototype, and empties Source again once the dialog is closed.
  if (this->Filling || !this->Prototype)
  {
    return;
  }
  this->Filling = true;
  vtkSMPropertyHelper source(this->Prototype, "Source");
  vtkSMPropertyHelper target(this->Prototype, "Target");
  const QList<pqOutputPort*> selected = SelectedPorts();
  if (source.GetNumberOfElements() == 0)
  {
    target.RemoveAllValues(); // the prototype keeps no reference to the pipeline
  }
  else if (source.GetNumberOfElements() == 2 && selected.size() == 2)
  {
    // Two selected: the first stays the Source, the second becomes the Target.
    source.RemoveAllValues();
    source.Add(selected[0]->getSource()->getProxy(), selected[0]->getPortNumber());
    target.RemoveAllValues();
    target.Add(selected[1]->getSource()->getProxy(), selected[1]->getPortNumber());
  }
  else if (source.GetNumberOfElements() == 1 && selected.size() == 1 && target.GetNumberOfElements() == 0)
  {
    if (pqOutputPort* suggested = SuggestedTarget(selected[0]))
    {
      target.Add(suggested->getSource()->getProxy(), suggested->getPortNumber());
    }
  }
  this->Filling = false;
}
