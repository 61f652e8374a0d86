# Thin wrapper around CMake presets, so the two set-up commands are `make run` and `make test`.
#   make run [SCENARIO=path] [ARGS="..."]   install missing packages, build release, run a scenario
#   make test                               build and run every test, plain and under ASan+UBSan
#                                           (with OpenMPI installed, one sweep under mpirun -np 2)
#   make bench                              build and run the benchmarks in bench/
#   make regen-golden                       rewrite tests/golden/ from the release build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SCENARIO ?=
ARGS ?=
PACKAGES := $(shell grep -v '^\s*\#' tools/debian-packages.txt | grep -v '^\s*$$')

.PHONY: all deps release run test test-ci test-debug bench regen-golden clean

all: release

# Installs only what is missing; needs root (as on CI) when anything is.
deps:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" -ne 0 ]; then echo "missing Debian packages:$$missing (run as root, or install them)"; exit 1; fi; \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

release: deps
	cmake --preset release
	cmake --build --preset release -j $(JOBS)

run: release
	./build/release/apps/vdcsim/vdcsim run $(SCENARIO) $(ARGS)

test: test-ci test-debug

test-ci: deps
	cmake --preset ci
	cmake --build --preset ci -j $(JOBS)
	ctest --preset ci -j $(JOBS)

test-debug: deps
	cmake --preset debug
	cmake --build --preset debug -j $(JOBS)
	ctest --preset debug -j $(JOBS)

bench: deps
	cmake --preset bench
	cmake --build --preset bench -j $(JOBS)
	./build/bench/bench/vdcsim-bench
	bash bench/sweep_speedup.sh ./build/bench/apps/vdcsim/vdcsim

# Rewrites the golden reports of tests/golden/ (see README.md, "Golden reports").
regen-golden: release
	bash tests/golden/golden.sh regen ./build/release/apps/vdcsim/vdcsim

clean:
	rm -rf build
