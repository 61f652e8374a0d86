// A build without MPI: sweeps run on threads only.

#include <cstdlib>

#include "vdc/sweep/sweep.hpp"

namespace vdc::sweep {

bool mpi_built() { return false; }
bool under_mpi() { return false; }

MpiSession::MpiSession() = default;
MpiSession::~MpiSession() = default;
void MpiSession::abort(int status) const { std::exit(status); }
void MpiSession::leave(int status) const { std::exit(status); }
Results MpiSession::execute(const Plan& plan, const Execution& how) const { return sweep::execute(plan, how); }

}  // namespace vdc::sweep
