// Normalization of reports and console output (times and timestamps
// removed) and line-based comparison with a readable diff, for the
// end-to-end tests.
#ifndef GTEST_PARALLEL_TEST_E2E_TEXT_COMPARE_H_
#define GTEST_PARALLEL_TEST_E2E_TEXT_COMPARE_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gtest_parallel_e2e {

// XML report: the values of every time="..." and timestamp="..." attribute
// become "*".
std::string NormalizeXml(const std::string& xml);

// JSON report: the values of every "time" and "timestamp" field become "*".
std::string NormalizeJson(const std::string& json);

// A report in `format` ("xml" or "json").
std::string NormalizeReport(const std::string& format,
                            const std::string& report);

// Console output: "(N ms)" and "(N ms total)" become "(* ms)" and
// "(* ms total)".
std::string NormalizeConsole(const std::string& console);

// Console output without the "Running main() from ..." lines of gtest_main:
// the first line, and on Windows one more for every death test (its child
// runs main() again, writing to the same console).
std::string WithoutRunningMainLines(const std::string& console);

// The lines starting with `prefix`, each with its newline.
std::string LinesStartingWith(const std::string& text,
                              const std::string& prefix);

// `text` without the lines starting with `prefix`.
std::string WithoutLinesStartingWith(const std::string& text,
                                     const std::string& prefix);

std::vector<std::string> SplitLines(const std::string& text);

// `text` with its "\r\n" line ends made "\n" when every line ends so (what a
// Windows program writes in text mode); otherwise unchanged, so that a mix
// of line ends still shows in a comparison.
std::string WithUnixLineEnds(const std::string& text);

// Success when `expected` == `actual`; otherwise a failure whose message
// names both sides and shows a unified-style diff of the differing lines
// with some context.
::testing::AssertionResult SameText(const std::string& what,
                                    const std::string& expected_label,
                                    const std::string& expected,
                                    const std::string& actual_label,
                                    const std::string& actual);

}  // namespace gtest_parallel_e2e

#endif  // GTEST_PARALLEL_TEST_E2E_TEXT_COMPARE_H_
