# memae: make, make check, make install PREFIX=..., make bench
#
# Options (command line or environment):
#   NATIVE=1   also compile with -march=native (this CPU only; the default
#              build runs on any x86-64, oneDNN picks its kernels at run time)
#   DNNL=0     build without oneDNN: the dnnl backend reports MEMAE_E_UNSUPPORTED
#              and everything runs on ref
#   OPT=...    optimisation flags (default -O3); CFLAGS (default $(OPT) -g),
#              CPPFLAGS and LDFLAGS are the user's: the flags memae needs
#              (MEMAE_CFLAGS below) are added whatever they hold
#   PREFIX, LIBDIR, DESTDIR, BUILD (output folder, default build)
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
BUILD ?= build
NATIVE ?= 0
DNNL ?= 1
OPT ?= -O3
CFLAGS ?= $(OPT) -g

hdr_num = $(shell sed -n 's/^\#define MEMAE_VERSION_$(1) \([0-9]*\).*/\1/p' include/memae.h)
VERSION := $(call hdr_num,MAJOR).$(call hdr_num,MINOR).$(call hdr_num,PATCH)
SONAME := libmemae.so.$(call hdr_num,MAJOR)
SOFILE := libmemae.so.$(VERSION)

# Requires.private of memae.pc: the dependencies whose `pkg-config --static`
# links on Debian.  FFmpeg's .pc files list, for --static, some sixty
# libraries of a fully static FFmpeg whose -dev packages Debian does not
# install, so FFmpeg goes into Libs.private as plain -l flags instead (which
# link the shared FFmpeg the static libmemae.a needs).
PC_REQUIRES := libcjson zlib matio libzip
FFMPEG := libavformat libavcodec libswscale libavutil
PKG_CFLAGS := $(shell pkg-config --cflags $(PC_REQUIRES) $(FFMPEG))
PKG_LIBS := $(shell pkg-config --libs $(PC_REQUIRES) $(FFMPEG))

ifeq ($(DNNL),0)
DNNL_LIBS :=
DNNL_CFLAGS := -DMEMAE_NO_DNNL
else
DNNL_LIBS := -ldnnl
DNNL_CFLAGS :=
endif
ifeq ($(NATIVE),1)
ARCH_CFLAGS := -march=native
endif

# What memae needs, whatever CFLAGS says; the user's flags come last and win.
MEMAE_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -fopenmp -fPIC -Iinclude $(ARCH_CFLAGS)
# The library and the unit tests also see src/ and the dependencies' headers.
INTERNAL_CFLAGS := -Isrc $(PKG_CFLAGS) $(DNNL_CFLAGS)
# Library objects export only what memae.h marks MEMAE_API.
LIB_CFLAGS := $(INTERNAL_CFLAGS) -fvisibility=hidden -DMEMAE_BUILD
# The CLI sees include/ (memae.h) and cJSON only: it cannot reach past the API.
CLI_CFLAGS := $(shell pkg-config --cflags libcjson)
LDLIBS := $(PKG_LIBS) $(DNNL_LIBS) -lm -fopenmp
PC_LIBS_PRIVATE := $(strip $(shell pkg-config --libs-only-l $(FFMPEG)) $(DNNL_LIBS) -lm -lgomp)

