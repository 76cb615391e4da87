/**
 * Runs the slowest test files first, from durations recorded in test/file-timings.json (a clean clone has no
 * Vitest cache, and Vitest then orders by file size, which left the 4-minute NATS parity file for the end).
 * Longest first keeps the three workers busy to the end instead of waiting on one late, long file. Files not in
 * the list (new ones) count as one second. Refresh the list with `npm run test:timings` after a full run.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const timings = JSON.parse(readFileSync(new URL('./file-timings.json', import.meta.url), 'utf8')) as Record<
  string,
  number
>;

export class SlowestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const weight = (file: TestSpecification) => timings[path.relative(root, file.moduleId)] ?? 1000;
    return [...files].sort((a, b) => {
      const groups = a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder;
      return groups !== 0 ? groups : weight(b) - weight(a);
    });
  }
}
