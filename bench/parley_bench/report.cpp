#include "parley_bench/report.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <cstdio>

namespace parley::bench {

namespace json = boost::json;

json::object histogramToJson(const Histogram& histogram) {
  json::array buckets;
  for (const auto& [index, count] : histogram.nonZeroBuckets()) {
    buckets.push_back(json::array{index, count});
  }
  return json::object{{"count", histogram.count()},
                      {"min", histogram.min()},
                      {"max", histogram.max()},
                      {"sum", histogram.sum()},
                      {"buckets", std::move(buckets)}};
}

bool histogramFromJson(const json::value& value, Histogram* out) {
  const auto* object = value.if_object();
  if (object == nullptr) return false;
  const auto* buckets = object->if_contains("buckets");
  if (buckets == nullptr || !buckets->is_array()) return false;
  std::vector<std::pair<uint32_t, uint64_t>> pairs;
  for (const auto& entry : buckets->get_array()) {
    const auto* pair = entry.if_array();
    if (pair == nullptr || pair->size() != 2) return false;
    pairs.emplace_back(static_cast<uint32_t>(pair->at(0).to_number<uint64_t>()),
                       pair->at(1).to_number<uint64_t>());
  }
  return out->restore(pairs, object->at("min").to_number<uint64_t>(),
                      object->at("max").to_number<uint64_t>(),
                      object->at("sum").to_number<uint64_t>());
}

namespace {

void appendJson(const json::value& value, std::string& out) {
  switch (value.kind()) {
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : value.get_object()) {
        if (!first) out += ',';
        first = false;
        out += json::serialize(json::value(key));
        out += ':';
        appendJson(member, out);
      }
      out += '}';
      return;
    }
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& element : value.get_array()) {
        if (!first) out += ',';
        first = false;
        appendJson(element, out);
      }
      out += ']';
      return;
    }
    case json::kind::double_: {
      const double number = value.get_double();
      if (!std::isfinite(number)) {
        out += "null";
        return;
      }
      char text[40];
      std::snprintf(text, sizeof(text), "%.10g", number);
      out += text;
      return;
    }
    default:
      out += json::serialize(value);
      return;
  }
}

}  // namespace

std::string toJsonText(const json::value& value) {
  std::string out;
  appendJson(value, out);
  return out;
}

json::object latencySummaryMs(const Histogram& histogram) {
  auto ms = [](double nanos) { return std::round(nanos / 1e3) / 1e3; };
  return json::object{
      {"count", histogram.count()},
      {"mean", ms(histogram.mean())},
      {"p50", ms(static_cast<double>(histogram.percentile(50)))},
      {"p90", ms(static_cast<double>(histogram.percentile(90)))},
      {"p99", ms(static_cast<double>(histogram.percentile(99)))},
      {"p99_9", ms(static_cast<double>(histogram.percentile(99.9)))},
      {"max", ms(static_cast<double>(histogram.max()))},
  };
}

}  // namespace parley::bench
