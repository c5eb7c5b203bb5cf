#pragma once
// The behaviour every Store's sharedSetting must have: the first value stored under a name is the
// one every caller gets, across reopening and from concurrent callers (nodes starting at once).
// Instantiated per implementation like the repository suites (store/store_test_env.h).
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store/store_test_env.h"

namespace parley::contract {

class SharedSettingContractTest : public StoreContractTest {
 protected:
  std::string setting(std::string_view name, std::string_view value_if_absent) {
    Result<std::string> value = store_->sharedSetting(name, value_if_absent);
    EXPECT_TRUE(value.ok()) << value.status().reason;
    return value.ok() ? value.value() : "";
  }
};

TEST_P(SharedSettingContractTest, TheFirstValueStays) {
  EXPECT_EQ(setting("secret", "first"), "first");
  EXPECT_EQ(setting("secret", "second"), "first");
  EXPECT_EQ(setting("other", "own value"), "own value");
  EXPECT_EQ(setting("secret", ""), "first");
}

TEST_P(SharedSettingContractTest, KeepsItsValueAcrossReopening) {
  EXPECT_EQ(setting("secret", std::string(64, 'a')), std::string(64, 'a'));
  reopen();
  EXPECT_EQ(setting("secret", std::string(64, 'b')), std::string(64, 'a'));
}

TEST_P(SharedSettingContractTest, ConcurrentCallersAllGetOneValue) {
  constexpr int kCallers = 6;
  std::vector<std::string> answers(kCallers);
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      Result<std::string> value = store_->sharedSetting("race", "caller " + std::to_string(i));
      answers[i] = value.ok() ? value.value() : "failed: " + value.status().reason;
    });
  }
  for (std::thread& caller : callers) caller.join();
  EXPECT_TRUE(answers[0].starts_with("caller ")) << answers[0];
  for (const std::string& answer : answers) EXPECT_EQ(answer, answers[0]);
}

}  // namespace parley::contract
