// How the GUI picks the two inputs of Chamfer Cluster Matching from the pipeline browser's selection.
// ParaView's Filters menu greys out a filter with one input per port when two sources are selected
// ("Multiple inputs not supported"), and its input dialog puts the whole selection in the first
// port and leaves the second empty, so that OK gives "Input port 1 has 0 connections". With this
// behaviour the menu's action stays enabled for two selected point sets, and the input dialog opens
// with Source = the source selected first and Target = the other one; with one source selected,
// Target is filled in too: a point set computed from it (its Next Frame), else the one it is
// computed from, else the most recently created other point set. The user confirms with OK.
//
// ParaView's menus re-connect their own handler to the action whenever they update, so the
// behaviour does not replace it: it watches the filter prototype's Source input, which the handler
// fills from the selection just before it builds the dialog from the prototype's inputs.
#ifndef pqSciparMatchingInputs_h
#define pqSciparMatchingInputs_h

#include "vtkNew.h"
#include "vtkWeakPointer.h"

#include <QObject>
#include <QSet>

class QAction;
class vtkEventQtSlotConnect;
class vtkSMProxy;

class pqSciparMatchingInputs : public QObject
{
  Q_OBJECT

public:
  explicit pqSciparMatchingInputs(QObject* parent = nullptr);
  ~pqSciparMatchingInputs() override;
  void onStartup();
  void onShutdown() {}

private Q_SLOTS:
  /// Finds the filter's menu actions and its prototype (once they exist) and watches them.
  void watch();
  void fillInputs();

private:
  void allowTwoClouds(QAction* action);

  QSet<QAction*> Actions;
  vtkWeakPointer<vtkSMProxy> Prototype;
  vtkNew<vtkEventQtSlotConnect> PrototypeEvents;
  bool Filling = false;
};

#endif
