// The demo test suite: about forty ordinary GoogleTest tests of small pieces
// of code, in three files: here text utilities (demo_util.h), an LRU cache
// and an expression evaluator; in demo_services_test.cc a slow inventory
// service, retries with back-off, a prime sieve, a typed stack and report
// jobs; in demo_database_test.cc an order book kept in an SQLite database.
// Some take a few tens of milliseconds, as tests that talk to services or
// files do, so the speed-up of --gtest_parallel is visible.
#include <gtest/gtest.h>

#include <cctype>
#include <cstddef>
#include <list>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "demo_util.h"
#include "gtest_parallel/gtest_parallel.h"

namespace {

using demo::Join;
using demo::Split;
using demo::ToUpper;
using demo::Trim;

// ---------------------------------------------------------------------------
// Text utilities (demo_util.h).

TEST(TextTest, SplitsOnSeparator) {
  EXPECT_EQ(Split("a,b,c", ','), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(TextTest, SplitKeepsEmptyFields) {
  EXPECT_EQ(Split("a,,c,", ','), (std::vector<std::string>{"a", "", "c", ""}));
}

TEST(TextTest, JoinIsInverseOfSplit) {
  const std::string line = "name;age;city";
  EXPECT_EQ(Join(Split(line, ';'), ";"), line);
}

TEST(TextTest, TrimRemovesSurroundingWhitespace) {
  EXPECT_EQ(Trim("  hello world \t\n"), "hello world");
  EXPECT_EQ(Trim("   "), "");
}

TEST(TextTest, ToUpperLeavesDigitsAlone) {
  EXPECT_EQ(ToUpper("abc-123-xyz"), "ABC-123-XYZ");
}

// ---------------------------------------------------------------------------
// An LRU cache.

class LruCache {
 public:
  explicit LruCache(size_t capacity) : capacity_(capacity) {}

  void Put(const std::string& key, int value) {
    auto it = index_.find(key);
    if (it != index_.end()) {
      it->second->second = value;
      order_.splice(order_.begin(), order_, it->second);
      return;
    }
    order_.emplace_front(key, value);
    index_[key] = order_.begin();
    if (order_.size() > capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }

  std::optional<int> Get(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
  }

  size_t size() const { return order_.size(); }

 private:
  using Entry = std::pair<std::string, int>;
  size_t capacity_;
  std::list<Entry> order_;
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

class LruCacheTest : public testing::Test {
 protected:
  LruCache cache_{3};
};

TEST_F(LruCacheTest, StartsEmpty) {
  EXPECT_EQ(cache_.size(), 0u);
  EXPECT_FALSE(cache_.Get("missing").has_value());
}

TEST_F(LruCacheTest, ReturnsStoredValue) {
  cache_.Put("one", 1);
  EXPECT_EQ(cache_.Get("one"), 1);
}

TEST_F(LruCacheTest, OverwritesExistingKey) {
  cache_.Put("one", 1);
  cache_.Put("one", 11);
  EXPECT_EQ(cache_.Get("one"), 11);
  EXPECT_EQ(cache_.size(), 1u);
}

TEST_F(LruCacheTest, EvictsLeastRecentlyUsed) {
  cache_.Put("a", 1);
  cache_.Put("b", 2);
  cache_.Put("c", 3);
  cache_.Put("d", 4);
  EXPECT_FALSE(cache_.Get("a").has_value());
  EXPECT_EQ(cache_.Get("d"), 4);
}

TEST_F(LruCacheTest, GetRefreshesEntry) {
  cache_.Put("a", 1);
  cache_.Put("b", 2);
  cache_.Put("c", 3);
  ASSERT_TRUE(cache_.Get("a").has_value());
  cache_.Put("d", 4);
  EXPECT_TRUE(cache_.Get("a").has_value());
  EXPECT_FALSE(cache_.Get("b").has_value());
}

// ---------------------------------------------------------------------------
// A recursive-descent evaluator for + - * / and parentheses.

class Evaluator {
 public:
  explicit Evaluator(std::string text) : text_(std::move(text)) {}

  double Evaluate() {
    const double value = Sum();
    SkipSpaces();
    if (pos_ != text_.size()) throw std::invalid_argument("trailing input");
    return value;
  }

 private:
  void SkipSpaces() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }
  bool Accept(char c) {
    SkipSpaces();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  double Sum() {
    double value = Product();
    for (;;) {
      if (Accept('+')) {
        value += Product();
      } else if (Accept('-')) {
        value -= Product();
      } else {
        return value;
      }
    }
  }
  double Product() {
    double value = Factor();
    for (;;) {
      if (Accept('*')) {
        value *= Factor();
      } else if (Accept('/')) {
        const double divisor = Factor();
        if (divisor == 0) throw std::domain_error("division by zero");
        value /= divisor;
      } else {
        return value;
      }
    }
  }
  double Factor() {
    if (Accept('-')) return -Factor();
    if (Accept('(')) {
      const double value = Sum();
      if (!Accept(')')) throw std::invalid_argument("missing ')'");
      return value;
    }
    SkipSpaces();
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isdigit(static_cast<unsigned char>(text_[pos_])) ||
            text_[pos_] == '.')) {
      ++pos_;
    }
    if (start == pos_) throw std::invalid_argument("number expected");
    return std::stod(text_.substr(start, pos_ - start));
  }

  std::string text_;
  size_t pos_ = 0;
};

struct ExpressionCase {
  const char* text;
  double expected;
};

// How a case is shown in failure messages and the XML/JSON reports.
void PrintTo(const ExpressionCase& c, std::ostream* os) {
  *os << '"' << c.text << "\" = " << c.expected;
}

class ExpressionTest : public testing::TestWithParam<ExpressionCase> {};

TEST_P(ExpressionTest, Evaluates) {
  EXPECT_DOUBLE_EQ(Evaluator(GetParam().text).Evaluate(), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Arithmetic, ExpressionTest,
                         testing::Values(ExpressionCase{"1 + 2", 3},
                                         ExpressionCase{"2 * 3 + 4", 10},
                                         ExpressionCase{"2 * (3 + 4)", 14},
                                         ExpressionCase{"10 / 4", 2.5},
                                         ExpressionCase{"-(2 - 5)", 3},
                                         ExpressionCase{"1.5 * 4 - 0.5", 5.5}));

TEST(ExpressionErrorTest, RejectsDivisionByZero) {
  EXPECT_THROW(Evaluator("1 / (2 - 2)").Evaluate(), std::domain_error);
}

TEST(ExpressionErrorTest, RejectsUnbalancedParentheses) {
  EXPECT_THROW(Evaluator("(1 + 2").Evaluate(), std::invalid_argument);
  EXPECT_THROW(Evaluator("1 + 2)").Evaluate(), std::invalid_argument);
}

}  // namespace
