// `npm run test:timings`: writes test/file-timings.json (what test/slowest-first-sequencer.ts orders by) from the
// durations Vitest cached in node_modules/.vite/vitest/*/results.json during the last full `npm test`.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const cacheDir = path.join(root, 'node_modules/.vite/vitest');
const timings = {};
for (const dir of readdirSync(cacheDir)) {
  let cached;
  try {
    cached = JSON.parse(readFileSync(path.join(cacheDir, dir, 'results.json'), 'utf8'));
  } catch {
    continue;
  }
  for (const [key, result] of cached.results) {
    const file = key.slice(key.indexOf(':') + 1); // "<project>:<file>"
    timings[file] = Math.max(timings[file] ?? 0, Math.round(result.duration));
  }
}
const sorted = Object.fromEntries(Object.entries(timings).sort((a, b) => b[1] - a[1]));
writeFileSync(path.join(root, 'test/file-timings.json'), `${JSON.stringify(sorted, null, 0).replace(/,"/g, ',\n"')}\n`);
console.log(`test/file-timings.json: ${Object.keys(sorted).length} files`);
