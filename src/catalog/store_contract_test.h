#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "catalog/model.h"
#include "catalog/store.h"

// The contract every Store backend keeps. A backend's test file instantiates
// the suite with a factory that returns a new, empty store per test:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest,
//                            ::testing::Values(StoreFactory([] { return ...; })));
namespace cairn::catalog::testing {

using StoreFactory = std::function<std::unique_ptr<Store>()>;

class StoreContractTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override { store_ = GetParam()(); }

  std::unique_ptr<Store> store_;
};

// A small dbt project for service "shop": four tables (one named with a dot),
// models, a source, tests with columns, an exposure, table- and column-level
// lineage, a docs block and two invocations. Backends reuse it in their own
// tests.
ServiceSnapshot ShopSnapshot();

// ShopSnapshot after a second ingestion: table daily.revenue and its model
// removed, the description of customers.email changed, table payments added.
ServiceSnapshot ChangedShopSnapshot();

// Another service, which applies of "shop" must leave alone.
ServiceSnapshot CrmSnapshot();

}  // namespace cairn::catalog::testing
