#include "vdc/sim/ctmc.hpp"

#include <Eigen/Dense>
#include <cassert>
#include <stdexcept>

namespace vdc::sim {

Ctmc::Ctmc(std::size_t states) : n_(states), q_(states * states, 0.0) {}

void Ctmc::add_rate(std::size_t from, std::size_t to, double rate) {
  assert(from < n_ && to < n_ && rate >= 0.0);
  if (from != to) q_[from * n_ + to] += rate;
}

std::vector<double> Ctmc::stationary() const {
  if (n_ == 0) return {};
  if (n_ == 1) return {1.0};
  // pi Q = 0 is Q^T pi^T = 0: row i of A holds the balance of state i (inflow minus
  // outflow); the last row is replaced by sum pi = 1, which makes A regular exactly when
  // the stationary distribution is unique.
  const auto n = static_cast<Eigen::Index>(n_);
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index from = 0; from < n; ++from) {
    for (Eigen::Index to = 0; to < n; ++to) {
      const double r = q_[static_cast<std::size_t>(from * n + to)];
      a(to, from) += r;
      a(from, from) -= r;
    }
  }
  a.row(n - 1).setOnes();
  Eigen::VectorXd b = Eigen::VectorXd::Zero(n);
  b(n - 1) = 1.0;
  // Partial pivoting: A is regular exactly when the distribution is unique; a singular A
  // shows as a (numerically) zero pivot.
  const Eigen::PartialPivLU<Eigen::MatrixXd> lu(a);
  const Eigen::VectorXd pivots = lu.matrixLU().diagonal().cwiseAbs();
  const Eigen::VectorXd pi = lu.solve(b);
  if (!(pivots.minCoeff() > 1e-12 * pivots.maxCoeff()) || !pi.allFinite()) {
    throw std::domain_error("CTMC has no unique stationary distribution");
  }
  std::vector<double> out(n_);
  for (Eigen::Index i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = pi(i) < 0.0 ? 0.0 : pi(i);
  return out;
}

}  // namespace vdc::sim
