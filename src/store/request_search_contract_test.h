#pragma once
// What the contract suites of friend requests, group invitations and group join requests check
// alike of search() and count(): statuses compared as effectiveStatus reads them, ids, date
// ranges, newest first, pages, whole records.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "store/request_record.h"

namespace parley::contract {

// pending(id, creation_date) makes a PENDING request of the kind under test (each of another
// user); insert(record) stores it.
template <typename Search, typename Repository, typename Pending, typename Insert>
void expectSearchReadsStatusesDatesAndPages(Repository& requests, Pending&& pending,
                                            Insert&& insert, int64_t t0) {
  const auto ids_of = [](const auto& found) {
    EXPECT_TRUE(found.ok()) << found.status().reason;
    std::vector<int64_t> ids;
    if (found.ok()) {
      for (const auto& record : found.value()) ids.push_back(record.id);
    }
    return ids;
  };
  insert(pending(1, t0));       // pending, but expired at t0 + 5
  insert(pending(2, t0 + 10));  // pending
  auto declined = pending(3, t0 + 1);
  declined.status = RequestStatus::kDeclined;
  declined.response_date = t0 + 20;
  insert(declined);
  auto expired = pending(4, t0 + 2);
  expired.status = RequestStatus::kExpired;
  insert(expired);

  const Search everything;
  EXPECT_EQ(ids_of(requests.search(everything, 0, 10)), (std::vector<int64_t>{2, 4, 3, 1}));
  EXPECT_EQ(ids_of(requests.search(everything, 1, 2)), (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(requests.count(everything).value(), 4);
  auto last = requests.search(everything, 3, 1);
  ASSERT_TRUE(last.ok()) << last.status().reason;
  ASSERT_EQ(last->size(), 1u);
  EXPECT_EQ(last->front(), pending(1, t0));

  Search by_id;
  by_id.ids = {1, 4, 404};
  EXPECT_EQ(ids_of(requests.search(by_id, 0, 10)), (std::vector<int64_t>{4, 1}));

  Search search;
  search.expired_before = t0 + 5;
  search.statuses = {RequestStatus::kPending};
  EXPECT_EQ(ids_of(requests.search(search, 0, 10)), std::vector<int64_t>{2});
  search.statuses = {RequestStatus::kExpired};
  EXPECT_EQ(ids_of(requests.search(search, 0, 10)), (std::vector<int64_t>{4, 1}));
  EXPECT_EQ(requests.count(search).value(), 2);
  search.statuses = {RequestStatus::kDeclined, RequestStatus::kPending};
  EXPECT_EQ(ids_of(requests.search(search, 0, 10)), (std::vector<int64_t>{2, 3}));
  // Without expiry a pending request stays pending.
  search.expired_before = 0;
  search.statuses = {RequestStatus::kPending};
  EXPECT_EQ(ids_of(requests.search(search, 0, 10)), (std::vector<int64_t>{2, 1}));

  // Dates: start inclusive, end exclusive; a request without a response date has none to match.
  Search dates;
  dates.creation_date = {t0 + 1, t0 + 10};
  EXPECT_EQ(ids_of(requests.search(dates, 0, 10)), (std::vector<int64_t>{4, 3}));
  Search responded;
  responded.response_date.start = t0;
  EXPECT_EQ(ids_of(requests.search(responded, 0, 10)), std::vector<int64_t>{3});
}

}  // namespace parley::contract
