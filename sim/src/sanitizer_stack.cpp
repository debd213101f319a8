#include "sim/src/sanitizer_stack.h"

#if defined(__SANITIZE_ADDRESS__)
#define MPSIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MPSIM_ASAN 1
#endif
#endif

#ifdef MPSIM_ASAN
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>

#include <cstddef>
#endif

namespace mpsim::sim {

void restore_sanitizer_stack_bounds() {
#ifdef MPSIM_ASAN
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* bottom = nullptr;
  std::size_t size = 0;
  const bool known = pthread_attr_getstack(&attr, &bottom, &size) == 0;
  pthread_attr_destroy(&attr);
  if (!known) return;
  // A "switch" to the stack we are already on: start announces the range, finish makes it the
  // thread's current one. No fake stack is saved (detect_stack_use_after_return stays off).
  __sanitizer_start_switch_fiber(nullptr, bottom, size);
  __sanitizer_finish_switch_fiber(nullptr, nullptr, nullptr);
#endif
}

}  // namespace mpsim::sim