ALL_LIB_SRC := $(sort $(wildcard src/*.c src/*/*.c src/*/*/*.c))
ifeq ($(DNNL),0)
LIB_SRC := $(filter-out src/backend/dnnl%.c,$(ALL_LIB_SRC))
else
LIB_SRC := $(filter-out src/backend/no_dnnl.c,$(ALL_LIB_SRC))
endif
CLI_SRC := $(sort $(wildcard cli/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_UTIL := $(sort $(wildcard tests/util/*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
TEST_UTIL_OBJ := $(TEST_UTIL:%.c=$(BUILD)/%.o)

all: $(BUILD)/libmemae.a $(BUILD)/libmemae.so $(BUILD)/memae

# Everything is rebuilt when the flags or options change (make DNNL=0 after make).
BUILD_CONFIG := $(CC) $(MEMAE_CFLAGS) $(LIB_CFLAGS) $(CLI_CFLAGS) $(CPPFLAGS) $(CFLAGS) | \
                $(LDFLAGS) $(LDLIBS) | DNNL=$(DNNL)
$(BUILD)/config: FORCE
	@mkdir -p $(BUILD)
	@echo '$(BUILD_CONFIG)' | cmp -s - $@ || echo '$(BUILD_CONFIG)' >$@

$(LIB_OBJ): MEMAE_OBJ_CFLAGS := $(LIB_CFLAGS)
$(CLI_OBJ): MEMAE_OBJ_CFLAGS := $(CLI_CFLAGS)
$(TEST_OBJ) $(TEST_UTIL_OBJ): MEMAE_OBJ_CFLAGS := $(INTERNAL_CFLAGS)
# Fuzz targets call the parsers behind the API, as the unit tests do.
$(BUILD)/fuzz/%.o: MEMAE_OBJ_CFLAGS := $(INTERNAL_CFLAGS)

$(BUILD)/%.o: %.c $(BUILD)/config
	@mkdir -p $(dir $@)
	$(CC) $(MEMAE_CFLAGS) $(MEMAE_OBJ_CFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libmemae.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/$(SOFILE): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,-z,defs $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/$(SONAME): $(BUILD)/$(SOFILE)
	ln -sf $(SOFILE) $@

$(BUILD)/libmemae.so: $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $@

$(BUILD)/memae: $(CLI_OBJ) $(BUILD)/libmemae.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libmemae.a $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_UTIL_OBJ) $(BUILD)/libmemae.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(TEST_UTIL_OBJ) $(BUILD)/libmemae.a $(LDLIBS) -lcmocka

# The unit tests, the CLI scripts, then a program built against an installed copy.
CHECK_SCRIPTS ?= $(sort $(wildcard tests/cli_*.sh))
CHECK_INSTALL ?= check-install
check: check-run
check-run: all $(TEST_BIN)
	@fail=0; for t in $(TEST_BIN); do \
	  echo "== $$t"; MEMAE_FIXTURES=tests/fixtures MEMAE_BIN=$(BUILD)/memae $$t || fail=1; \
	done; \
	for s in $(CHECK_SCRIPTS); do \
	  echo "== $$s"; MEMAE_BIN=$(BUILD)/memae MEMAE_LIB=$(BUILD)/libmemae.so MEMAE_DNNL=$(DNNL) \
	    bash $$s || fail=1; \
	done; \
	if [ -n "$(CHECK_INSTALL)" ]; then \
	  echo "== check-install"; $(MAKE) --no-print-directory check-install || fail=1; fi; \
	if [ $$fail -ne 0 ]; then echo "make check: FAILED"; exit 1; fi; echo "make check: all passed"

# Install into $(BUILD)/inst, then build tests/install/ through pkg-config twice
# (the shared library; the static one with --static) and run both.
INST := $(abspath $(BUILD))/inst
check-install: all
	@rm -rf $(INST)
	@$(MAKE) --no-print-directory install PREFIX=$(INST) LIBDIR=$(INST)/lib DESTDIR= >/dev/null
	@INST=$(INST) CC="$(CC)" OUT=$(abspath $(BUILD))/tests/install bash tests/install/run.sh

install: all
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(BUILD)/libmemae.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(BUILD)/$(SOFILE) $(DESTDIR)$(LIBDIR)/
	ln -sf $(SOFILE) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libmemae.so
	install -m 644 include/memae.h $(DESTDIR)$(PREFIX)/include/
	install -m 755 $(BUILD)/memae $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@REQUIRES_PRIVATE@|$(PC_REQUIRES)|g' -e 's|@LIBS_PRIVATE@|$(PC_LIBS_PRIVATE)|g' \
	    memae.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/memae.pc

# Fuzzing (README, Testing): one libFuzzer target per parser in fuzz/, built
# with clang, ASan and UBSan in $(FUZZ_BUILD); `make fuzz` runs each on its
# seed corpus fuzz/corpus/<target> (crashes found later are kept there as
# regression inputs), then for FUZZ_SECONDS, new inputs going to
# $(FUZZ_BUILD)/fuzz/corpus.  `make check-sanitize` is make check's fast part
# (CHECK_SAN_TESTS, CHECK_SAN_SCRIPTS) built with gcc's ASan and UBSan in
# $(SAN_BUILD).
FUZZ_SECONDS ?= 20
FUZZ_BUILD ?= build-fuzz
FUZZ_CC ?= clang
SAN_BUILD ?= build-asan
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SKIP ?=
FUZZ_TARGETS := $(filter-out $(FUZZ_SKIP),$(patsubst fuzz/%.c,%,$(filter-out fuzz/fuzz_file.c,$(wildcard fuzz/fuzz_*.c))))

fuzz:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) DNNL=0 \
	  CFLAGS="-O1 -g $(SAN_FLAGS) -fsanitize=fuzzer-no-link" LDFLAGS="$(SAN_FLAGS)" fuzz-run

$(BUILD)/fuzz/fuzz_%: $(BUILD)/fuzz/fuzz_%.o $(BUILD)/fuzz/fuzz_file.o $(BUILD)/libmemae.a
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(LDLIBS)

fuzz-run: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
	@fail=0; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(BUILD)/fuzz/corpus/$$t; echo "== $$t ($(FUZZ_SECONDS) s)"; \
	  if $(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	       -artifact_prefix=$(BUILD)/fuzz/$$t- $(BUILD)/fuzz/corpus/$$t fuzz/corpus/$$t \
	       >$(BUILD)/fuzz/$$t.log 2>&1; then \
	    sed -n 's/^stat::number_of_executed_units: */  executions: /p' $(BUILD)/fuzz/$$t.log; \
	  else fail=1; tail -40 $(BUILD)/fuzz/$$t.log; fi; \
	done; \
	if [ $$fail -ne 0 ]; then echo "make fuzz: FAILED"; exit 1; fi; echo "make fuzz: no finding"

CHECK_SAN_TESTS ?= test_loaders test_tabular test_gt test_model test_api_data test_images
CHECK_SAN_SCRIPTS ?= cli_basic cli_hardening cli_tabular
check-sanitize:
	@$(MAKE) --no-print-directory BUILD=$(SAN_BUILD) CFLAGS="-O1 -g $(SAN_FLAGS)" \
	  LDFLAGS="$(SAN_FLAGS)" TEST_BIN="$(CHECK_SAN_TESTS:%=$(SAN_BUILD)/tests/%)" \
	  CHECK_SCRIPTS="$(CHECK_SAN_SCRIPTS:%=tests/%.sh)" CHECK_INSTALL= check-run

bench: all
	bash bench/run.sh

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(SAN_BUILD)

FORCE:
.PHONY: all check check-run check-install check-sanitize fuzz fuzz-run install clean bench FORCE
.SECONDARY:
-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_UTIL_OBJ:.o=.d) $(TEST_BIN:=.d)
