// Review output: a summary for people (colors on a TTY), JUnit XML for CI systems, JSON for tools.
import type { Paint } from "../cli/command.js";
import type { ReviewResult } from "./run.js";

export function summaryText(reviews: ReviewResult[], paint: Paint): string {
  const lines: string[] = [];
  let passed = 0;
  let failed = 0;
  for (const review of reviews) {
    lines.push(`${review.name} (${review.file})`);
    for (const result of review.results) {
      if (result.passed) {
        passed += 1;
        lines.push(`  ${paint("green", "PASS")} ${result.name}  ${paint("dim", `[${result.operation}]`)}`);
      } else {
        failed += 1;
        lines.push(`  ${paint("red", "FAIL")} ${result.name}  ${paint("dim", `[${result.operation}]`)} (${review.file}:${result.line})`);
        for (const failure of result.failures) lines.push(`       ${failure}`);
      }
    }
  }
  lines.push("", `${passed} passed, ${failed} failed`);
  return lines.join("\n");
}

const escape = (text: string): string =>
  text.replace(/[<>&"']/gu, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] ?? c);

export function junitXml(reviews: ReviewResult[]): string {
  const count = (review: ReviewResult, passed: boolean): number => review.results.filter((r) => r.passed === passed).length;
  const total = reviews.reduce((sum, review) => sum + review.results.length, 0);
  const failures = reviews.reduce((sum, review) => sum + count(review, false), 0);
  const suites = reviews.map((review) => {
    const cases = review.results.map((result) => {
      const attributes = `classname="${escape(review.name)}" name="${escape(result.name)}" file="${escape(review.file)}" line="${result.line}"`;
      if (result.passed) return `    <testcase ${attributes}/>`;
      const message = escape(result.failures[0] ?? "failed");
      return `    <testcase ${attributes}>\n      <failure message="${message}">${escape(result.failures.join("\n"))}</failure>\n    </testcase>`;
    });
    return [
      `  <testsuite name="${escape(review.name)}" tests="${review.results.length}" failures="${count(review, false)}" errors="0" skipped="0">`,
      ...cases,
      "  </testsuite>",
    ].join("\n");
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="msq-authz review" tests="${total}" failures="${failures}" errors="0">`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}
