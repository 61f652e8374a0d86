// How a run split over engines gives back the memory its engines freed, for the allocator
// vdcsim links (apps/vdcsim/CMakeLists.txt).

#include "commands.hpp"
#include "vdc/models/datacenter.hpp"

#if defined(VDC_WITH_MIMALLOC)
#include <mimalloc.h>

#include <mutex>
#endif

namespace vdc::cli {

#if defined(VDC_WITH_MIMALLOC)
namespace {

// mimalloc decommits the pages a thread frees after a delay (25 ms by default), and a
// thread reuses only what it freed itself. The merge, on the main thread, reuses the first
// engine's memory; the other engines' would stay committed through it, for as long as it
// takes, and raise the run's peak by what they held: a sixth of it at 20,000 VMs
// (bench/README.md, "The merge's peak"). So while they end, the delay is 0: set by the
// first run to end its engines, restored by the last (runs may end at once).
std::mutex delay_mutex;
int ending = 0;
long saved_delay = 0;

void decommit_at_once() {
  const std::lock_guard lock(delay_mutex);
  if (ending++ > 0) return;
  saved_delay = mi_option_get(mi_option_decommit_delay);
  mi_option_set(mi_option_decommit_delay, 0);
}
void collect_thread() { mi_collect(true); }
void restore_delay() {
  const std::lock_guard lock(delay_mutex);
  if (--ending == 0) mi_option_set(mi_option_decommit_delay, saved_delay);
}

}  // namespace

void install_memory_release() {
  models::set_memory_release(models::MemoryRelease{&decommit_at_once, &collect_thread, &restore_delay});
}
#else
void install_memory_release() {}  // the library's default suits glibc
#endif

}  // namespace vdc::cli
