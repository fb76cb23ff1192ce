#!/usr/bin/env bash
# Run the test suite against a build with AddressSanitizer and
# UndefinedBehaviorSanitizer, and separately under valgrind memcheck.
# Fails on any sanitizer report or valgrind error in cohortsurv's code.
#
#   tools/sanitize.sh            # both
#   tools/sanitize.sh asan       # ASan + UBSan only (a few minutes)
#   tools/sanitize.sh valgrind   # valgrind only (slow: tens of minutes)
#
# R itself is not instrumented, so the ASan runtime is preloaded; leak
# detection is off (R keeps its heap until exit by design).
set -uo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
# logs are kept for inspection in $SANITIZE_LOG_DIR (default below)
work="${SANITIZE_LOG_DIR:-/tmp/cohortsurv-sanitize}"
rm -rf "$work"; mkdir -p "$work"
echo "logs in $work"
status=0

command -v valgrind >/dev/null || { apt-get install -y -qq valgrind >/dev/null; }

run_tests() {  # $1 = library, rest = command prefix
  local lib="$1"; shift
  (cd tests && R_LIBS="$lib" "$@" --vanilla -e \
    'library(testthat); test_dir("testthat", package = "cohortsurv", load_package = "installed", reporter = "summary", stop_on_failure = TRUE)')
}

if [ "$what" = all ] || [ "$what" = asan ]; then
  echo "== ASan + UBSan build"
  mkdir -p "$work/asan-lib"
  cat > "$work/Makevars-asan" <<'MK'
CXX17FLAGS = -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SHLIB_CXX17LDFLAGS = -shared -fsanitize=address,undefined
MK
  R_MAKEVARS_USER="$work/Makevars-asan" R CMD INSTALL --preclean --no-test-load \
    -l "$work/asan-lib" . >"$work/asan-install.log" 2>&1 || {
      tail -30 "$work/asan-install.log"; exit 1; }
  asan_rt="$(gcc -print-file-name=libasan.so)"
  ubsan_rt="$(gcc -print-file-name=libubsan.so)"
  start=$(date +%s)
  LD_PRELOAD="$asan_rt:$ubsan_rt" \
  ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:halt_on_error=1:log_path=$work/asan" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$work/ubsan" \
    run_tests "$work/asan-lib" R >"$work/asan-tests.log" 2>&1
  rc=$?
  tail -5 "$work/asan-tests.log"
  if [ $rc -ne 0 ] || ls "$work"/asan.* "$work"/ubsan.* >/dev/null 2>&1 || \
     grep -q "runtime error:\|AddressSanitizer" "$work/asan-tests.log"; then
    echo "ASan/UBSan: FAILED"; cat "$work"/asan.* "$work"/ubsan.* 2>/dev/null | head -60
    grep -B2 -A20 "runtime error:\|AddressSanitizer" "$work/asan-tests.log" | head -60
    status=1
  else
    echo "ASan/UBSan: clean ($(( $(date +%s) - start )) s)"
  fi
fi

if [ "$what" = all ] || [ "$what" = valgrind ]; then
  echo "== valgrind memcheck"
  mkdir -p "$work/vg-lib"
  R CMD INSTALL --preclean --no-test-load -l "$work/vg-lib" . >"$work/vg-install.log" 2>&1 || {
    tail -30 "$work/vg-install.log"; exit 1; }
  start=$(date +%s)
  # the interrupt test sends signals and allocates gigabytes: not under valgrind
  COHORTSURV_SKIP_HEAVY=true run_tests "$work/vg-lib" \
    R -d "valgrind --error-exitcode=0 --track-origins=no --log-file=$work/vg.%p" \
    >"$work/vg-tests.log" 2>&1
  rc=$?
  tail -5 "$work/vg-tests.log"
  # errors whose stack passes through cohortsurv's library
  bad=$(grep -l "cohortsurv.so" "$work"/vg.* 2>/dev/null | xargs -r grep -h -A25 \
        "Invalid read\|Invalid write\|uninitialised\|Mismatched free\|Invalid free" | \
        grep -c "cohortsurv.so" || true)
  if [ $rc -ne 0 ] || [ "${bad:-0}" -gt 0 ]; then
    echo "valgrind: FAILED ($bad frames in cohortsurv.so)"
    grep -h -B5 -A25 "Invalid read\|Invalid write\|uninitialised" "$work"/vg.* | head -80
    status=1
  else
    echo "valgrind: clean ($(( $(date +%s) - start )) s; ERROR SUMMARY lines:)"
    grep -h "ERROR SUMMARY" "$work"/vg.* | sort | uniq -c
  fi
fi
exit $status
