#include "vdc/sim/ctmc.hpp"

#include <Eigen/Dense>
#include <Eigen/SparseCore>
#include <Eigen/SparseLU>

#include <cassert>
#include <memory>
#include <stdexcept>

namespace vdc::sim {

namespace {

/// Chains up to this size are solved densely (a partial-pivoting LU whose pivots show a
/// singular system); larger ones, always sparse here (a few transitions per state), by a
/// sparse LU, whose cost follows the transitions rather than the cube of the states.
constexpr std::size_t kDenseStates = 64;

[[noreturn]] void not_unique() { throw std::domain_error("CTMC has no unique stationary distribution"); }

}  // namespace

struct CtmcWorkspace::Impl {
  Eigen::SparseLU<Eigen::SparseMatrix<double>> lu;
  std::vector<int> outer, inner;  // the pattern the analysis was made for
  bool analysed = false;
  std::size_t reused = 0;
};

CtmcWorkspace::CtmcWorkspace() : impl_(std::make_unique<Impl>()) {}
CtmcWorkspace::~CtmcWorkspace() = default;
std::size_t CtmcWorkspace::reused() const { return impl_->reused; }

Ctmc::Ctmc(std::size_t states) : n_(states) {}

void Ctmc::add_rate(std::size_t from, std::size_t to, double rate) {
  assert(from < n_ && to < n_ && rate >= 0.0);
  if (from != to && rate > 0.0) rates_.push_back({from, to, rate});
}

double Ctmc::rate(std::size_t from, std::size_t to) const {
  double sum = 0.0;
  for (const Rate& r : rates_) {
    if (r.from == from && r.to == to) sum += r.rate;
  }
  return sum;
}

std::vector<double> Ctmc::stationary(CtmcWorkspace* workspace) const {
  if (n_ == 0) return {};
  if (n_ == 1) return {1.0};
  // pi Q = 0 is Q^T pi^T = 0: row i of A holds the balance of state i (inflow minus
  // outflow); the last row is replaced by sum pi = 1, which makes A regular exactly when
  // the stationary distribution is unique.
  const auto n = static_cast<Eigen::Index>(n_);
  Eigen::VectorXd b = Eigen::VectorXd::Zero(n);
  b(n - 1) = 1.0;
  Eigen::VectorXd pi;
  if (n_ <= kDenseStates) {
    Eigen::MatrixXd a = Eigen::MatrixXd::Zero(n, n);
    for (const Rate& r : rates_) {
      const auto from = static_cast<Eigen::Index>(r.from), to = static_cast<Eigen::Index>(r.to);
      a(to, from) += r.rate;
      a(from, from) -= r.rate;
    }
    a.row(n - 1).setOnes();
    // Partial pivoting: A is regular exactly when the distribution is unique; a singular A
    // shows as a (numerically) zero pivot.
    const Eigen::PartialPivLU<Eigen::MatrixXd> lu(a);
    const Eigen::VectorXd pivots = lu.matrixLU().diagonal().cwiseAbs();
    pi = lu.solve(b);
    if (!(pivots.minCoeff() > 1e-12 * pivots.maxCoeff())) not_unique();
  } else {
    std::vector<Eigen::Triplet<double>> entries;
    entries.reserve(2 * rates_.size() + n_);
    for (const Rate& r : rates_) {
      const auto from = static_cast<Eigen::Index>(r.from), to = static_cast<Eigen::Index>(r.to);
      if (to != n - 1) entries.emplace_back(to, from, r.rate);
      if (from != n - 1) entries.emplace_back(from, from, -r.rate);
    }
    for (Eigen::Index i = 0; i < n; ++i) entries.emplace_back(n - 1, i, 1.0);
    Eigen::SparseMatrix<double> a(n, n);
    a.setFromTriplets(entries.begin(), entries.end());  // duplicates are summed
    a.makeCompressed();
    Eigen::SparseLU<Eigen::SparseMatrix<double>> own;
    Eigen::SparseLU<Eigen::SparseMatrix<double>>& lu = workspace != nullptr ? workspace->impl_->lu : own;
    const std::vector<int> outer(a.outerIndexPtr(), a.outerIndexPtr() + n + 1);
    const std::vector<int> inner(a.innerIndexPtr(), a.innerIndexPtr() + a.nonZeros());
    if (workspace != nullptr && workspace->impl_->analysed && workspace->impl_->outer == outer &&
        workspace->impl_->inner == inner) {
      ++workspace->impl_->reused;
    } else {
      lu.analyzePattern(a);
      if (workspace != nullptr) {
        workspace->impl_->outer = outer;
        workspace->impl_->inner = inner;
        workspace->impl_->analysed = true;
      }
    }
    lu.factorize(a);
    if (lu.info() != Eigen::Success) not_unique();
    pi = lu.solve(b);
    // A numerically singular system solves to garbage: hold the answer to its equations.
    if (lu.info() != Eigen::Success || (a * pi - b).cwiseAbs().maxCoeff() > 1e-9) not_unique();
  }
  if (!pi.allFinite()) not_unique();
  std::vector<double> out(n_);
  for (Eigen::Index i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = pi(i) < 0.0 ? 0.0 : pi(i);
  return out;
}

}  // namespace vdc::sim
