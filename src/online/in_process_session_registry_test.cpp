// The in-process registry runs the SessionRegistry contract (session_registry_contract_test.h);
// it has no behaviour of its own beyond it.
#include <memory>
#include <string>

#include "online/session_registry.h"
#include "online/session_registry_contract_test.h"

namespace parley {
namespace {

using contract::SessionRegistryContractParam;
using contract::SessionRegistryContractTest;

class InProcessEnv final : public contract::SessionRegistryTestEnv {
 public:
  // The registry does not know its node: node_id only appears in what the suite registers.
  std::unique_ptr<SessionRegistry> makeRegistry(const std::string&) override {
    return makeInProcessSessionRegistry();
  }
};

INSTANTIATE_TEST_SUITE_P(InProcess, SessionRegistryContractTest,
                         ::testing::Values(SessionRegistryContractParam{
                             "in_process", [] { return std::make_unique<InProcessEnv>(); }}),
                         contract::sessionRegistryContractName);

}  // namespace
}  // namespace parley
