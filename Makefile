# govshare: the two commands a newcomer needs are `make run` and `make test`; both do their own setup.
SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
DATA ?= demo-data
LISTEN ?= 127.0.0.1:8080

.PHONY: all setup build asan run test test-unit test-asan test-web bench format tidy clean web

all: build

setup:
	@bash scripts/setup.sh

build: setup
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

asan: setup
	@# -Werror stays on in the release build; under -fsanitize GCC 12 reports false positives inside Asio's coroutine
	@# frames (mismatched-new-delete), so the sanitizer build shows warnings without failing on them.
	@test -f $(ASAN_BUILD)/CMakeCache.txt || cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DGOVSHARE_SANITIZE=ON \
	  -DGOVSHARE_BUILD_BENCH=OFF -DGOVSHARE_WERROR=OFF -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g"
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target govshare govshare_tests

web:
	@bash scripts/build-web.sh

run: build web
	@test -f $(DATA)/govshare.db || ./$(BUILD)/govshare demo --data $(DATA)
	./$(BUILD)/govshare serve --data $(DATA) --listen $(LISTEN) --web web/dist

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: asan
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

test-web: build
	GOVSHARE_BINARY=$(CURDIR)/$(BUILD)/govshare bash scripts/test-web.sh

# Every test: unit and HTTP integration tests, the same under ASan+UBSan, and the portal (unit, OpenAPI, browser e2e).
test: test-unit test-asan test-web

bench: build
	bash bench/run.sh

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

tidy: build
	run-clang-tidy -p $(BUILD) -quiet 'src/.*\.cpp$$'

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
