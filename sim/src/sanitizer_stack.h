// Keeps AddressSanitizer's idea of the calling thread's stack right across SystemC runs.
#pragma once

namespace mpsim::sim {

// libsystemc 2.3.4 tells AddressSanitizer about each switch between its coroutines, but it
// announces the switch back to the main coroutine with an empty stack range (the main
// coroutine has no stack of its own). From then on the sanitizer believes the thread's stack
// is [0, 0): it stops clearing the frames an exception unwinds and later reports its own
// bookkeeping as stack-use-after-scope. Called on the thread's own stack after sc_start()
// returns, this announces the thread's real stack again. Does nothing without AddressSanitizer.
void restore_sanitizer_stack_bounds();

}  // namespace mpsim::sim
