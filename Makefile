# The two set-up commands of the README: `make run` and `make test`.
GO ?= go
BIN := bin/gradcheck

# OPENBLAS is 1 when cgo is enabled and the C compiler can link
# -lopenblas (libopenblas-dev): build and run then use OpenBLAS for the CPU
# backend's products and LU (-tags openblas); otherwise they use the pure-Go
# gonum path, which `go install` always builds. `make OPENBLAS=0 run`
# forces the pure-Go path.
OPENBLAS ?= $(shell [ "$$($(GO) env CGO_ENABLED)" = 1 ] && \
	echo 'int main(void) { return 0; }' | $$($(GO) env CC) -x c - -lopenblas -o /dev/null 2>/dev/null && \
	echo 1 || echo 0)
# STATIC_OPENBLAS links OpenBLAS into the binary. Where libopenblas.a is
# installed (Debian's libopenblas-dev has it), build does so: the binary
# then starts in 13 ms instead of 18 (`gradcheck --version`, perf stat -r
# 40 on the 2-core VM), as the dynamic loader no longer relocates the
# shared library's symbols.
STATIC_OPENBLAS := -Wl,-Bstatic -lopenblas -Wl,-Bdynamic -lm -lpthread
ifeq ($(OPENBLAS),1)
TAGS := -tags openblas
LINALG := OpenBLAS (-tags openblas)
STATIC ?= $(shell echo 'int main(void) { return 0; }' | $$($(GO) env CC) -x c - $(STATIC_OPENBLAS) -o /dev/null 2>/dev/null && echo 1 || echo 0)
ifeq ($(STATIC),1)
BUILD_ENV := CGO_LDFLAGS='$(STATIC_OPENBLAS)'
LINALG := OpenBLAS, linked statically (-tags openblas)
endif
else
TAGS :=
LINALG := gonum, pure Go (install libopenblas-dev for OpenBLAS)
endif

.PHONY: run test build vet staticcheck fmt-check fuzz clean linalg test-openblas bench bench-peers cuda-check gpu gpu-bundle ptx

## build: the gradcheck binary (CPU backend; never imports CUDA)
build:
	$(BUILD_ENV) $(GO) build $(TAGS) -o $(BIN) ./cmd/gradcheck

## run: build, then verify the whole built-in registry on the default backend
run: build
	@echo "CPU linear algebra: $(LINALG)" >&2
	./$(BIN) run

## test: formatting, vet and every test on the pure-Go path (the GPU
## backend under kernel emulation included), the tests of the CPU backend and philox
## without their assembly (-tags noasm, the path of other architectures),
## then the tests of the OpenBLAS path, the compile checks of the CUDA
## build, the GPU bundle (what it needs at run time, its size), that
## scripts/gpu-check.sh fails at once without a GPU and runs the worker
## from the bundle's archive, and scripts/gpu-targets.py's judgement of the
## H200 run's outputs; fails on any failure
test: fmt-check vet staticcheck
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -tags noasm ./cpu/... ./philox/
	$(MAKE) test-openblas
	$(MAKE) cuda-check
	$(MAKE) gpu-bundle
	scripts/gpu-check_test.sh
	scripts/gpu-targets_test.sh

vet:
	$(GO) vet ./...

# STATICCHECK is the pinned staticcheck: v0.8.2 builds with Go 1.26 and
# knows its standard library.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

## staticcheck: the staticcheck linter, fetched and built by the go command
staticcheck:
	$(GO) run $(STATICCHECK) ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## fuzz: run the parser, spec and backend (generated claims on the CPU
## and the emulated GPU) fuzzers for a minute each
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s ./formulas/
	$(GO) test -run '^$$' -fuzz FuzzLoadSpec -fuzztime 60s ./formulas/
	$(GO) test -run '^$$' -fuzz FuzzBackends -fuzztime 60s ./selftest/

## linalg: say which CPU linear algebra build and run use
linalg:
	@echo "$(LINALG)"

## test-openblas: vet and test the OpenBLAS path (-tags openblas), after
## installing libopenblas-dev where it is missing and we are root, and the
## CPU backend's tests again with OpenBLAS linked statically, as the GPU
## bundle links it; skipped, with a message, where it cannot be installed
test-openblas:
	@if scripts/openblas.sh; then \
		echo "$(GO) vet -tags openblas ./... && $(GO) test -count=1 -tags openblas ./cpu/ ./bench/ ./cmd/gradcheck/"; \
		$(GO) vet -tags openblas ./... && $(GO) test -count=1 -tags openblas ./cpu/ ./bench/ ./cmd/gradcheck/ && \
		echo "CGO_LDFLAGS='$(STATIC_OPENBLAS)' $(GO) test -count=1 -tags openblas ./cpu/" && \
		CGO_LDFLAGS='$(STATIC_OPENBLAS)' $(GO) test -count=1 -tags openblas ./cpu/; \
	else echo "test-openblas: SKIPPED, the OpenBLAS path is untested here"; fi

## bench: the Go benchmarks of bench/ on the path build uses
bench:
	$(GO) test $(TAGS) -run '^$$' -bench . ./bench/

## bench-peers: gradcheck side by side with torch.autograd.gradcheck
bench-peers:
	bench/peers.sh

# CUDA_CACHE holds the CUDA 11.8 headers, link stubs and NVRTC that
# scripts/cuda-headers.sh extracts from Debian's non-free packages; outside
# the checkout, so that a fresh clone on the same machine reuses them.
export CUDA_CACHE ?= $(HOME)/.cache/gradcheck/cuda

## cuda-check: vet and build the cuda build, compile the GPU tests, check
## the committed PTX (no GPU needed; downloads the headers once)
cuda-check:
	scripts/cuda-check.sh

## gpu: the GPU worker bin/gradcheck-cuda, started by --backend gpu|auto
gpu:
	eval "$$(scripts/cuda-headers.sh)" && $(GO) build -tags cuda -o bin/gradcheck-cuda ./cmd/gradcheck

## gpu-bundle: what scripts/gpu-check.sh needs on a GPU machine without Go
## (bin/gradcheck, bin/gradcheck-cuda, bin/gpu.test), each checked to need
## only the driver's libcuda.so.1 and glibc (readelf); see the script
gpu-bundle:
	scripts/gpu-bundle.sh

## ptx: regenerate kernels/*.ptx from kernels/*.cu with NVRTC, and their
## machine code for compute capability 8.0 and 9.0 in kernels/sass
ptx:
	eval "$$(scripts/cuda-headers.sh)" && $(GO) generate ./kernels

clean:
	rm -rf bin
