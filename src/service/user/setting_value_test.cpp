#include "service/user/setting_value.h"

#include <gtest/gtest.h>

#include <string>

namespace parley {
namespace {

namespace pb = im::turms::proto;

pb::Value int32Of(int32_t v) {
  pb::Value value;
  value.set_int32_value(v);
  return value;
}
pb::Value int64Of(int64_t v) {
  pb::Value value;
  value.set_int64_value(v);
  return value;
}
pb::Value textOf(const std::string& v) {
  pb::Value value;
  value.set_string_value(v);
  return value;
}
pb::Value boolOf(bool v) {
  pb::Value value;
  value.set_bool_value(v);
  return value;
}
pb::Value doubleOf(double v) {
  pb::Value value;
  value.set_double_value(v);
  return value;
}

// The reason of a refusal, "" when accepted.
std::string refusal(const std::string& spec, const pb::Value& value) {
  Result<pb::Value> checked = checkSettingValue(parseCustomSetting(spec), value);
  if (checked.ok()) return "";
  EXPECT_EQ(checked.status().code, StatusCode::kIllegalArgument);
  return checked.status().reason;
}

pb::Value stored(const std::string& spec, const pb::Value& value) {
  Result<pb::Value> checked = checkSettingValue(parseCustomSetting(spec), value);
  EXPECT_TRUE(checked.ok()) << checked.status().reason;
  return checked.ok() ? checked.value() : pb::Value();
}

TEST(SettingValue, NumbersAreCheckedForTypeAndRange) {
  EXPECT_EQ(stored("pin:int:min=0:max=9999", int32Of(42)).int32_value(), 42);
  EXPECT_EQ(stored("pin:int", int64Of(7)).int32_value(), 7);     // an int64 that fits
  EXPECT_EQ(stored("pin:int", textOf("12")).int32_value(), 12);  // text, as upstream
  EXPECT_EQ(stored("big:long", int32Of(3)).int64_value(), 3);
  EXPECT_EQ(stored("ratio:double", int32Of(2)).double_value(), 2.0);
  EXPECT_NE(refusal("pin:int:min=0:max=9999", int32Of(10000)).find("must be in [0, 9999]"),
            std::string::npos);
  EXPECT_NE(refusal("pin:int", int64Of(int64_t{1} << 40)).find("pin"), std::string::npos);
  EXPECT_NE(refusal("pin:int", textOf("twelve")).find("must be an int32"), std::string::npos);
  EXPECT_NE(refusal("pin:int", boolOf(true)).find("must be an int32"), std::string::npos);
  EXPECT_NE(refusal("ratio:double:max=1", doubleOf(1.5)).find("must be in"), std::string::npos);
}

TEST(SettingValue, BoolsAcceptTrueAndFalseText) {
  EXPECT_TRUE(stored("muted:bool", boolOf(true)).bool_value());
  EXPECT_FALSE(stored("muted:bool", textOf("FALSE")).bool_value());
  EXPECT_NE(refusal("muted:bool", int32Of(1)).find("must be a bool"), std::string::npos);
}

TEST(SettingValue, StringsHaveLengthsAndAllowedValues) {
  EXPECT_EQ(stored("nick:string", int32Of(5)).string_value(), "5");  // as upstream
  EXPECT_EQ(stored("nick:string:max-length=3", textOf("añé")).string_value(), "añé");  // chars
  EXPECT_NE(refusal("nick:string:max-length=3", textOf("abcd")).find("length"), std::string::npos);
  EXPECT_EQ(stored("theme:string:one-of=light|dark", textOf("dark")).string_value(), "dark");
  EXPECT_NE(refusal("theme:string:one-of=light|dark", textOf("blue")).find("light, dark"),
            std::string::npos);
  EXPECT_EQ(stored("lang:language", textOf("en")).string_value(), "en");
  EXPECT_NE(refusal("lang:language", textOf("English")).find("language"), std::string::npos);
}

TEST(SettingValue, ArraysHaveCountsUniquenessAndTypedElements) {
  pb::Value tags;
  for (const char* tag : {"a", "b"}) *tags.add_list_value() = textOf(tag);
  EXPECT_EQ(stored("tags:string[]", tags).list_value_size(), 2);
  EXPECT_NE(refusal("tags:string[]:max-count=1", tags).find("[0, 1] elements"), std::string::npos);
  *tags.add_list_value() = textOf("a");
  EXPECT_NE(refusal("tags:string[]:unique", tags).find("unique"), std::string::npos);
  EXPECT_EQ(refusal("tags:string[]", tags), "");
  EXPECT_NE(refusal("tags:int[]", tags).find("must be an int32"), std::string::npos);
  EXPECT_NE(refusal("tags:string[]", textOf("a")).find("must be an array"), std::string::npos);
  EXPECT_NE(refusal("nick:string", tags).find("must not be an array"), std::string::npos);
}

}  // namespace
}  // namespace parley
