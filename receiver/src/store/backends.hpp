#pragma once
// The storage back ends behind open_store().

#include <memory>
#include <string>

#include "anpr/receiver/store.hpp"

namespace anpr::receiver {

[[nodiscard]] std::unique_ptr<Store> make_sqlite_store(const std::string& path);
[[nodiscard]] std::unique_ptr<Store> make_postgres_store(const std::string& dsn);

}  // namespace anpr::receiver
