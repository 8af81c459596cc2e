# sipca: a certificate authority for SIP over TLS.
#
#   make            build ./sipca
#   make check      install what is missing (Debian), build, run every test
#   make demo       a throwaway CA: init, issue, export, verify
#   make bench      benchmarks (not part of check)
#   make install    PREFIX=/usr/local DESTDIR=
#   make dist       sipca-VERSION.tar.gz, reproducible
#   make VARIANT=san check   the same with ASan and UBSan

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
DATADIR   ?= $(PREFIX)/share
# systemd reads units from /usr/local/lib/systemd/system too; the Debian
# package sets /lib/systemd/system.
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
UNITS     = sipca-serve.service sipca-renew.service sipca-renew.timer
VARIANT   ?= release
BUILD     ?= build/$(VARIANT)
CC        ?= cc
PKG_CONFIG ?= pkg-config
ASN1PARSER ?= asn1Parser

# libcurl: ACME's http-01 validation (src/net/acme_challenge.c).
# libpq: the store's index in PostgreSQL (src/store/pg*.c).
LIBS_PKG  = gnutls libtasn1 sqlite3 libpq nettle libmicrohttpd jansson libcurl
# Evaluated lazily so that "make check" can install the packages first.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(LIBS_PKG))
# -lresolv: dns-01's res_ninit/res_nquery and ns_initparse (no .pc file).
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(LIBS_PKG)) -lresolv -lpthread
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check)
CHECK_LIBS   = $(shell $(PKG_CONFIG) --libs check)

WARNINGS = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wpointer-arith -Wvla
CFLAGS   ?= -O2 -g
ifeq ($(VARIANT),san)
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS    = -O1 -g
endif
# make fuzz: clang, the library instrumented for libFuzzer (fuzz/run.sh).
ifeq ($(VARIANT),fuzz)
CC        = clang
SAN_FLAGS = -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer
CFLAGS    = -O1 -g
endif
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(CPPFLAGS) $(WARNINGS) $(CFLAGS) $(SAN_FLAGS) \
             -Iinclude -I$(BUILD) $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)

