# derush: the two commands a newcomer needs.
#   make run [DIR=~/Pictures/trip]   install, build, open derush on a demo set (or DIR)
#   make check                       install, build from scratch, run every test
# Others: make build, make bench, make bench-app, make bench-compare, make bench-crops, make bench-learn,
# make learn-curves, make demo, make fuzz, make torture, make tsan, make format, make clean.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
DEMO_DIR   ?= demo/photos
WERROR     ?= 0
DIR        ?=
comma      := ,
FUZZ       ?=
RUN_DIR     = "$(if $(DIR),$(DIR),$(DEMO_DIR))"

MESON_WERROR := -Dwerror=$(if $(filter 1,$(WERROR)),true,false)
# LSan sees real leaks in our code; the suppressions cover one-time
# allocations inside GLib type registration and libvips' operation cache.
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
           LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
           UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

.PHONY: all deps build check valgrind torture tsan run demo bench bench-app bench-compare bench-crops bench-learn \
  learn-curves fuzz format clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) $(MESON_WERROR)
	ninja -C $(BUILD)

check: deps
	rm -rf $(BUILD) $(ASAN_BUILD)
	meson setup $(BUILD) $(MESON_WERROR)
	ninja -C $(BUILD)
	meson setup $(ASAN_BUILD) $(MESON_WERROR) -Dbuildtype=debug \
	  -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C $(ASAN_BUILD)
	-meson test -C $(BUILD) --print-errorlogs
	-$(SAN_ENV) meson test -C $(ASAN_BUILD) --print-errorlogs --no-suite gui --no-suite format \
	  --timeout-multiplier 3
	@python3 scripts/test-summary.py $(BUILD)/meson-logs/testlog.json \
	  $(ASAN_BUILD)/meson-logs/testlog.json

# memcheck over the unit and integration tests (slow; not part of check).
# Faults, hundreds of times (tests/torture/torture.py; not part of check):
# kill -9 mid scan/analyze/label/export/apply/undo-apply, concurrent
# processes, files vanishing mid-scan, and as root a full tmpfs and a
# read-only folder. TORTURE_RUNS (default 300) sets the number of runs.
TORTURE_RUNS ?= 300
torture: build
	/usr/bin/python3 tests/torture/torture.py --build $(BUILD) --runs $(TORTURE_RUNS)
	@# libvips resizing on four threads for long enough to catch heap races
	@# (the liborc one crashed 2 runs in 4 at this length).
	DERUSH_STRESS_ROUNDS=3000 $(BUILD)/tests/test-decoders -p /decoders/threads-stress

# The scan's worker pool, the analysis and the learner under ThreadSanitizer (not part
# of check): a -Db_sanitize=thread tree, then the scan and analysis tests.
TSAN_BUILD ?= build-tsan
TSAN_TESTS ?= test-decoders test-scan test-crash test-group test-group-catalog test-quality test-copies \
  test-learn test-learn-active test-detect
TSAN_ENV := TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/tsan.supp
tsan: deps
	@[ -f $(TSAN_BUILD)/build.ninja ] || meson setup $(TSAN_BUILD) $(MESON_WERROR) \
	  -Dbuildtype=debug -Db_sanitize=thread -Db_lundef=false
	ninja -C $(TSAN_BUILD)
	$(TSAN_ENV) meson test -C $(TSAN_BUILD) --print-errorlogs --timeout-multiplier 10 $(TSAN_TESTS)

valgrind: build
	meson test -C $(BUILD) --setup valgrind --print-errorlogs

demo: build
	$(BUILD)/tools/derush-demo-gen --out $(DEMO_DIR)

run: build
	@if [ -z "$(DIR)" ]; then $(MAKE) --no-print-directory demo; fi
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] && [ -x $(BUILD)/gtk/derush-gtk ]; then \
	  $(BUILD)/gtk/derush-gtk $(RUN_DIR); \
	else \
	  echo "make run: no display (DISPLAY/WAYLAND_DISPLAY unset): scanning and listing with the CLI instead"; \
	  $(BUILD)/cli/derush scan $(RUN_DIR) && $(BUILD)/cli/derush ls $(RUN_DIR); \
	fi

bench: build
	./bench/run.sh $(BUILD)

# Two builds of derush alternately, run by run (bench/compare.py): start-up,
# scan, thumbnails, rescan at 100k, analysis, the app at 100k. For a
# refactor: BEFORE and AFTER are build folders (release builds).
BENCH_WORK ?= $(or $(TMPDIR),/tmp)/derush-bench-$(USER)
bench-compare:
	@[ -n "$(BEFORE)" ] && [ -n "$(AFTER)" ] || { echo "make bench-compare BEFORE=build-a AFTER=build-b"; exit 2; }
	/usr/bin/python3 bench/compare.py --before $(BEFORE) --after $(AFTER) --work $(BENCH_WORK) \
	  --results bench/results/compare-$$(date +%Y-%m-%d).md

# Off-centre crop sets (issue 21): derush beside findimagedupes, F1 and time
# (bench/crops/run.sh; results in bench/results/crops-*.md).
bench-crops: build
	./bench/crops/run.sh $(BUILD)

# derush-gtk under Xvfb: a new folder of 12-MP JPEGs, its first screenful
# (bench/app-first.sh); on 100,000 photos: start-up, scroll frame times,
# refresh cost, memory (bench/app.sh; also BENCH_ONLY=app make bench).
bench-app: build
	./bench/app-first.sh $(BUILD)
	./bench/app.sh $(BUILD)

# Learning speed (issue 19): train on 1,000 labels, predict 100,000 photos,
# load the model, beside scikit-learn and python3-xgboost when installed
# (bench/learn/run.sh; results in bench/results/learn-*.txt).
bench-learn: build
	./bench/learn/run.sh $(BUILD)

# Learning curves (issue 19): the person, blur and burst tastes built from
# ../shared/corpus and the demo set (bench/tastes/build.sh), derush eval
# learning in active vs random order, the plot in docs/learning-curves.png.
learn-curves: build
	./bench/learn/curves.sh $(BUILD)

# libFuzzer over every parser of outside bytes (fuzz/run.sh): FUZZ_SECONDS
# each, in a clang ASan+UBSan tree of its own (the other builds stay gcc).
# FUZZ=meta,image picks harnesses. make check only replays the committed
# corpus and regressions (fuzz-replay-* tests), with gcc.
fuzz: deps
	@./scripts/install-deps.sh fuzz
	@[ -f $(FUZZ_BUILD)/build.ninja ] || CC=clang meson setup $(FUZZ_BUILD) -Dfuzzing=true \
	  -Db_sanitize=address,undefined -Db_lundef=false -Dgtk=disabled
	nice ninja -C $(FUZZ_BUILD) $$(for h in meta image sidecar import settings onnx; do \
	  [ -f fuzz/fuzz-$$h.c ] && echo fuzz/fuzz-$$h; done)
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./fuzz/run.sh $(FUZZ_BUILD) $(subst $(comma), ,$(FUZZ))

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
