#include "parley_bench/scenario.h"

#include <gtest/gtest.h>

namespace parley::bench {
namespace {

std::string parse(std::vector<std::string> args, Scenario* out) { return parseScenario(args, out); }

TEST(ScenarioParserTest, NameAloneGivesDefaults) {
  Scenario s;
  ASSERT_EQ(parse({"idle"}, &s), "");
  EXPECT_EQ(s.kind, ScenarioKind::kIdle);
  EXPECT_EQ(s.transport, Transport::kWebSocket);
  EXPECT_EQ(s.sessions, 100);
  EXPECT_EQ(s.password, "123");
  EXPECT_EQ(s.rate, 0);
}

TEST(ScenarioParserTest, KeyValueArguments) {
  Scenario s;
  ASSERT_EQ(parse({"private", "sessions=1000", "rate=20k", "duration=500ms", "transport=tcp",
                   "message_bytes=100", "first_user_id=11", "workers=2"},
                  &s),
            "");
  EXPECT_EQ(s.kind, ScenarioKind::kPrivate);
  EXPECT_EQ(s.sessions, 1000);
  EXPECT_DOUBLE_EQ(s.rate, 20000);
  EXPECT_DOUBLE_EQ(s.duration_seconds, 0.5);
  EXPECT_EQ(s.transport, Transport::kTcp);
  EXPECT_EQ(s.message_bytes, 100);
  EXPECT_EQ(s.first_user_id, 11);
  EXPECT_EQ(s.workers, 2);
}

TEST(ScenarioParserTest, InlineFormAndArgumentsCombine) {
  Scenario s;
  ASSERT_EQ(parse({"group:sessions=1k,group_size=1000", "rate=10"}, &s), "");
  EXPECT_EQ(s.kind, ScenarioKind::kGroup);
  EXPECT_EQ(s.sessions, 1000);
  EXPECT_EQ(s.group_size, 1000);
  EXPECT_EQ(s.groupCount(), 1);
  EXPECT_DOUBLE_EQ(s.rate, 10);
}

TEST(ScenarioParserTest, LaterValuesWin) {
  Scenario s;
  ASSERT_EQ(parse({"idle:sessions=5", "sessions=7"}, &s), "");
  EXPECT_EQ(s.sessions, 7);
}

TEST(ScenarioParserTest, FailoverNeedsWhereToLogInAgain) {
  Scenario s;
  EXPECT_NE(parse({"failover", "sessions=10"}, &s).find("failover_port"), std::string::npos);
  ASSERT_EQ(parse({"failover", "sessions=10", "failover_port=10511", "duration=120s"}, &s), "");
  EXPECT_EQ(s.kind, ScenarioKind::kFailover);
  EXPECT_EQ(s.failover_port, 10511);
  EXPECT_STREQ(scenarioName(s.kind), "failover");
  EXPECT_NE(parse({"failover", "failover_port=70000"}, &s).find("failover_port"),
            std::string::npos);
}

TEST(ScenarioParserTest, UnknownScenarioOrKeyIsNamed) {
  Scenario s;
  EXPECT_NE(parse({"chaos"}, &s).find("unknown scenario 'chaos'"), std::string::npos);
  EXPECT_NE(parse({"idle", "sesions=5"}, &s).find("unknown key 'sesions'"), std::string::npos);
  EXPECT_NE(parse({"idle", "sessions"}, &s).find("expected key=value"), std::string::npos);
  EXPECT_NE(parse({}, &s).find("missing scenario"), std::string::npos);
}

TEST(ScenarioParserTest, BadValuesAreNamed) {
  Scenario s;
  EXPECT_NE(parse({"idle", "sessions=0"}, &s).find("sessions"), std::string::npos);
  EXPECT_NE(parse({"idle", "sessions=1.5"}, &s).find("sessions"), std::string::npos);
  EXPECT_NE(parse({"idle", "sessions=abc"}, &s).find("sessions"), std::string::npos);
  EXPECT_NE(parse({"idle", "rate=-1"}, &s).find("rate"), std::string::npos);
  EXPECT_NE(parse({"idle", "duration=ten"}, &s).find("duration"), std::string::npos);
  EXPECT_NE(parse({"idle", "transport=udp"}, &s).find("transport"), std::string::npos);
  EXPECT_NE(parse({"idle", "message_bytes=8"}, &s).find("message_bytes"), std::string::npos);
  EXPECT_NE(parse({"idle", "workers=65"}, &s).find("workers"), std::string::npos);
}

TEST(ScenarioParserTest, CrossFieldRules) {
  Scenario s;
  EXPECT_NE(parse({"group", "sessions=10", "group_size=20"}, &s).find("group_size"),
            std::string::npos);
  EXPECT_NE(parse({"private", "sessions=1"}, &s).find("at least 2"), std::string::npos);
  EXPECT_NE(parse({"idle", "sessions=2", "workers=3"}, &s).find("workers"), std::string::npos);
  EXPECT_NE(parse({"idle", "duration=10s", "max_duration=5s"}, &s).find("max_duration"),
            std::string::npos);
}

TEST(ScenarioParserTest, FailedParseLeavesTheOutputUntouched) {
  Scenario s;
  s.sessions = 42;
  EXPECT_NE(parse({"idle", "sessions=7", "bogus=1"}, &s), "");
  EXPECT_EQ(s.sessions, 42);
}

TEST(ScenarioParserTest, CountsAndDurations) {
  double v = 0;
  EXPECT_TRUE(parseCount("1500", &v));
  EXPECT_DOUBLE_EQ(v, 1500);
  EXPECT_TRUE(parseCount("1.5k", &v));
  EXPECT_DOUBLE_EQ(v, 1500);
  EXPECT_TRUE(parseCount("2M", &v));
  EXPECT_DOUBLE_EQ(v, 2e6);
  EXPECT_FALSE(parseCount("", &v));
  EXPECT_FALSE(parseCount("k", &v));
  EXPECT_FALSE(parseCount("1x", &v));
  EXPECT_TRUE(parseDurationSeconds("10", &v));
  EXPECT_DOUBLE_EQ(v, 10);
  EXPECT_TRUE(parseDurationSeconds("10s", &v));
  EXPECT_DOUBLE_EQ(v, 10);
  EXPECT_TRUE(parseDurationSeconds("250ms", &v));
  EXPECT_DOUBLE_EQ(v, 0.25);
  EXPECT_TRUE(parseDurationSeconds("2min", &v));
  EXPECT_DOUBLE_EQ(v, 120);
  EXPECT_FALSE(parseDurationSeconds("-1s", &v));
  EXPECT_FALSE(parseDurationSeconds("1h", &v));
}

TEST(ScenarioParserTest, WorkersKeepEachProcessBelowTheSocketLimit) {
  Scenario s;
  s.sessions = 100;
  EXPECT_EQ(effectiveWorkers(s), 1);
  s.sessions = 19000;
  EXPECT_EQ(effectiveWorkers(s), 2);
  s.sessions = 100000;
  EXPECT_EQ(effectiveWorkers(s), 7);
  s.workers = 3;
  EXPECT_EQ(effectiveWorkers(s), 3);
}

}  // namespace
}  // namespace parley::bench
