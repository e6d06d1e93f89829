# SPDX-License-Identifier: MIT
# make run   - install missing packages, build, open the studio (FILE=path opens that file)
# make test  - install missing packages, build, run every test through CTest
# PRESET=dev|release|asan picks the CMake preset (default release).
PRESET ?= release
JOBS ?= $(shell nproc)
BUILD_DIR := build/$(PRESET)

.PHONY: all deps configure build run test cli format clean

all: build

deps:
	@bash packaging/install-deps.sh

configure: deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/app/bitlens $(FILE)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

format:
	@git ls-files '*.cpp' '*.h' '*.comp' '*.glsl' | xargs clang-format -i

clean:
	rm -rf build
