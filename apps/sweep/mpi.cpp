// Runs spread over MPI ranks (built when CMake finds MPI): run i goes to rank i mod size,
// each rank makes its share on its threads, rank 0 gathers every result. Interrupted, each
// rank drops the run under way and gives what it finished: rank 0 gathers those.

#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <numeric>

#include "vdc/sweep/sweep.hpp"

namespace vdc::sweep {

bool mpi_built() { return true; }

bool under_mpi() {
  // What OpenMPI's mpirun, and the PMI launchers of other MPIs, set for each rank.
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

MpiSession::MpiSession() {
  MPI_Init(nullptr, nullptr);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() { MPI_Finalize(); }

void MpiSession::abort(int status) const {
  MPI_Abort(MPI_COMM_WORLD, status);
  std::exit(status);
}

void MpiSession::leave(int status) const {
  // mpirun ends the whole job when one rank exits: the others wait here until rank 0 has
  // written the files.
  MPI_Barrier(MPI_COMM_WORLD);
  std::fflush(nullptr);
  std::_Exit(status);
}

Results MpiSession::execute(const Plan& plan, const Execution& how) const {
  const std::size_t total = plan.runs();
  const auto size = static_cast<std::size_t>(size_);
  const auto mine = [&](int rank) {
    std::vector<std::size_t> out;
    for (std::size_t i = static_cast<std::size_t>(rank); i < total; i += size) out.push_back(i);
    return out;
  };
  const std::vector<std::size_t> indices = mine(rank_);
  Results local;
  if (!indices.empty()) local = sweep::execute(plan, how, indices);

  // Per run of this rank: a done flag then its metric values.
  const std::size_t width = plan.metrics.size() + 1;
  std::vector<double> send;
  std::vector<std::uint64_t> lengths;
  std::string text;
  for (std::size_t i : indices) {
    const bool done = local.done[i];
    send.push_back(done ? 1.0 : 0.0);
    for (std::size_t m = 0; m < plan.metrics.size(); ++m) send.push_back(done ? local.values[i][m] : 0.0);
    if (how.keep_reports) {
      lengths.push_back(local.reports[i].size());
      text += local.reports[i];
    }
  }
  std::vector<int> counts(size), offsets(size), text_counts(size), text_offsets(size);
  const int my_count = static_cast<int>(send.size());
  const int my_text = static_cast<int>(text.size());
  MPI_Gather(&my_count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Gather(&my_text, 1, MPI_INT, text_counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::exclusive_scan(counts.begin(), counts.end(), offsets.begin(), 0);
  std::exclusive_scan(text_counts.begin(), text_counts.end(), text_offsets.begin(), 0);
  std::vector<double> values(rank_ == 0 ? static_cast<std::size_t>(offsets.back() + counts.back()) : 0);
  MPI_Gatherv(send.data(), my_count, MPI_DOUBLE, values.data(), counts.data(), offsets.data(), MPI_DOUBLE, 0,
              MPI_COMM_WORLD);
  std::vector<std::uint64_t> all_lengths;
  std::string all_text;
  if (how.keep_reports) {
    std::vector<int> length_counts(size), length_offsets(size);
    for (std::size_t r = 0; r < size; ++r) length_counts[r] = static_cast<int>(mine(static_cast<int>(r)).size());
    std::exclusive_scan(length_counts.begin(), length_counts.end(), length_offsets.begin(), 0);
    all_lengths.resize(rank_ == 0 ? total : 0);
    MPI_Gatherv(lengths.data(), static_cast<int>(lengths.size()), MPI_UINT64_T, all_lengths.data(),
                length_counts.data(), length_offsets.data(), MPI_UINT64_T, 0, MPI_COMM_WORLD);
    all_text.resize(rank_ == 0 ? static_cast<std::size_t>(text_offsets.back() + text_counts.back()) : 0);
    MPI_Gatherv(text.data(), my_text, MPI_CHAR, all_text.data(), text_counts.data(), text_offsets.data(), MPI_CHAR, 0,
                MPI_COMM_WORLD);
  }
  // Interrupted anywhere (mpirun passes a Ctrl-C on to every rank as SIGTERM): every rank
  // learns it, so that all of them end with the same status.
  const int partial_here = local.partial ? 1 : 0;
  int partial_any = 0;
  MPI_Allreduce(&partial_here, &partial_any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (rank_ != 0) {
    Results none;
    none.partial = partial_any != 0;
    return none;
  }

  Results r;
  r.values.assign(total, {});
  r.done.assign(total, false);
  if (how.keep_reports) r.reports.assign(total, {});
  std::size_t text_at = 0;
  std::size_t length_at = 0;
  for (std::size_t rank = 0; rank < size; ++rank) {
    std::size_t at = static_cast<std::size_t>(offsets[rank]);
    for (std::size_t i : mine(static_cast<int>(rank))) {
      r.done[i] = values[at] != 0.0;
      r.values[i].assign(values.begin() + static_cast<std::ptrdiff_t>(at + 1),
                         values.begin() + static_cast<std::ptrdiff_t>(at + width));
      if (!r.done[i]) r.values[i].clear();
      at += width;
      if (how.keep_reports) {
        const std::size_t n = all_lengths[length_at++];  // gathered in the same rank order
        r.reports[i] = all_text.substr(text_at, n);
        text_at += n;
      }
    }
  }
  r.partial = std::any_of(r.done.begin(), r.done.end(), [](bool d) { return !d; });
  return r;
}

}  // namespace vdc::sweep
