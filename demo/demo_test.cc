// The demo test suite: about forty ordinary GoogleTest tests of small pieces
// of code (text utilities, an LRU cache, an expression evaluator, a slow
// inventory service, retries with back-off, a prime sieve, a typed stack,
// report jobs, an order book kept in an SQLite database). Some take a few tens of milliseconds, as tests that talk to
// services or files do, so the speed-up of --gtest_parallel is visible.
#include <gtest/gtest.h>

#include "gtest_parallel/database.h"
#include "gtest_parallel/gtest_parallel.h"

#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <list>
#include <memory>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

using std::chrono::milliseconds;

void SimulateLatency(int ms) { std::this_thread::sleep_for(milliseconds(ms)); }

// ---------------------------------------------------------------------------
// Text utilities.

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream stream(text);
  while (std::getline(stream, part, separator)) parts.push_back(part);
  if (!text.empty() && text.back() == separator) parts.emplace_back();
  return parts;
}

std::string Join(const std::vector<std::string>& parts,
                 const std::string& separator) {
  std::string result;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) result += separator;
    result += parts[i];
  }
  return result;
}

std::string Trim(const std::string& text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin])))
    ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1])))
    --end;
  return text.substr(begin, end - begin);
}

std::string ToUpper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

TEST(TextTest, SplitsOnSeparator) {
  EXPECT_EQ(Split("a,b,c", ','), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(TextTest, SplitKeepsEmptyFields) {
  EXPECT_EQ(Split("a,,c,", ','),
            (std::vector<std::string>{"a", "", "c", ""}));
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

// ---------------------------------------------------------------------------
// A slow inventory service (every call costs a round trip).

class InventoryService {
 public:
  explicit InventoryService(int latency_ms) : latency_ms_(latency_ms) {}

  void Restock(const std::string& sku, int quantity) {
    SimulateLatency(latency_ms_);
    stock_[sku] += quantity;
  }

  bool Reserve(const std::string& sku, int quantity) {
    SimulateLatency(latency_ms_);
    auto it = stock_.find(sku);
    if (it == stock_.end() || it->second < quantity) return false;
    it->second -= quantity;
    return true;
  }

  int Available(const std::string& sku) const {
    SimulateLatency(latency_ms_);
    auto it = stock_.find(sku);
    return it == stock_.end() ? 0 : it->second;
  }

 private:
  int latency_ms_;
  std::map<std::string, int> stock_;
};

class InventoryServiceTest : public testing::Test {
 protected:
  // Connecting to the service is slow: done once per suite (and per worker).
  static void SetUpTestSuite() { SimulateLatency(40); }

  void SetUp() override {
    service_.Restock("apple", 10);
    service_.Restock("pear", 3);
  }

  InventoryService service_{10};
};

TEST_F(InventoryServiceTest, ReportsRestockedQuantity) {
  EXPECT_EQ(service_.Available("apple"), 10);
}

TEST_F(InventoryServiceTest, UnknownItemIsUnavailable) {
  EXPECT_EQ(service_.Available("durian"), 0);
}

TEST_F(InventoryServiceTest, ReservationReducesStock) {
  ASSERT_TRUE(service_.Reserve("apple", 4));
  EXPECT_EQ(service_.Available("apple"), 6);
}

TEST_F(InventoryServiceTest, RefusesToOversell) {
  EXPECT_FALSE(service_.Reserve("pear", 4));
  EXPECT_EQ(service_.Available("pear"), 3);
}

TEST_F(InventoryServiceTest, RestockAddsUp) {
  service_.Restock("pear", 7);
  EXPECT_EQ(service_.Available("pear"), 10);
}

TEST_F(InventoryServiceTest, ReservesWholeStock) {
  EXPECT_TRUE(service_.Reserve("pear", 3));
  EXPECT_FALSE(service_.Reserve("pear", 1));
}

// ---------------------------------------------------------------------------
// Retrying a flaky operation with exponential back-off.

struct RetryPolicy {
  int attempts = 3;
  int initial_delay_ms = 5;
  double multiplier = 2.0;
};

// Calls `operation` until it succeeds or the attempts are used up; returns
// the number of calls made, or -1 when it never succeeded.
template <typename Operation>
int RetryWithBackoff(const RetryPolicy& policy, Operation operation) {
  double delay = policy.initial_delay_ms;
  for (int attempt = 1; attempt <= policy.attempts; ++attempt) {
    if (operation()) return attempt;
    if (attempt < policy.attempts) {
      SimulateLatency(static_cast<int>(delay));
      delay *= policy.multiplier;
    }
  }
  return -1;
}

TEST(RetryPolicyTest, SucceedsFirstTime) {
  EXPECT_EQ(RetryWithBackoff(RetryPolicy{}, [] { return true; }), 1);
}

TEST(RetryPolicyTest, RetriesUntilSuccess) {
  int calls = 0;
  EXPECT_EQ(RetryWithBackoff(RetryPolicy{5, 5, 2.0}, [&] { return ++calls == 4; }),
            4);
}

TEST(RetryPolicyTest, GivesUpAfterLastAttempt) {
  int calls = 0;
  EXPECT_EQ(RetryWithBackoff(RetryPolicy{4, 5, 2.0}, [&] {
              ++calls;
              return false;
            }),
            -1);
  EXPECT_EQ(calls, 4);
}

TEST(RetryPolicyTest, BacksOffExponentially) {
  const auto start = std::chrono::steady_clock::now();
  RetryWithBackoff(RetryPolicy{4, 5, 2.0}, [] { return false; });
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, milliseconds(5 + 10 + 20));
}

// ---------------------------------------------------------------------------
// A prime sieve (CPU-bound).

std::vector<int> PrimesUpTo(int limit) {
  std::vector<bool> composite(static_cast<size_t>(limit) + 1, false);
  std::vector<int> primes;
  for (int n = 2; n <= limit; ++n) {
    if (composite[n]) continue;
    primes.push_back(n);
    for (long long m = static_cast<long long>(n) * n; m <= limit; m += n) {
      composite[static_cast<size_t>(m)] = true;
    }
  }
  return primes;
}

TEST(PrimeSieveTest, SmallPrimes) {
  EXPECT_EQ(PrimesUpTo(20), (std::vector<int>{2, 3, 5, 7, 11, 13, 17, 19}));
}

TEST(PrimeSieveTest, CountsPrimesBelowOneMillion) {
  EXPECT_EQ(PrimesUpTo(1000000).size(), 78498u);
}

TEST(PrimeSieveTest, CountsPrimesBelowTenMillion) {
  EXPECT_EQ(PrimesUpTo(10000000).size(), 664579u);
}

TEST(PrimeSieveTest, NoPrimesBelowTwo) { EXPECT_TRUE(PrimesUpTo(1).empty()); }

// ---------------------------------------------------------------------------
// A bounded stack, tested for several element types.

template <typename T>
class BoundedStack {
 public:
  explicit BoundedStack(size_t capacity) : capacity_(capacity) {}
  bool Push(T value) {
    if (items_.size() == capacity_) return false;
    items_.push_back(std::move(value));
    return true;
  }
  std::optional<T> Pop() {
    if (items_.empty()) return std::nullopt;
    T value = std::move(items_.back());
    items_.pop_back();
    return value;
  }
  size_t size() const { return items_.size(); }

 private:
  size_t capacity_;
  std::vector<T> items_;
};

template <typename T>
T SampleValue(int i);
template <>
int SampleValue<int>(int i) { return i * 7; }
template <>
double SampleValue<double>(int i) { return i + 0.25; }
template <>
std::string SampleValue<std::string>(int i) { return "item-" + std::to_string(i); }

template <typename T>
class BoundedStackTest : public testing::Test {
 protected:
  BoundedStack<T> stack_{2};
};

using StackTypes = testing::Types<int, double, std::string>;
TYPED_TEST_SUITE(BoundedStackTest, StackTypes);

TYPED_TEST(BoundedStackTest, PopsInReverseOrder) {
  ASSERT_TRUE(this->stack_.Push(SampleValue<TypeParam>(1)));
  ASSERT_TRUE(this->stack_.Push(SampleValue<TypeParam>(2)));
  EXPECT_EQ(this->stack_.Pop(), SampleValue<TypeParam>(2));
  EXPECT_EQ(this->stack_.Pop(), SampleValue<TypeParam>(1));
}

TYPED_TEST(BoundedStackTest, RefusesPushWhenFull) {
  this->stack_.Push(SampleValue<TypeParam>(1));
  this->stack_.Push(SampleValue<TypeParam>(2));
  EXPECT_FALSE(this->stack_.Push(SampleValue<TypeParam>(3)));
  EXPECT_EQ(this->stack_.size(), 2u);
}

TYPED_TEST(BoundedStackTest, PopOnEmptyIsNothing) {
  EXPECT_FALSE(this->stack_.Pop().has_value());
}

// ---------------------------------------------------------------------------
// Report jobs: each renders a report from a slow data source.

class ReportJobTest : public testing::TestWithParam<int> {};

TEST_P(ReportJobTest, RendersAllRows) {
  const int rows = GetParam();
  std::ostringstream report;
  for (int row = 0; row < rows; ++row) {
    if (row % 10 == 0) SimulateLatency(15);  // Fetch the next page of rows.
    report << "row " << row << '\n';
  }
  EXPECT_EQ(static_cast<int>(Split(report.str(), '\n').size()), rows + 1);
}

INSTANTIATE_TEST_SUITE_P(Sizes, ReportJobTest,
                         testing::Values(40, 60, 80, 100, 120));

// ---------------------------------------------------------------------------
// An order book in SQLite. The database is declared once; the run fills a
// template with the schema and the price list, and every worker gets a
// copy of its own (in memory), so the tests below can write freely. Point
// it at a server with GTEST_PARALLEL_DB_SHOP=postgresql://... (linking
// gtest_parallel::postgresql).

const bool kShopDeclared = gtest_parallel::DeclareDatabase(
    gtest_parallel::DatabaseDeclaration("shop", "sqlite::memory:")
        .WithSchemaVersion("1")
        .WithSetup([](gtest_parallel::Connection& connection) {
          for (const char* sql : {
                   "CREATE TABLE prices (item VARCHAR(20) PRIMARY KEY, "
                   "cents INTEGER NOT NULL)",
                   "CREATE TABLE orders (id INTEGER PRIMARY KEY, "
                   "item VARCHAR(20) NOT NULL REFERENCES prices (item), "
                   "quantity INTEGER NOT NULL)",
                   "INSERT INTO prices (item, cents) VALUES ('apple', 40), "
                   "('pear', 55), ('plum', 25)",
               }) {
            gtest_parallel::Status status = connection.Execute(sql);
            if (!status.ok()) return status;
          }
          return gtest_parallel::Status();
        }));

class OrderBookTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(gtest_parallel::Database("shop").Connect(&db_).ok());
    ASSERT_TRUE(db_->Execute("DELETE FROM orders").ok());
  }
  void Order(const std::string& item, int quantity) {
    SimulateLatency(10);  // A round trip to the order service.
    ASSERT_TRUE(db_->Execute("INSERT INTO orders (item, quantity) VALUES ('" +
                             item + "', " + std::to_string(quantity) + ")")
                    .ok());
  }
  std::string Value(const std::string& sql) {
    std::string value;
    EXPECT_TRUE(db_->QueryValue(sql, &value).ok()) << sql;
    return value;
  }
  std::unique_ptr<gtest_parallel::Connection> db_;
};

