// How the GUI shows Chamfer Cluster Matching's outputs by default, so that the two clouds are told
// apart and the links seen: the Source as large faded points, the Target as small solid ones (both
// coloured by PairIndex, see pqSciparPairColors), the Pair Links as thick black lines; the Pairs
// table in a spreadsheet without its centroid columns, which ParaView's alphabetical column order
// puts before SourceId and TargetId. Set when a display is created, before the Show it belongs to
// is traced, so a Python trace records them. plugin/scipar.py gives scripts the same look. The
// spreadsheet's column toggle shows the centroid columns again.
#ifndef pqSciparDisplayDefaults_h
#define pqSciparDisplayDefaults_h

#include <QObject>

class pqDataRepresentation;
class pqPipelineSource;
class pqView;

class pqSciparDisplayDefaults : public QObject
{
  Q_OBJECT

public:
  explicit pqSciparDisplayDefaults(QObject* parent = nullptr);
  void onStartup();
  void onShutdown() {}

private Q_SLOTS:
  void watch(pqPipelineSource* source);
  void watchView(pqView* view);
  void setDefaults(pqPipelineSource* source, pqDataRepresentation* representation, int port);
};

#endif
