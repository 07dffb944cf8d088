# farmctl: `make demo` builds the example farm's two roots; `make test` runs the whole suite.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)
FARMCTL := .build/debug/farmctl

.PHONY: bootstrap build stage signing-key demo test test-kernel test-boot fuzz clean-demo

## Install what is missing: Debian packages, Portage in .venv (idempotent, fast when present).
bootstrap:
	@bash scripts/bootstrap.sh

build: bootstrap
	swift build --product farmctl

## The example classes' seed stage: an i386 Debian userland (debootstrap + OpenRC), cached under var/stages by its
## inputs (about 40 s the first time, network-bound; then nothing).
stage: bootstrap
	@bash scripts/make-stage.sh >/dev/null

## The example farm's binpkg signing key (workers.conf signing_key = var/gnupg): made once, then left as it is.
signing-key: build
	@$(FARMCTL) binpkg keygen --name "farmctl example farm <root@localhost>"

## Build farmctl and run it on the example farm: two i686 roots on the seed stage, then what PIII's root holds.
demo: build stage signing-key
	$(FARMCTL) build PIII AthlonXP
	$(FARMCTL) query root PIII

## The whole suite: unit, integration (real emerge) and end-to-end tests.
test: bootstrap stage
	swift build --build-tests
	swift test --skip-build

## The real kernel path: `farmctl build` on the example farm with Debian's linux-source (i386 tinyconfig +
## kernel/config fragments) and farmmark built against it; checks image, config, vermagic, depmod, cache
## (first run about 6 minutes on 2 cores: two kernels; then seconds; shares var/ with `make demo`).
test-kernel: build stage signing-key
	@bash scripts/test-kernel.sh

## Boot each class's published root as a node does: qemu-system-i386 (TCG, the class's CPU model), the class kernel
## with pxelinux.cfg's command line, the root over read-only NFSv4 from nfs-ganesha on 127.0.0.1 serving farmctl's
## exports, stateless.sh, the softlevel's services, power-off; then a rollback boot (scripts/test-boot.sh).
test-boot: test-kernel
	@bash scripts/test-boot.sh

## libFuzzer on the binpkg parsers (Fuzz/): each target FUZZ_SECONDS on its corpus; prints executions and crashes.
FUZZ_SECONDS ?= 60
fuzz:
	@bash Fuzz/run.sh $(FUZZ_SECONDS)

## Remove the example farm's state (var/): the next demo starts from scratch.
clean-demo:
	rm -rf var
