# The two commands (README.md): `make run` and `make test`. Each installs the
# Debian packages that are missing, configures and builds (CMake, Release),
# then runs the daemon or every test.

SHELL := /bin/bash
BUILD_DIR ?= build
ASAN_BUILD_DIR ?= build-asan
TSAN_BUILD_DIR ?= build-tsan
FUZZ_BUILD_DIR ?= build-fuzz
# Seconds each fuzz target runs in `make fuzz` (docs/testing.md), and in CI.
FUZZ_SECONDS ?= 60
CI_FUZZ_SECONDS ?= 15
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
# CI builds with warnings as errors and adds the sanitizer runs (ASan+UBSan
# over every test, TSan over the concurrency tests), a short fuzz run and
# the Debian package's install test (tests/deploy/).
ifeq ($(CI),true)
CMAKE_FLAGS += -DXIAOER_WERROR=ON -DXIAOER_PACKAGE_TEST=ON
endif
# ccache: paths under the checkout are hashed relative to it, so a fresh
# clone (CI) reuses what an earlier build compiled.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := true

PACKAGES := cmake make g++ pkg-config ccache \
	libboost1.81-dev libre2-dev nlohmann-json3-dev libsimdjson-dev libspdlog-dev \
	libyaml-cpp-dev libopencc-dev libgtest-dev libgmock-dev libbenchmark-dev libssl-dev
# The Redis store (issue 12, docs/operations.md): hiredis, and the server its
# tests start on a loopback port (on a systemd host the package also starts
# one on 6379; the tests never use it).
PACKAGES += libhiredis-dev redis-server
# The daemon's allocator (CMakeLists.txt: xiaoer_allocator).
PACKAGES += libjemalloc-dev
# The console's browser test (docs/console.md): Debian's chromium, a CJK
# font (without one Chinese is drawn as empty boxes) and node; playwright-core
# comes from npm, pinned in tests/console/package-lock.json.
CONSOLE_PACKAGES := chromium fonts-wqy-microhei nodejs
# Only `make fuzz` needs these: clang and its libFuzzer/sanitizer runtimes.
FUZZ_PACKAGES := clang libclang-rt-14-dev
# `make deb` and the package's install test (tests/deploy/): dpkg-shlibdeps,
# lintian, systemd-analyze, and fakeroot, file, binutils for the package
# build. promtool (the alert rules' test) comes from Debian's prometheus
# package, unpacked into $(BUILD_DIR)/tools: installing that package would
# also install, and on a systemd host start, a Prometheus server. CI gets
# both, so these tests run in `make test` (docs/testing.md).
DEB_PACKAGES := dpkg-dev lintian fakeroot file binutils systemd
PROMTOOL := $(BUILD_DIR)/tools/promtool
ifeq ($(CI),true)
PACKAGES += $(DEB_PACKAGES)
CI_TOOLS := $(PROMTOOL)
endif

.PHONY: all deps deps-console deps-fuzz deps-deb deb promtool build build-asan build-tsan test test-asan test-tsan fuzz run check clean

all: build

# Installs only what is missing, so a prepared machine never touches apt.
define install_missing
	@missing=""; \
	for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install_missing,$(PACKAGES))

deps-fuzz: deps
	$(call install_missing,$(FUZZ_PACKAGES))

deps-deb: deps
	$(call install_missing,$(DEB_PACKAGES))

promtool: $(PROMTOOL)
$(PROMTOOL):
	@mkdir -p $(@D)/prometheus-deb
	cd $(@D)/prometheus-deb && { apt-get download prometheus || { apt-get update -qq && apt-get download prometheus; }; }
	dpkg-deb --fsys-tarfile $(@D)/prometheus-deb/prometheus_*.deb | tar -xO ./usr/bin/promtool >$@.tmp
	chmod 755 $@.tmp && mv $@.tmp $@ && rm -rf $(@D)/prometheus-deb

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j $(JOBS)

# -O1 -g1: line numbers for the reports, and about half the compile time
# of -O2 -g on Beast's templates (CI's budget).
build-asan: deps
	cmake -S . -B $(ASAN_BUILD_DIR) -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g1" -DXIAOER_SANITIZE=ON \
	  -DXIAOER_BENCHMARKS=OFF $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD_DIR) -j $(JOBS)

build-tsan: deps
	cmake -S . -B $(TSAN_BUILD_DIR) -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g1" -DXIAOER_TSAN=ON $(CMAKE_FLAGS)
	cmake --build $(TSAN_BUILD_DIR) -j $(JOBS)

# playwright-core as the lock file pins it (again when the lock file changes).
deps-console:
	$(call install_missing,$(CONSOLE_PACKAGES))
	@if [ ! -f tests/console/node_modules/.package-lock.json ] || \
	    [ tests/console/package-lock.json -nt tests/console/node_modules/.package-lock.json ]; then \
	  cd tests/console && npm ci --no-audit --no-fund; \
	fi

test: build deps-console $(CI_TOOLS)
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)
ifeq ($(CI),true)
	$(MAKE) test-asan
	$(MAKE) test-tsan
	$(MAKE) fuzz FUZZ_SECONDS=$(CI_FUZZ_SECONDS)
endif

test-asan: build-asan
	ctest --test-dir $(ASAN_BUILD_DIR) --output-on-failure -j $(JOBS)

test-tsan: build-tsan
	ctest --test-dir $(TSAN_BUILD_DIR) --output-on-failure -j $(JOBS)

# Builds the libFuzzer targets (clang, ASan+UBSan) in $(FUZZ_BUILD_DIR) and
# runs each for FUZZ_SECONDS; fails on any crash (docs/testing.md).
fuzz: deps-fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_BUILD_DIR=$(FUZZ_BUILD_DIR) FUZZ_JOBS=$(JOBS) bash fuzz/run.sh

# The Debian package from the Release tree (CPack, no second build):
# $(BUILD_DIR)/xiaoerd_<version>_<arch>.deb (docs/operations.md).
deb: deps-deb build
	cd $(BUILD_DIR) && cpack -G DEB

# Checks config/xiaoerd.yaml, then lints the intents and shop facts it names
# and runs their examples.
check: build
	$(BUILD_DIR)/xiaoerd check --config config/xiaoerd.yaml

# state/xiaoerd.pid: the daemon's own pid (the shell execs it), for
# `kill -HUP "$$(cat state/xiaoerd.pid)"` (README).
run: build
	@mkdir -p state && echo $$$$ > state/xiaoerd.pid && exec $(BUILD_DIR)/xiaoerd serve --config config/xiaoerd.yaml

clean:
	rm -rf $(BUILD_DIR) $(ASAN_BUILD_DIR) $(TSAN_BUILD_DIR) $(FUZZ_BUILD_DIR)

# The performance figures of docs/benchmarks.md (bench/run.sh; about 5
# minutes; run it on a quiet machine).
.PHONY: bench
bench: build
	BUILD_DIR=$(BUILD_DIR) bash bench/run.sh
