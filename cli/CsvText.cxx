#include "CsvText.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

scipar_cli::LineReader::LineReader(std::istream& in)
  : In(in)
  , Buffer(MaxLineBytes + 2)
{
}

scipar_cli::LineReader::Status scipar_cli::LineReader::Next(std::string& line)
{
  if (!this->In.good())
  {
    return this->In.bad() ? Failed : End;
  }
  // getline stores at most size - 1 = MaxLineBytes + 1 bytes: one more than allowed tells a line
  // too long apart, and the rest of it is never read.
  this->In.getline(this->Buffer.data(), static_cast<std::streamsize>(this->Buffer.size()));
  const auto count = static_cast<size_t>(this->In.gcount());
  if (this->In.bad())
  {
    return Failed;
  }
  if (count == 0 && this->In.eof())
  {
    return End;
  }
  ++this->LineNumber;
  const bool filled = this->In.fail() && !this->In.eof();
  const size_t length = this->In.eof() ? count : count - 1; // the '\n' is counted, not stored
  if (filled || length > MaxLineBytes)
  {
    return TooLong;
  }
  line.assign(this->Buffer.data(), length);
  return Line;
}

size_t scipar_cli::ColumnOfNul(const std::string& line)
{
  const size_t nul = line.find('\0');
  if (nul == std::string::npos)
  {
    return 0;
  }
  return 1 + static_cast<size_t>(std::count(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(nul), ','));
}

scipar_cli::NumberProblem scipar_cli::ParseCoordinate(const std::string& text, double& value)
{
  if (text.empty())
  {
    return NumberProblem::NotANumber;
  }
  char* end = nullptr;
  errno = 0;
  value = std::strtod(text.c_str(), &end);
  if (*end != '\0')
  {
    return NumberProblem::NotANumber;
  }
  if (text.find_first_of("xX") != std::string::npos)
  {
    return NumberProblem::Hexadecimal;
  }
  // Overflow is out of range; underflow to a tiny number or zero is fine.
  if (errno == ERANGE && std::fabs(value) == HUGE_VAL)
  {
    return NumberProblem::OutOfRange;
  }
  return NumberProblem::None;
}

scipar_cli::NumberProblem scipar_cli::ParseClusterId(const std::string& text, int64_t& value)
{
  if (text.empty())
  {
    return NumberProblem::NotIntegral;
  }
  char* end = nullptr;
  errno = 0;
  const long long integer = std::strtoll(text.c_str(), &end, 10);
  if (*end == '\0')
  {
    value = integer;
    return errno == ERANGE ? NumberProblem::OutOfRange : NumberProblem::None;
  }
  double real = 0.0;
  const NumberProblem problem = ParseCoordinate(text, real);
  if (problem != NumberProblem::None)
  {
    return problem == NumberProblem::NotANumber ? NumberProblem::NotIntegral : problem;
  }
  const double limit = 9223372036854775808.0; // 2^63
  if (!std::isfinite(real) || std::floor(real) != real)
  {
    return NumberProblem::NotIntegral;
  }
  if (real < -limit || real >= limit)
  {
    return NumberProblem::OutOfRange;
  }
  value = static_cast<int64_t>(real);
  return NumberProblem::None;
}
