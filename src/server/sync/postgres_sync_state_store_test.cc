#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "catalog/postgres/connection.h"
#include "server/sync/sync_state_store.h"
#include "server/testing/store_database.h"

// What PostgreSQL's advisory-lock leases do beyond the shared suite
// (sync_state_store_test.cc): they never expire while their holder's
// session lives, and die with it.
namespace cairn::server {
namespace {

using catalog::postgres::Connection;
using catalog::postgres::Params;

constexpr const char* kLeaseSessions =
    "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
    "WHERE l.locktype = 'advisory' AND l.classid = 1667330670 AND l.granted "
    "AND d.datname = current_database()";

// A session's locks go when its server process has ended, a moment after
// the client is gone: TryLease until it succeeds, for a few seconds at most.
bool TakenWithin(SyncStateStore& store, std::string_view integration_id, std::string_view holder,
                 std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!store.TryLease(integration_id, holder, 0, 0)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

class PostgresSyncStateStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<testing::StoreDatabase> database_ = testing::PostgresBackend().create();
};

TEST_F(PostgresSyncStateStoreTest, ALeaseLastsAsLongAsItsHolderWhateverItsExpiry) {
  auto first = OpenSyncStateStore(database_->url());
  auto second = OpenSyncStateStore(database_->url());
  ASSERT_TRUE(first->TryLease("i1", "a", 100, 700));
  EXPECT_FALSE(second->TryLease("i1", "b", 5000, 5600)) << "a live holder's lease never expires";
  first.reset();  // the holder ends: its session, and the lock, with it
  EXPECT_TRUE(TakenWithin(*second, "i1", "b", std::chrono::seconds(10)));
}

TEST_F(PostgresSyncStateStoreTest, ALeaseLostWithItsSessionIsNotRenewed) {
  auto first = OpenSyncStateStore(database_->url());
  auto second = OpenSyncStateStore(database_->url());
  ASSERT_TRUE(first->TryLease("i1", "a", 100, 700));
  Connection admin(database_->url());
  ASSERT_EQ(admin.Query(kLeaseSessions).size(), 1);
  // The server drops first's session, as when the network between them fails.
  admin.Query("SELECT pg_terminate_backend($1::integer)",
              Params().Add(admin.Query(kLeaseSessions).Int64(0, 0)));
  EXPECT_TRUE(TakenWithin(*second, "i1", "b", std::chrono::seconds(10)));
  EXPECT_FALSE(first->TryLease("i1", "a", 300, 900)) << "first must stop syncing";
  EXPECT_FALSE(first->TryLease("i1", "a", 301, 901)) << "b holds it now";
  second->ReleaseLease("i1", "b");
  EXPECT_TRUE(first->TryLease("i1", "a", 302, 902));  // first's store reconnected
}

TEST_F(PostgresSyncStateStoreTest, ReleasingUnlocksOnTheServer) {
  auto state = OpenSyncStateStore(database_->url());
  Connection admin(database_->url());
  ASSERT_TRUE(state->TryLease("i1", "a", 100, 700));
  ASSERT_TRUE(state->TryLease("i1", "a", 101, 701));  // a renewal takes no second lock
  EXPECT_EQ(admin.Query(kLeaseSessions).size(), 1);
  state->ReleaseLease("i1", "a");
  EXPECT_EQ(admin.Query(kLeaseSessions).size(), 0);
}

}  // namespace
}  // namespace cairn::server
