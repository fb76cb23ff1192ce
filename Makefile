# cohortsurv: `make reproduce` (the analysis) and `make check` (R CMD check).
# Both install what they need on a fresh Debian 12 machine with R, and are
# quick and silent when everything is already there.

R       ?= R
RSCRIPT ?= Rscript
PKG     := cohortsurv
VERSION := $(shell sed -n 's/^Version: *//p' DESCRIPTION)
TARBALL := $(PKG)_$(VERSION).tar.gz
CHECKDIR := check
LIB     := $(CURDIR)/check/lib

# Debian packages the build, the tests and the vignettes need.
DEBS := r-base-dev r-cran-rcpp r-cran-rcppeigen r-cran-survival \
        r-cran-testthat r-cran-knitr r-cran-rmarkdown r-cran-bench \
        r-cran-roxygen2 r-cran-tibble r-cran-data.table r-cran-vdiffr \
        r-cran-flextable r-cran-officer r-cran-generics r-cran-broom r-cran-cmprsk \
        r-cran-dbi r-cran-rsqlite r-cran-dbplyr r-cran-dplyr r-cran-rpostgresql postgresql \
        pandoc qpdf tidy

# Offline machine: no CRAN incoming look-ups, and the future-timestamp check
# compares file times with the local clock instead of asking a time server
# (--as-cran switches that check on regardless; it still runs).
export _R_CHECK_CRAN_INCOMING_REMOTE_ = false
export _R_CHECK_SYSTEM_CLOCK_ = false

.PHONY: all deps build install reproduce check document bench clean

all: check

deps:
	@missing=""; \
	for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	fi

# Regenerate RcppExports and the roxygen2 NAMESPACE and man pages.
document: deps
	$(RSCRIPT) -e 'Rcpp::compileAttributes()' -e 'roxygen2::roxygenise()'

$(TARBALL): $(shell find R src vignettes inst tests data man -type f 2>/dev/null | grep -v '\.o$$\|\.so$$') DESCRIPTION NAMESPACE | deps
	@rm -f src/*.o src/*.so
	$(R) CMD build --no-manual . >/dev/null
	@echo "built $(TARBALL)"

build: $(TARBALL)

install: $(TARBALL)
	@mkdir -p $(LIB)
	@$(R) CMD INSTALL --no-test-load -l $(LIB) $(TARBALL) >$(CHECKDIR)/install.log 2>&1 || \
	  { tail -n 40 $(CHECKDIR)/install.log; exit 1; }
	@echo "installed $(PKG) $(VERSION) into $(LIB)"

# The main job: install the package, then run the analysis on the shipped
# data and write the results to output/.
reproduce: install
	R_LIBS="$(LIB):$$R_LIBS" $(RSCRIPT) -e 'cohortsurv::reproduce_paper("output")'

# R CMD check --as-cran on the built tarball; fails unless Status: OK.
check: $(TARBALL)
	@mkdir -p $(CHECKDIR)
	@rm -rf $(CHECKDIR)/$(PKG).Rcheck
	@$(R) CMD check --as-cran --no-manual -o $(CHECKDIR) $(TARBALL) >$(CHECKDIR)/check.log 2>&1; \
	  status=$$?; cat $(CHECKDIR)/check.log; \
	  echo "---- testthat summary ----"; \
	  out=$(CHECKDIR)/$(PKG).Rcheck/tests/testthat.Rout; \
	  [ -f $$out ] || out=$$out.fail; \
	  if [ -f $$out ]; then \
	    grep -E '^\[ FAIL [0-9]+ \| WARN [0-9]+ \| SKIP [0-9]+ \| PASS [0-9]+ \]' $$out | tail -n 1 | \
	      sed -E 's/^\[ FAIL ([0-9]+) \| WARN ([0-9]+) \| SKIP ([0-9]+) \| PASS ([0-9]+) \]/testthat: \4 passed, \1 failed, \3 skipped/'; \
	    case $$out in *.fail) tail -n 60 $$out;; esac; \
	  fi; \
	  if [ $$status -ne 0 ] || ! grep -q '^Status: OK' $(CHECKDIR)/check.log; then \
	    echo "make check: R CMD check did not end with 'Status: OK'"; exit 1; fi; \
	  echo "make check: Status: OK"

# Benchmarks against survival (slow; run by hand).
bench: install
	for f in inst/bench/bench-*.R; do R_LIBS="$(LIB):$$R_LIBS" $(RSCRIPT) $$f; done

clean:
	rm -rf $(CHECKDIR) $(PKG)_*.tar.gz output src/*.o src/*.so
