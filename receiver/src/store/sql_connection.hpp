#pragma once
// The thin connection adapter the shared SQL of both back ends runs over (sql_store.hpp): a
// statement with `$N` parameters bound by position, and the rows it returns. SqliteStore and
// PostgresStore each implement it once over their own connection.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace anpr::receiver {

/// One parameter: NULL, an integer, a real or a text; made implicitly from the value, so that a
/// call lists its parameters as they are. A text is a view: it must outlive the call it is passed
/// to (a temporary in the call's argument list does). An empty optional is NULL.
class SqlValue {
 public:
  using Variant = std::variant<std::nullptr_t, std::int64_t, double, std::string_view>;
  SqlValue(std::nullptr_t) {}
  SqlValue(std::int64_t v) : value_(v) {}
  SqlValue(int v) : value_(std::int64_t{v}) {}
  SqlValue(double v) : value_(v) {}
  SqlValue(std::string_view v) : value_(v) {}
  SqlValue(const std::string& v) : value_(std::string_view(v)) {}
  SqlValue(const char* v) : value_(std::string_view(v)) {}
  SqlValue(bool) = delete;  ///< say 1 or 0: the columns are integers in both back ends
  template <typename T>
  SqlValue(const std::optional<T>& v) {
    if (v) value_ = SqlValue(*v).value_;
  }
  [[nodiscard]] const Variant& value() const { return value_; }

 private:
  Variant value_;
};

/// A row of a result, its columns numbered from 0.
class SqlRow {
 public:
  virtual ~SqlRow() = default;
  [[nodiscard]] virtual std::string text(int col) const = 0;
  [[nodiscard]] virtual std::int64_t integer(int col) const = 0;
  [[nodiscard]] virtual double real(int col) const = 0;
  [[nodiscard]] virtual bool is_null(int col) const = 0;
  /// The column, or nullopt where it is NULL.
  [[nodiscard]] std::optional<double> optional_real(int col) const {
    return is_null(col) ? std::nullopt : std::optional<double>(real(col));
  }
};

/// A connection that runs statements in the transaction in progress, if any.
class SqlConnection {
 public:
  using Params = std::initializer_list<SqlValue>;
  using RowFn = std::function<void(const SqlRow&)>;
  virtual ~SqlConnection() = default;

  /// Runs `sql`, written with PostgreSQL's numbered parameters ($1, $2, ...; SQLite takes them as
  /// ?1, ?2, ...), with `params` bound by position; calls `row` for each row of its result.
  /// Returns the number of rows an INSERT, UPDATE or DELETE changed (nothing useful otherwise).
  virtual std::int64_t exec(std::string_view sql, Params params = {}, const RowFn& row = {}) = 0;

  /// The rows of a query, each made into a T by `make`.
  template <typename T, typename Make>
  std::vector<T> rows(std::string_view sql, Params params, Make make) {
    std::vector<T> out;
    exec(sql, params, [&](const SqlRow& r) { out.push_back(make(r)); });
    return out;
  }
  /// The first row of a query made into a T, or nullopt where there is none.
  template <typename T, typename Make>
  std::optional<T> first(std::string_view sql, Params params, Make make) {
    std::optional<T> out;
    exec(sql, params, [&](const SqlRow& r) {
      if (!out) out = make(r);
    });
    return out;
  }
  /// The one integer a query such as SELECT COUNT(*) returns (0 where it returns no row).
  std::int64_t integer(std::string_view sql, Params params = {}) {
    return first<std::int64_t>(sql, params, [](const SqlRow& r) { return r.integer(0); }).value_or(0);
  }
};

}  // namespace anpr::receiver
