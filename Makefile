# Thin wrapper around Meson + ninja. The two commands a newcomer needs:
#   make demo   - build and run the main job
#   make test   - every test (plain, ASan+UBSan, fuzz smoke); last line "N passed, N failed"
BUILD ?= build
PY ?= /usr/bin/python3

.PHONY: all deps build-deps build demo docs test fuzz bench clean

all: build

deps:
	@scripts/install-deps

build-deps:
	@scripts/install-deps --build-only

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build: build-deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	@scripts/demo $(BUILD)/src/cli/smbdiag

# doc/findings.md is generated from the finding catalog; a unit test fails
# when the committed file differs.
docs: build
	$(BUILD)/src/cli/smbdiag explain --catalog-markdown > doc/findings.md

test: deps
	$(PY) tests/run_all.py

fuzz: build-deps
	$(PY) tests/run_all.py --skip plain --skip asan --fuzz-seconds $${FUZZ_SECONDS:-60}

bench: build deps
	@for b in bench/*.sh; do [ -x "$$b" ] && "$$b" $(BUILD)/src/cli/smbdiag; done; true

clean:
	rm -rf build build-asan build-fuzz
