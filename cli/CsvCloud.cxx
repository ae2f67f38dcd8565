#include "CsvCloud.h"

#include "CsvText.h"

#include "SciparArrays.h"

#include "vtkDoubleArray.h"
#include "vtkNew.h"
#include "vtkPointData.h"
#include "vtkPoints.h"
#include "vtkPolyData.h"
#include "vtkTypeInt64Array.h"

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace
{
using namespace scipar_cli;

std::string Trim(const std::string& text)
{
  const char* const space = " \t";
  const size_t first = text.find_first_not_of(space);
  if (first == std::string::npos)
  {
    return std::string();
  }
  return text.substr(first, text.find_last_not_of(space) - first + 1);
}

std::string Lower(std::string text)
{
  for (char& c : text)
  {
    if (c >= 'A' && c <= 'Z')
    {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return text;
}

// Splits a line at commas; a field may be wrapped in double quotes (without commas or quotes inside).
bool SplitFields(const std::string& line, std::vector<std::string>& fields, std::string& problem)
{
  fields.clear();
  size_t start = 0;
  while (true)
  {
    const size_t comma = line.find(',', start);
    std::string field = Trim(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!field.empty() && field.front() == '"')
    {
      if (field.size() < 2 || field.back() != '"' || field.find('"', 1) != field.size() - 1)
      {
        problem = "field " + std::to_string(fields.size() + 1) + " (" + field +
          ") has unbalanced double quotes (quoted fields may not hold commas or quotes)";
        return false;
      }
      field = Trim(field.substr(1, field.size() - 2));
    }
    fields.push_back(field);
    if (comma == std::string::npos)
    {
      return true;
    }
    start = comma + 1;
  }
}

std::string JoinNames(const std::vector<std::string>& names)
{
  std::string joined;
  for (const std::string& name : names)
  {
    joined += (joined.empty() ? "" : ", ") + name;
  }
  return joined;
}
}

bool scipar_cli::ReadCsvCloud(
  const std::string& path, const std::string& clusterColumn, vtkPolyData* cloud, std::string& error)
{
  std::ifstream file(path, std::ios::binary);
  if (!file)
  {
    error = path + ": cannot open the file";
    return false;
  }
  std::string line;
  LineReader lines(file);
  LineReader::Status status = LineReader::Line;
  std::vector<std::string> header;
  std::string problem;
  auto where = [&](size_t lineNo) { return path + ":" + std::to_string(lineNo) + ": "; };
  // A line that cannot be taken as text: false with `error` set.
  auto readable = [&](size_t columnOfNul) {
    if (status == LineReader::TooLong)
    {
      error = where(lines.Number()) + "the line is longer than " + std::to_string(MaxLineBytes) +
        " bytes (a row of points is far shorter): is this a CSV file of points?";
      return false;
    }
    if (status == LineReader::Failed)
    {
      error = path + ": read error after line " + std::to_string(lines.Number());
      return false;
    }
    if (columnOfNul > 0)
    {
      error = where(lines.Number()) + "column " + std::to_string(columnOfNul) +
        (header.empty() || columnOfNul > header.size() ? "" : " (" + header[columnOfNul - 1] + ")") +
        ": a NUL byte: the file holds binary data, not text";
      return false;
    }
    return true;
  };

  // The header: the first line that is not blank.
  while (header.empty() && (status = lines.Next(line)) != LineReader::End)
  {
    if (!readable(status == LineReader::Line ? ColumnOfNul(line) : 0))
    {
      return false;
    }
    const size_t lineNumber = lines.Number();
    if (lineNumber == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0)
    {
      line.erase(0, 3); // UTF-8 byte-order mark
    }
    if (!line.empty() && line.back() == '\r')
    {
      line.pop_back();
    }
    if (Trim(line).empty())
    {
      continue;
    }
    if (!SplitFields(line, header, problem))
    {
      error = path + ":" + std::to_string(lineNumber) + ": header: " + problem;
      return false;
    }
  }
  if (header.empty())
  {
    error = path + ": the file is empty; expected a header row such as x,y,z," + clusterColumn;
    return false;
  }
  const size_t headerLine = lines.Number();

  // Columns: coordinates and cluster ids.
  const int none = -1;
  std::array<int, 3> xyz{ none, none, none };
  int idColumn = none;
  for (size_t c = 0; c < header.size(); ++c)
  {
    const std::string& name = header[c];
    if (name.empty())
    {
      error = where(headerLine) + "header: column " + std::to_string(c + 1) + " has no name";
      return false;
    }
    for (size_t other = 0; other < c; ++other)
    {
      if (header[other] == name)
      {
        error = where(headerLine) + "header: columns " + std::to_string(other + 1) + " and " +
          std::to_string(c + 1) + " are both named '" + name + "'";
        return false;
      }
    }
    const std::string lower = Lower(name);
    for (int axis = 0; axis < 3; ++axis)
    {
      const std::string plain(1, static_cast<char>('x' + axis));
      const std::string paraview = "points:" + std::to_string(axis);
      if (lower == plain || lower == paraview)
      {
        if (xyz[axis] != none)
        {
          error = where(headerLine) + "header: two columns (" + header[xyz[axis]] + " and " + name +
            ") hold the " + plain + " coordinate";
          return false;
        }
        xyz[axis] = static_cast<int>(c);
      }
    }
    if (name == clusterColumn)
    {
      idColumn = static_cast<int>(c);
    }
  }
  for (int axis = 0; axis < 3; ++axis)
  {
    if (xyz[axis] == none)
    {
      error = where(headerLine) + "header: no '" + std::string(1, static_cast<char>('x' + axis)) +
        "' column (coordinates are columns x, y, z, or Points:0, Points:1, Points:2); the columns are: " +
        JoinNames(header);
      return false;
    }
  }
  if (idColumn == none)
  {
    error = where(headerLine) + "header: no column named '" + clusterColumn +
      "' for the cluster ids (name it with --source-array or --target-array); the columns are: " +
      JoinNames(header);
    return false;
  }
  if (idColumn == xyz[0] || idColumn == xyz[1] || idColumn == xyz[2])
  {
    error = where(headerLine) + "header: the cluster column '" + clusterColumn + "' is a coordinate column";
    return false;
  }

  // Rows.
  std::vector<double> coordinates;
  std::vector<int64_t> ids;
  std::vector<std::string> fields;
  auto column = [&](int c) {
    return "column " + std::to_string(c + 1) + " (" + header[static_cast<size_t>(c)] + "): ";
  };
  // What is wrong with a number: the message's end, after the quoted text.
  auto numberProblem = [](NumberProblem problem, bool isId) -> std::string {
    switch (problem)
    {
      case NumberProblem::OutOfRange:
        return isId ? " is out of range: cluster ids must be whole numbers within 64 bits"
                    : " is out of range: beyond the largest number a double holds (about 1.8e308)";
      case NumberProblem::Hexadecimal:
        return " is a hexadecimal number; write numbers in decimal";
      case NumberProblem::NotIntegral:
        return " is not an integral cluster id (cluster ids must be whole numbers within 64 bits)";
      default:
        return " is not a number";
    }
  };
  while ((status = lines.Next(line)) != LineReader::End)
  {
    if (!readable(status == LineReader::Line ? ColumnOfNul(line) : 0))
    {
      return false;
    }
    const size_t lineNumber = lines.Number();
    if (!line.empty() && line.back() == '\r')
    {
      line.pop_back();
    }
    if (Trim(line).empty())
    {
      continue;
    }
    if (!SplitFields(line, fields, problem))
    {
      error = where(lineNumber) + problem;
      return false;
    }
    if (fields.size() != header.size())
    {
      error = where(lineNumber) + std::to_string(fields.size()) + " fields, but the header has " +
        std::to_string(header.size()) + " columns";
      return false;
    }
    for (int axis = 0; axis < 3; ++axis)
    {
      const std::string& text = fields[static_cast<size_t>(xyz[axis])];
      double value = 0.0;
      const NumberProblem parsed = ParseCoordinate(text, value);
      if (parsed != NumberProblem::None)
      {
        error = where(lineNumber) + column(xyz[axis]) + "'" + text + "'" + numberProblem(parsed, false);
        return false;
      }
      if (!std::isfinite(value))
      {
        error = where(lineNumber) + column(xyz[axis]) + "'" + text + "' is not a finite number";
        return false;
      }
      coordinates.push_back(value);
    }
    const std::string& text = fields[static_cast<size_t>(idColumn)];
    int64_t id = 0;
    const NumberProblem parsed = ParseClusterId(text, id);
    if (parsed != NumberProblem::None)
    {
      error = where(lineNumber) + column(idColumn) + "'" + text + "'" + numberProblem(parsed, true);
      return false;
    }
    ids.push_back(id);
  }
  if (ids.empty())
  {
    error = path + ": no data rows after the header (line " + std::to_string(headerLine) + ")";
    return false;
  }

  const auto n = static_cast<vtkIdType>(ids.size());
  auto xyzArray = scipar::NewArray<vtkDoubleArray>("Points", n, 3);
  std::copy(coordinates.begin(), coordinates.end(), xyzArray->GetPointer(0));
  vtkNew<vtkPoints> points;
  points->SetData(xyzArray);
  cloud->SetPoints(points);
  auto idArray = scipar::NewArray<vtkTypeInt64Array>(clusterColumn.c_str(), n);
  std::copy(ids.begin(), ids.end(), idArray->GetPointer(0));
  cloud->GetPointData()->AddArray(idArray);
  return true;
}
