// The text level of scipar-match's CSV reader: bounded lines, and numbers read strictly.
#ifndef scipar_cli_CsvText_h
#define scipar_cli_CsvText_h

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace scipar_cli
{
/// The longest line read: a row of points is far shorter, and a binary file or a huge single line
/// must not be read into memory whole.
constexpr size_t MaxLineBytes = 1 << 20;

/// Reads lines of at most MaxLineBytes bytes (without the '\n'), never more at once.
class LineReader
{
public:
  enum Status
  {
    Line,    ///< a line was read
    End,     ///< no more lines
    TooLong, ///< the line is longer than MaxLineBytes (not read whole)
    Failed   ///< the stream could not be read
  };
  explicit LineReader(std::istream& in);
  Status Next(std::string& line);
  size_t Number() const { return this->LineNumber; } ///< of the line last read, from 1

private:
  std::istream& In;
  std::vector<char> Buffer;
  size_t LineNumber = 0;
};

/// Where the first NUL byte of `line` is, as a column number (fields separated by commas, from 1);
/// 0 when there is none.
size_t ColumnOfNul(const std::string& line);

/// What is wrong with a field read as a number.
enum class NumberProblem
{
  None,
  NotANumber,
  OutOfRange,  ///< beyond what a double (coordinates) or a 64-bit integer (ids) holds
  Hexadecimal, ///< strtod reads "0x1p3": a CSV file of points means decimal
  NotIntegral  ///< a cluster id with a fraction, or not finite
};

/// A coordinate: a decimal number (or inf/nan, which the caller refuses as not finite).
NumberProblem ParseCoordinate(const std::string& text, double& value);

/// A cluster id: a decimal integer within 64 bits, or a floating-point number holding one ("3.0",
/// "1e3"), as some tools write ids.
NumberProblem ParseClusterId(const std::string& text, int64_t& value);
}

#endif
