# The two set-up commands of the README: `make run` and `make test`.
GO ?= go
BIN := bin/gradcheck

.PHONY: run test build vet fmt-check fuzz clean

## build: the gradcheck binary (CPU backend; never imports CUDA)
build:
	$(GO) build -o $(BIN) ./cmd/gradcheck

## run: build, then verify the whole built-in registry on the default backend
run: build
	./$(BIN) run

## test: formatting, vet and every test; fails on any failure
test: fmt-check vet
	$(GO) test -count=1 ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## fuzz: run the parser and spec fuzzers for a minute each
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s ./formulas/
	$(GO) test -run '^$$' -fuzz FuzzLoadSpec -fuzztime 60s ./formulas/

clean:
	rm -rf bin
