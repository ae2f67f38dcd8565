// Which points of an input are ghosts: copies of points another process owns, or hidden points.
// They take no part in the matching, through the core's per-point skip flags.
#ifndef SciparGhosts_h
#define SciparGhosts_h

#include <string>

class vtkPointSet;

namespace scipar
{
struct CloudInput;

/// Checks the input's vtkGhostType point array, if it has one: VTK only reads it as one component
/// of unsigned char and silently ignores any other. False, with `error` naming the input, the
/// array and the problem, when it is not.
bool CheckGhostArray(vtkPointSet* points, const std::string& inputName, std::string& error);

/// Flags in `cloud` (CloudInput::Skip, which the core reads as scipar_cloud::skip) the points of
/// `points` marked DUPLICATEPOINT or HIDDENPOINT in its vtkGhostType array. Under MPI, when no
/// process's piece has that array and the pieces are meshes (cells joining points: lines, faces,
/// volumes), the pieces of a mesh split by cells share the points along each cut: every copy but
/// the one on the lowest process is flagged (copies found by global point ids when every piece has
/// them, by position otherwise), so that each point counts once, as in one process.
/// Collective under MPI: every process calls it, for the same input. Returns false, with `error`,
/// when the processes could not exchange what they share; throws std::bad_alloc when one ran out
/// of memory.
bool SkipGhostPoints(vtkPointSet* points, CloudInput& cloud, std::string& error);
}

#endif
