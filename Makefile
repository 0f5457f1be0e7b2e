# memae: make, make check, make install PREFIX=..., make bench
PREFIX ?= /usr/local
CC ?= gcc
BUILD ?= build
OPT ?= -O3 -march=native
PKGS := libcjson zlib libavformat libavcodec libswscale libavutil matio libzip
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS))

CFLAGS ?= $(OPT) -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -fopenmp -fPIC -Iinclude -Isrc $(PKG_CFLAGS)
LDLIBS := $(PKG_LIBS) -ldnnl -lm -fopenmp

LIB_SRC := $(sort $(wildcard src/*.c src/*/*.c src/*/*/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_UTIL := $(sort $(wildcard tests/util/*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_UTIL_OBJ := $(TEST_UTIL:%.c=$(BUILD)/%.o)

all: $(BUILD)/libmemae.a $(BUILD)/libmemae.so $(BUILD)/memae

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libmemae.a: $(LIB_OBJ)
	ar rcs $@ $^

$(BUILD)/libmemae.so: $(LIB_OBJ)
	$(CC) -shared -o $@ $^ $(LDLIBS)

$(BUILD)/memae: $(CLI_OBJ) $(BUILD)/libmemae.a
	$(CC) -o $@ $(CLI_OBJ) $(BUILD)/libmemae.a $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_UTIL_OBJ) $(BUILD)/libmemae.a
	$(CC) -o $@ $< $(TEST_UTIL_OBJ) $(BUILD)/libmemae.a $(LDLIBS) -lcmocka

check: all $(TEST_BIN)
	@fail=0; for t in $(TEST_BIN); do \
	  echo "== $$t"; MEMAE_FIXTURES=tests/fixtures MEMAE_BIN=$(BUILD)/memae $$t || fail=1; \
	done; \
	for s in $(sort $(wildcard tests/cli_*.sh)); do \
	  echo "== $$s"; MEMAE_BIN=$(BUILD)/memae bash $$s || fail=1; \
	done; \
	if [ $$fail -ne 0 ]; then echo "make check: FAILED"; exit 1; fi; echo "make check: all passed"

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 $(BUILD)/libmemae.a $(BUILD)/libmemae.so $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/memae.h $(DESTDIR)$(PREFIX)/include/
	install -m 755 $(BUILD)/memae $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(shell sed -n 's/.*MEMAE_VERSION_STRING "\(.*\)"/\1/p' include/memae.h)|' \
	  memae.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/memae.pc

bench: all
	bash bench/run.sh

clean:
	rm -rf $(BUILD)

.PHONY: all check install clean bench
.SECONDARY:
-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_UTIL_OBJ:.o=.d) $(TEST_BIN:=.d)
