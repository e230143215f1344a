# Thin wrapper over CMake: `make run` and `make test` are the two commands.
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS ?= $(shell nproc)
# Tests run side by side: most of their time is spent waiting on servers and child processes.
TEST_JOBS ?= $(shell echo $$(( $(JOBS) * 2 )))
PORT ?= 8000
DATA ?= ./data

.PHONY: all deps test-deps build run test test-all test-release test-asan test-fuzz asan fuzz-build fuzz bench format format-check clean

all: build

deps:
	@./scripts/install-deps.sh

test-deps: deps
	@./scripts/install-test-deps.sh

$(BUILD_DIR)/build.ninja $(BUILD_DIR)/Makefile:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD_DIR)/Makefile
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/millrace serve --port $(PORT) --data $(DATA)

asan: deps
	cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DMILLRACE_SANITIZE=ON
	cmake --build $(ASAN_DIR) -j $(JOBS)

test-release: build
	cd $(BUILD_DIR) && ctest -j $(TEST_JOBS) --output-on-failure

test-asan: asan
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=0 ctest -j $(TEST_JOBS) --output-on-failure

# The libFuzzer targets (tests/fuzz), built with clang in their own folder.
fuzz-build: test-deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -DMILLRACE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ_DIR) -j $(JOBS)

# Each fuzz target for FUZZ_SECONDS (60; `make fuzz FUZZ_SECONDS=3600` for a long run).
fuzz: fuzz-build
	./tests/fuzz/run $(FUZZ_DIR) $(FUZZ_SECONDS)

test-fuzz: fuzz-build
	./tests/fuzz/run $(FUZZ_DIR) 30

# Every test, twice: a Release build and an AddressSanitizer + UBSan build; then each fuzz
# target for 30 s. Prints how long it all took, passed or not.
test:
	@start=$$(date +%s); $(MAKE) --no-print-directory test-all; rc=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s, exit code $$rc"; exit $$rc

test-all: test-deps format-check test-release test-asan test-fuzz

bench: build
	./bench/run
	./bench/warm
	./bench/sandbox
	./bench/abuse
	./bench/logs
	./bench/secrets
	./bench/packages
	./bench/routes
	./bench/flows
	WARM_WORKERS=all ./bench/flows
	@if ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then ./bench/cluster; \
	else echo "bench/cluster skipped: PostgreSQL is not installed (make test-deps installs it)"; fi

format:
	clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h' 'bench/*.cc')

format-check:
	@clang-format --dry-run --Werror $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h' 'bench/*.cc') && echo "format: ok"

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
