// A database file in a folder of its own, named after the running test, removed afterwards.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/database.h"

namespace millrace {

class TempDatabase {
 public:
  // `kind` names the folder (millrace-<kind>-test-<pid>-<test>).
  explicit TempDatabase(const std::string& kind)
      : dir_(std::filesystem::temp_directory_path() /
             ("millrace-" + kind + "-test-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    std::filesystem::create_directories(dir_);
    auto db = store::Database::open((dir_ / "test.db").string());
    EXPECT_TRUE(db) << db.error().message;
    if (db) db_ = std::move(*db);
  }
  ~TempDatabase() {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  TempDatabase(const TempDatabase&) = delete;
  TempDatabase& operator=(const TempDatabase&) = delete;

  bool opened() const { return db_ != nullptr; }
  store::Database& db() { return *db_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<store::Database> db_;
};

}  // namespace millrace
