// A small, strict reader of point clouds in CSV files for scipar-match.
#ifndef scipar_cli_CsvCloud_h
#define scipar_cli_CsvCloud_h

#include <string>

class vtkPolyData;

namespace scipar_cli
{
/// Reads `path`: a header row naming the columns, then one point per row, fields separated by commas.
/// Coordinates come from the columns x, y, z (any case) or, as ParaView writes them, Points:0,
/// Points:1, Points:2; cluster ids from the column `clusterColumn` (exact name), integers (a
/// floating-point value is accepted when it is a whole number). Other columns are ignored. Fields may
/// be wrapped in double quotes and surrounded by spaces; blank lines are skipped; a UTF-8 byte-order
/// mark and CRLF line ends are accepted.
///
/// On success fills `cloud` with the points (double) and the ids as an int64 point array named
/// `clusterColumn`, and returns true. Otherwise returns false with `error` as "FILE:LINE: column N
/// (NAME): what is wrong".
bool ReadCsvCloud(
  const std::string& path, const std::string& clusterColumn, vtkPolyData* cloud, std::string& error);
}

#endif
