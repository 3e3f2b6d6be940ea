#!/usr/bin/env bash
# `npm test`: every vitest project (unit, int-pglite, int-postgres), then the Playwright journeys
# against the built app. Both always run; the exit code fails if either failed, and the last line
# is one summary for both: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT

echo "=== vitest: unit, int-pglite, int-postgres ==="
VITEST_JSON_REPORT="$reports/vitest.json" npx vitest run
vitest_status=$?

echo "=== playwright: end-to-end ==="
PLAYWRIGHT_JSON_OUTPUT_FILE="$reports/playwright.json" npx playwright test --reporter=list,json
playwright_status=$?

echo "=== summary ==="
node - "$reports/vitest.json" "$vitest_status" "$reports/playwright.json" "$playwright_status" <<'NODE'
const fs = require("node:fs");
const [vitestFile, vitestStatus, playwrightFile, playwrightStatus] = process.argv.slice(2);

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

const total = { passed: 0, failed: 0, skipped: 0 };
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
