import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Frame, Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Puts axe-core into the page, unless this document has it already: its half a megabyte
 * parsed again took as long as the scan itself, 1-2 s a scan beside five pages playing
 * video. Evaluated through the browser's debugging protocol, not a <script> tag: the app's
 * Content-Security-Policy blocks inline scripts, as it should.
 */
export async function injectAxe(page: Page | Frame): Promise<void> {
  if (await page.evaluate(() => 'axe' in window)) return;
  await page.evaluate(AXE_SOURCE);
}

export interface AxeNode {
  target: string[];
  html: string;
  failureSummary?: string;
}

export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  nodes: AxeNode[];
}

/** Runs axe-core in the page; returns only the serious and critical violations. */
export async function axeSeriousViolations(page: Page): Promise<AxeViolation[]> {
  await injectAxe(page);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: unknown[] }> } }
    ).axe;
    return (await axe.run(document)).violations;
  });
  return (violations as AxeViolation[]).filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );
}

export const describeViolations = (vs: AxeViolation[]) =>
  vs
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `  ${n.target.join(' ')} ${n.failureSummary ?? ''}`).join('\n')}`,
    )
    .join('\n');

/**
 * Axe scans of named steps, asserted together at the end, so a scan never sits inside a
 * timed step and one failing page does not hide the others.
 */
export function axeLog() {
  const steps: { step: string; violations: AxeViolation[] }[] = [];
  return {
    steps,
    async scan(page: Page, step: string): Promise<void> {
      steps.push({ step, violations: await axeSeriousViolations(page) });
    },
    /** Every step with violations, described; '' when there are none. */
    failures(): string {
      return steps
        .filter((s) => s.violations.length > 0)
        .map((s) => `${s.step}:\n${describeViolations(s.violations)}`)
        .join('\n');
    },
  };
}