# One folder per layer (README, Development): cli/ calls authority/, which
# joins pki/, lint/ and store/; net/ is the probe and the server (serve);
# util/ depends on nothing.
LAYERS    = cli authority pki lint store net util
SRCS      = $(sort $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c)))
LIB_SRCS  = $(filter-out src/cli/main.c,$(SRCS))
ASN_SRCS  = $(wildcard src/*/*.asn)
ASN_TABS  = $(patsubst src/%.asn,$(BUILD)/%_asn1_tab.c,$(ASN_SRCS))
LIB_OBJS  = $(patsubst src/%.c,$(BUILD)/%.o,$(LIB_SRCS)) \
            $(patsubst %.c,%.o,$(ASN_TABS))
# The test binary differs only in util.c, which then honours SIPCA_NOW.
TEST_LIB_OBJS = $(filter-out $(BUILD)/util/util.o,$(LIB_OBJS)) $(BUILD)/util/util-testclock.o
CHECK_SRCS = $(sort $(wildcard tests/check_*.c))
CHECK_BINS = $(patsubst tests/%.c,$(BUILD)/tests/%,$(CHECK_SRCS))
# Fuzz targets fuzz/fuzz_NAME.c; their seeds and crashers in tests/fuzz/NAME/.
FUZZ_TARGETS ?= $(patsubst fuzz/fuzz_%.c,%,$(sort $(wildcard fuzz/fuzz_*.c)))
FUZZ_TIME    ?= 60
FUZZ_BINS    = $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
REPLAY_BINS  = $(patsubst %,$(BUILD)/fuzz/replay_%,$(FUZZ_TARGETS))

.PHONY: all check demo bench install uninstall clean deps _check _demo _bench fuzz _fuzz man dist FORCE

all: $(BUILD)/sipca
	@cp $(BUILD)/sipca ./sipca

$(BUILD)/sipca: $(BUILD)/cli/main.o $(LIB_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/sipca-test: $(BUILD)/cli/main.o $(TEST_LIB_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/%.o: src/%.c | $(BUILD) $(ASN_TABS) $(BUILD)/version-gen.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The version (scripts/version.sh), remade on every run but written only
# when it changed, so that a new commit rebuilds main.o and cmd_man.o and
# nothing else. SIPCA_VERSION=X on the command line sets it (debian/rules).
$(BUILD)/version-gen.h: FORCE | $(BUILD)
	@SIPCA_VERSION="$(SIPCA_VERSION)" sh scripts/version.sh --header > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
FORCE:

$(BUILD)/util/util-testclock.o: src/util/util.c | $(BUILD)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DSIPCA_TEST_CLOCK -c -o $@ $<

# Generated sources are kept: they are not intermediate files to delete.
.SECONDARY: $(ASN_TABS)

$(BUILD)/%_asn1_tab.c: src/%.asn | $(BUILD)
	@mkdir -p $(@D)
	$(ASN1PARSER) -o $@ -n $(notdir $*)_asn1_tab $<

$(BUILD)/%_asn1_tab.o: $(BUILD)/%_asn1_tab.c
	$(CC) $(filter-out -W%,$(ALL_CFLAGS)) -w -c -o $@ $<

# Suites and fuzzers link an archive, so each pulls in only the modules
# it uses (check_util gets util.o, not the store and SQLite). Nothing in it
# needs main.o: main hands its command table to cli_init().
$(BUILD)/libsipca-test.a: $(TEST_LIB_OBJS)
	rm -f $@ && $(AR) rcs $@ $^

# Each suite defines check_suite() (tests/suite.h, included into every
# suite) and shares one main(), tests/suite_main.c, and the certificates
# of tests/testcert.c and tests/lintcert.c (an archive: a suite links
# only the helpers it calls).
TEST_HELPER_OBJS = $(BUILD)/tests/suite_main.o $(BUILD)/tests/libtesthelp.a
.SECONDARY: $(TEST_HELPER_OBJS) $(BUILD)/tests/testcert.o $(BUILD)/tests/lintcert.o

$(BUILD)/tests/libtesthelp.a: $(BUILD)/tests/testcert.o $(BUILD)/tests/lintcert.o
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/tests/%.o: tests/%.c | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Itests -c -o $@ $<

$(BUILD)/tests/check_%: tests/check_%.c tests/suite.h $(TEST_HELPER_OBJS) \
    $(BUILD)/libsipca-test.a | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Itests -include suite.h -o $@ $< \
	    $(TEST_HELPER_OBJS) $(BUILD)/libsipca-test.a \
	    $(ALL_LDFLAGS) $(PKG_LIBS) $(CHECK_LIBS)

$(BUILD) $(BUILD)/tests:
	@mkdir -p $@

# Installs the Debian packages that are missing (printing what it runs).
deps:
	@sh scripts/deps.sh

check: deps
	@$(MAKE) --no-print-directory _check

_check: $(BUILD)/sipca $(BUILD)/sipca-test $(CHECK_BINS) $(REPLAY_BINS) \
    $(BUILD)/bench/scep_load
	@cp $(BUILD)/sipca ./sipca
	@SIPCA=$(abspath $(BUILD)/sipca-test) BUILD=$(abspath $(BUILD)) \
	    sh tests/run.sh $(CHECK_BINS)

# The demo installs what it needs, not the tests' Kamailio, shells, valgrind.
demo:
	@sh scripts/deps.sh demo
	@$(MAKE) --no-print-directory _demo

_demo: $(BUILD)/sipca
	@cp $(BUILD)/sipca ./sipca
	@SIPCA=$(abspath $(BUILD)/sipca) sh scripts/demo.sh

bench:
	@sh scripts/deps.sh bench
	@$(MAKE) --no-print-directory _bench

# The bare GnuTLS rates bench/batch.sh and bench/lint.sh compare sipca with.
$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS) $(PKG_LIBS)

# bench/scep.sh's load generator makes its requests with scep_msg.c.
$(BUILD)/bench/scep_load: bench/scep_load.c $(BUILD)/libsipca-test.a
	@mkdir -p $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libsipca-test.a $(ALL_LDFLAGS) $(PKG_LIBS)

_bench: $(BUILD)/sipca $(BUILD)/bench/raw_rate $(BUILD)/bench/raw_parse $(BUILD)/bench/raw_inodes \
    $(BUILD)/bench/scep_load
	@SIPCA=$(abspath $(BUILD)/sipca) BUILD=$(abspath $(BUILD)) sh bench/run.sh

# sipca(1) is generated from the command tables; doc/sipca.1 is the
# committed copy (tests/cli/manpage.sh fails when it is stale).
$(BUILD)/sipca.1: $(BUILD)/sipca
	$(BUILD)/sipca __man > $@.tmp && mv $@.tmp $@

man: $(BUILD)/sipca.1
	@cp $(BUILD)/sipca.1 doc/sipca.1

install: $(BUILD)/sipca $(BUILD)/sipca.1
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(DATADIR)/bash-completion/completions \
	    $(DESTDIR)$(DATADIR)/zsh/site-functions \
	    $(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	install -m 0755 $(BUILD)/sipca $(DESTDIR)$(BINDIR)/sipca
	install -m 0644 $(BUILD)/sipca.1 $(DESTDIR)$(MANDIR)/man1/sipca.1
	install -m 0644 completions/sipca.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/sipca
	install -m 0644 completions/_sipca $(DESTDIR)$(DATADIR)/zsh/site-functions/_sipca
	install -m 0644 completions/sipca.fish $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/sipca.fish
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
# the units name the binary where this install puts it
	for u in $(UNITS); do \
		sed 's|/usr/bin/sipca|$(BINDIR)/sipca|g' examples/systemd/$$u > $(DESTDIR)$(SYSTEMDUNITDIR)/$$u.tmp && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u.tmp && \
		mv $(DESTDIR)$(SYSTEMDUNITDIR)/$$u.tmp $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sipca $(DESTDIR)$(MANDIR)/man1/sipca.1 \
	    $(DESTDIR)$(DATADIR)/bash-completion/completions/sipca \
	    $(DESTDIR)$(DATADIR)/zsh/site-functions/_sipca \
	    $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/sipca.fish \
	    $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(UNITS))

# The corpus replayed without libFuzzer (gcc; ASan with VARIANT=san) by
# tests/cli/fuzz_replay.sh, so a crash found once stays fixed.
$(BUILD)/fuzz/replay_%: fuzz/fuzz_%.c fuzz/replay.c $(BUILD)/libsipca-test.a | $(BUILD)/fuzz
	$(CC) $(ALL_CFLAGS) -o $@ fuzz/fuzz_$*.c fuzz/replay.c \
	    $(BUILD)/libsipca-test.a $(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD)/fuzz/fuzz_%: fuzz/fuzz_%.c $(BUILD)/libsipca-test.a | $(BUILD)/fuzz
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libsipca-test.a \
	    $(ALL_LDFLAGS) -fsanitize=fuzzer $(PKG_LIBS)

$(BUILD)/fuzz:
	@mkdir -p $@

# make fuzz [FUZZ_TARGETS="san csv"] [FUZZ_TIME=600]: each target in turn.
fuzz:
	@$(MAKE) --no-print-directory VARIANT=fuzz BUILD=build/fuzz _fuzz

_fuzz: $(FUZZ_BINS)
	@sh fuzz/run.sh $(FUZZ_TIME) $(BUILD) $(FUZZ_TARGETS)

# A release tarball, sipca-VERSION.tar.gz: what git tracks at HEAD and
# .tarball-version, the same bytes from every run (scripts/dist.sh).
dist:
	@sh scripts/dist.sh

clean:
	rm -rf build sipca

-include $(wildcard $(BUILD)/*/*.d)
