#!/usr/bin/env bash
# `npm test`: the static checks first (typecheck, lint, Prettier; a minute or two), then every
# vitest project (unit, int-pglite, int-postgres) and the Playwright journeys against the built app.
# A failed static check stops the run before the suites. Otherwise both suites always run; the exit
# code fails if anything failed, and the last line is one summary: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT

# Each static check counts as one test in the summary.
static_passed=0
static_failed=()
check() {
  local name=$1
  shift
  echo "--- $name: $*"
  if "$@"; then
    static_passed=$((static_passed + 1))
  else
    static_failed+=("$name")
  fi
}

echo "=== static checks: typecheck, lint, format ==="
check typecheck npx tsc --noEmit
check lint npx eslint --max-warnings 0 .
check format npx prettier --check .

if [ ${#static_failed[@]} -gt 0 ]; then
  echo "=== summary ==="
  echo "static checks failed: ${static_failed[*]} (fix them first: npm run typecheck / npm run lint / npm run format); the suites did not run."
  echo "$static_passed passed, ${#static_failed[@]} failed"
  exit 1
fi
echo "static checks: $static_passed passed, 0 failed"

echo "=== vitest: unit, int-pglite, int-postgres ==="
VITEST_JSON_REPORT="$reports/vitest.json" npx vitest run
vitest_status=$?

echo "=== playwright: end-to-end ==="
PLAYWRIGHT_JSON_OUTPUT_FILE="$reports/playwright.json" npx playwright test --reporter=list,json
playwright_status=$?

echo "=== summary ==="
node - "$reports/vitest.json" "$vitest_status" "$reports/playwright.json" "$playwright_status" "$static_passed" <<'NODE'
const fs = require("node:fs");
const [vitestFile, vitestStatus, playwrightFile, playwrightStatus, staticPassed] = process.argv.slice(2);

function read(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

function vitestCounts(report) {
  if (!report) return undefined;
  // A file that failed outside any test (import error, failing setup) counts as one failure.
  const brokenFiles = (report.testResults ?? []).filter(
    (file) => file.status === "failed" && !(file.assertionResults ?? []).some((t) => t.status === "failed"),
  ).length;
  return {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + brokenFiles,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}

function playwrightCounts(report) {
  if (!report?.stats) return undefined;
  const { expected = 0, unexpected = 0, flaky = 0, skipped = 0 } = report.stats;
  // Errors outside tests (the web server did not start, a broken config) fail the run too.
  return { passed: expected + flaky, failed: unexpected + (report.errors?.length ? 1 : 0), skipped };
}

// The static checks all passed to get here.
const total = { passed: Number(staticPassed), failed: 0, skipped: 0 };
console.log(`static checks: ${staticPassed} passed, 0 failed`);
for (const [name, counts, status] of [
  ["vitest", vitestCounts(read(vitestFile)), Number(vitestStatus)],
  ["playwright", playwrightCounts(read(playwrightFile)), Number(playwrightStatus)],
]) {
  const c = counts ?? { passed: 0, failed: 0, skipped: 0 };
  if (!counts) console.log(`${name}: no JSON report was written (exit ${status}); counted as a failure.`);
  // The exit code is the final word: a failing runner with no counted failure still counts one.
  if ((status !== 0 || !counts) && c.failed === 0) c.failed = 1;
  console.log(`${name}: ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ""} (exit ${status})`);
  total.passed += c.passed;
  total.failed += c.failed;
  total.skipped += c.skipped;
}
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`);
NODE

if [ "$vitest_status" -ne 0 ] || [ "$playwright_status" -ne 0 ]; then
  exit 1
fi