TEST_F(OrderBookTest, StartsWithThePriceList) {
  EXPECT_EQ(Value("SELECT COUNT(*) FROM prices"), "3");
  EXPECT_EQ(Value("SELECT COUNT(*) FROM orders"), "0");
}

TEST_F(OrderBookTest, TotalsAnOrder) {
  Order("apple", 3);
  Order("plum", 2);
  EXPECT_EQ(Value("SELECT SUM(o.quantity * p.cents) FROM orders o "
                  "JOIN prices p ON p.item = o.item"),
            "170");
}

TEST_F(OrderBookTest, CountsOrdersPerItem) {
  Order("pear", 1);
  Order("pear", 4);
  Order("apple", 1);
  EXPECT_EQ(Value("SELECT SUM(quantity) FROM orders WHERE item = 'pear'"),
            "5");
}

TEST_F(OrderBookTest, FindsTheBestSeller) {
  Order("plum", 7);
  Order("apple", 2);
  EXPECT_EQ(Value("SELECT item FROM orders GROUP BY item "
                  "ORDER BY SUM(quantity) DESC LIMIT 1"),
            "plum");
}

TEST_F(OrderBookTest, DatabaseIsTheWorkersOwn) {
  // The same name is in the environment, for programs a test starts.
  const char* name = std::getenv("GTEST_PARALLEL_DATABASE_SHOP");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(gtest_parallel::Database("shop").name(), name);
}

}  // namespace
