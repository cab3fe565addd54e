#include "catalog/postgres/connection.h"

#include <gtest/gtest.h>

#include "catalog/postgres/migrations.h"
#include "catalog/postgres/test_database.h"
#include "core/error.h"

namespace cairn::catalog::postgres {
namespace {

TEST(RedactedUrl, HidesThePasswordOnly) {
  EXPECT_EQ(RedactedUrl("postgresql://cairn:s3cret@db.internal:5432/catalog"),
            "postgresql://cairn:****@db.internal:5432/catalog");
  EXPECT_EQ(RedactedUrl("postgresql://cairn@db/catalog"), "postgresql://cairn@db/catalog");
  EXPECT_EQ(RedactedUrl("postgres://u:p%40ss@h/d?sslmode=require&password=x2"),
            "postgres://u:****@h/d?sslmode=require&password=****");
}

TEST(Connection, RoundTripsParametersAndNulls) {
  Connection db(testing::NewTestDatabase());
  Rows rows =
      db.Query("SELECT $1::text, $2::bigint, $3::float8, $4::bool, $5::text",
               Params().Add("tab\there").Add(std::int64_t{-42}).Add(0.1).Add(true).AddNull());
  ASSERT_EQ(rows.size(), 1);
  EXPECT_EQ(rows.Text(0, 0), "tab\there");
  EXPECT_EQ(rows.Int64(0, 1), -42);
  EXPECT_DOUBLE_EQ(rows.Double(0, 2), 0.1);
  EXPECT_TRUE(rows.Bool(0, 3));
  EXPECT_FALSE(rows.OptionalString(0, 4).has_value());
}

TEST(Connection, CopiesEscapedTextAndRollsBackUncommittedWork) {
  Connection db(testing::NewTestDatabase());
  db.Exec("CREATE TABLE t(a text, b bigint)");
  std::string data;
  AppendCopyField(data, "back\\slash\nnew\tline");
  data += '\t';
  data += kCopyNull;
  data += '\n';
  {
    Transaction transaction(db);
    db.Copy("COPY t(a, b) FROM STDIN", data);
    transaction.Commit();
  }
  {
    Transaction transaction(db);
    db.Exec("DELETE FROM t");
  }  // not committed
  Rows rows = db.Query("SELECT a, b FROM t");
  ASSERT_EQ(rows.size(), 1);
  EXPECT_EQ(rows.Text(0, 0), "back\\slash\nnew\tline");
  EXPECT_TRUE(rows.IsNull(0, 1));
}

TEST(Connection, ErrorsNameTheDatabaseWithoutItsPassword) {
  std::string url = testing::NewTestDatabase();
  Connection db(url);
  try {
    db.Query("SELECT * FROM no_such_table");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kStorage);
    EXPECT_NE(std::string(error.what()).find("no_such_table"), std::string::npos) << error.what();
    EXPECT_EQ(std::string(error.what()).find("s3cret"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("****"), std::string::npos) << error.what();
  }
  std::string wrong = url;
  wrong.replace(wrong.find(":s3cret") + 1, 6, "wrong!");
  try {
    Connection refused(wrong);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("password authentication failed"), std::string::npos)
        << error.what();
    EXPECT_EQ(std::string(error.what()).find("wrong!"), std::string::npos) << error.what();
  }
}

TEST(Migrate, RunsOnceAndRecordsTheVersion) {
  Connection db(testing::NewTestDatabase());
  EXPECT_EQ(SchemaVersionOf(db), 0);
  Migrate(db);
  EXPECT_EQ(SchemaVersionOf(db), LatestSchemaVersion());
  Migrate(db);  // nothing left to do
  EXPECT_EQ(db.Query("SELECT count(*) FROM schema_migrations").Int64(0, 0),
            static_cast<std::int64_t>(Migrations().size()));
}

TEST(Migrate, RefusesADatabaseOfANewerCairn) {
  Connection db(testing::NewTestDatabase());
  Migrate(db);
  db.Exec("INSERT INTO schema_migrations(version, description) VALUES (999, 'future')");
  try {
    Migrate(db);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("schema version 999"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace cairn::catalog::postgres
