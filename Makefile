# SPDX-License-Identifier: MIT
# make run   - install missing packages, build, open the studio on the demo model
#              (trained once and cached; FILE=path opens that file instead)
# make test  - install missing packages, build, run every test through CTest
# PRESET=dev|release|asan picks the CMake preset (default release).
PRESET ?= release
JOBS ?= $(shell nproc)
BUILD_DIR := build/$(PRESET)
# The demo classifier is trained once (deterministic, about a minute) and cached in the build.
DEMO_MODEL := $(BUILD_DIR)/demo/fashion-mnist-mlp.h5
# The demo opens with its test set (Debian package dataset-fashion-mnist) in the evaluation panel.
FASHION_MNIST := /usr/share/datasets/fashion-mnist
DEMO_DATASET := --images $(FASHION_MNIST)/t10k-images-idx3-ubyte.gz \
                --labels $(FASHION_MNIST)/t10k-labels-idx1-ubyte.gz

.PHONY: all deps configure build demo run test format clean

all: build

deps:
	@bash packaging/install-deps.sh

configure: deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	@mkdir -p $(dir $(DEMO_MODEL))
	@test -f $(DEMO_MODEL) || $(BUILD_DIR)/app/bitlens-cli train-demo $(DEMO_MODEL)

run: build $(if $(FILE),,demo)
	$(BUILD_DIR)/app/bitlens $(or $(FILE),$(DEMO_DATASET) $(DEMO_MODEL))

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

format:
	@git ls-files '*.cpp' '*.h' '*.comp' '*.glsl' | xargs clang-format -i

clean:
	rm -rf build
