# libFuzzer targets: "make fuzz" builds every fuzz/fuzz_*.c with clang, sanitizers and coverage,
# linked against the library's sources compiled the same way (fuzz/build.sh); "make fuzz-run"
# runs each for FUZZ_SECONDS (fuzz/run.sh). Neither is part of "make" or "make check".
FUZZ_CC = clang
FUZZ_SECONDS = 60

fuzz: $(BUILT_SOURCES)
	@CC='$(FUZZ_CC)' srcdir='$(srcdir)' \
	CPPFLAGS='$(DEFS) -I$(top_srcdir) -I$(top_builddir) $(LIBPQ_CFLAGS) $(OPENSSL_CFLAGS)' \
	LIBS='$(LIBPQ_LIBS) $(OPENSSL_LIBS)' SOURCES='$(libpgng_a_SOURCES)' \
	$(SHELL) $(srcdir)/fuzz/build.sh

fuzz-run: fuzz
	@srcdir='$(srcdir)' $(SHELL) $(srcdir)/fuzz/run.sh $(FUZZ_SECONDS)

# Only build products: in an in-tree build fuzz/ also holds the sources.
fuzz-clean:
	rm -rf fuzz/obj fuzz/artifacts fuzz/libpgng-fuzz.a
	for f in fuzz/fuzz_*; do case $$f in *.c|*.dict) ;; *) rm -rf "$$f" ;; esac; done

.PHONY: fuzz fuzz-run fuzz-clean
EXTRA_DIST += fuzz/build.sh fuzz/run.sh fuzz/fuzz_protocol.c fuzz/fuzz_protocol.dict fuzz/fuzz_scram.c \
	fuzz/corpus
