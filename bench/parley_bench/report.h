#pragma once
// JSON forms shared by the workers (which send raw histograms to the coordinator) and the
// coordinator (which prints percentiles).
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "parley_bench/histogram.h"

namespace parley::bench {

// Lossless: bucket counts plus exact count, min, max and sum.
boost::json::object histogramToJson(const Histogram& histogram);
bool histogramFromJson(const boost::json::value& json, Histogram* out);

// Like boost::json::serialize, but doubles in plain decimal ("0.012", "5000") rather than
// Boost's exponent form, so result files stay readable.
std::string toJsonText(const boost::json::value& value);

// {"count", "mean", "p50", "p90", "p99", "p99_9", "max"} in milliseconds (nanosecond input).
boost::json::object latencySummaryMs(const Histogram& histogram);

}  // namespace parley::bench
