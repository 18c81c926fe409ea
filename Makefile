# The two set-up commands of the README: `make run` and `make test`.
GO ?= go
BIN := bin/gradcheck

.PHONY: run test build vet fmt-check fuzz clean cuda-check gpu ptx

## build: the gradcheck binary (CPU backend; never imports CUDA)
build:
	$(GO) build -o $(BIN) ./cmd/gradcheck

## run: build, then verify the whole built-in registry on the default backend
run: build
	./$(BIN) run

## test: formatting, vet and every test (the GPU backend under kernel
## emulation included), then the compile checks of the CUDA build; fails on
## any failure
test: fmt-check vet
	$(GO) test -count=1 ./...
	$(MAKE) cuda-check

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## fuzz: run the parser and spec fuzzers for a minute each
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s ./formulas/
	$(GO) test -run '^$$' -fuzz FuzzLoadSpec -fuzztime 60s ./formulas/

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

## ptx: regenerate kernels/*.ptx from kernels/*.cu with NVRTC
ptx:
	eval "$$(scripts/cuda-headers.sh)" && $(GO) generate ./kernels

clean:
	rm -rf bin
