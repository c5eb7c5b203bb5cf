#pragma once
// Private to src/net: a buffer sequence over buffers the caller keeps alive until the write
// completes, so that asio::async_write does not copy a std::vector of buffers per write.
#include <boost/asio/buffer.hpp>
#include <vector>

namespace parley::net {

struct ConstBufferRange {
  using value_type = boost::asio::const_buffer;
  using const_iterator = const boost::asio::const_buffer*;

  explicit ConstBufferRange(const std::vector<boost::asio::const_buffer>& buffers)
      : first(buffers.data()), last(buffers.data() + buffers.size()) {}
  const_iterator begin() const { return first; }
  const_iterator end() const { return last; }

  const_iterator first;
  const_iterator last;
};

}  // namespace parley::net
