# Every target does its own set-up: a fresh clone needs nothing but python3 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXTRAS := test,interop
DEMO_MODEL := examples/demo_lif.nir

.PHONY: install demo test test-tools warm-tools bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	touch $@

# The first YoWASP run compiles WebAssembly (40-80 s); later runs start in 0.2 s.
warm-tools: install
	$(BIN)/sc-neurocore doctor --warm

demo: warm-tools
	$(BIN)/sc-neurocore deploy $(DEMO_MODEL) --target ice40 --device up5k -o build/demo --force

# Icarus Verilog for co-simulation, Chromium for the HTML report test and IceStorm's icepll (Debian
# fpga-icestorm, also iceprog) for the PLL test: apt-get what is missing when root, else a clear message.
test-tools:
	@missing=""; \
	command -v iverilog >/dev/null 2>&1 || missing="$$missing iverilog"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v icepll >/dev/null 2>&1 || missing="$$missing fpga-icestorm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null; \
	  else \
	    echo "missing:$$missing; install it (Debian: sudo apt-get install$$missing) and re-run make test" >&2; exit 1; \
	  fi; \
	fi

# Layering first (contracts in pyproject.toml, [tool.importlinter]): a stage importing upward fails fast.
test: warm-tools test-tools
	$(BIN)/lint-imports --no-logo
	$(BIN)/python -m pytest -q

bench: install test-tools
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf build .pytest_cache
