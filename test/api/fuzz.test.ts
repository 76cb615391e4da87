import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXAMPLES_DIR } from '../../server/serve';
import { pipeFlow, startTestServer, type TestServer } from './api-helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

const examples: unknown[] = [
  ...readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(EXAMPLES_DIR, f), 'utf8'))),
  pipeFlow('fuzz'),
];

/** Every (container, key) in a JSON tree, the root's children first. */
function slots(value: unknown): { parent: any; key: string | number }[] {
  const out: { parent: any; key: string | number }[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node))
      node.forEach((child, i) => {
        out.push({ parent: node, key: i });
        walk(child);
      });
    else if (node && typeof node === 'object')
      for (const [k, child] of Object.entries(node)) {
        out.push({ parent: node, key: k });
        walk(child);
      }
  };
  walk(value);
  return out;
}

const mutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('set', 'delete', 'duplicate', 'rename'),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string(), fc.integer(), fc.constant(null)),
  name: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('id', 'type', 'config', 'success', '__proto__')),
});

/** A valid flow with a few random edits: the bodies most likely to reach deep into validation. */
const mutatedFlow = fc
  .tuple(fc.constantFrom(...examples), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([base, edits]) => {
    const flow = structuredClone(base);
    for (const edit of edits) {
      const all = slots(flow);
      if (all.length === 0) break;
      const { parent, key } = all[edit.at % all.length]!;
      if (edit.op === 'set') parent[key] = edit.value;
      else if (edit.op === 'delete') Array.isArray(parent) ? parent.splice(key as number, 1) : delete parent[key];
      else if (edit.op === 'duplicate' && Array.isArray(parent)) parent.push(structuredClone(parent[key as number]));
      else if (!Array.isArray(parent)) parent[edit.name] = structuredClone(parent[key]);
    }
    return flow;
  });

const anyBody = fc.oneof(mutatedFlow, mutatedFlow, fc.jsonValue({ maxDepth: 4 }));

async function post(route: string, body: string) {
  const res = await fetch(`${t.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, body: (await res.json()) as any };
}

function expectAnswer(answer: { status: number; body: any }, route: string, sent: string) {
  const ok = answer.status >= 200 && answer.status < 300;
  const clientError = answer.status >= 400 && answer.status < 500;
  if (!ok && !clientError) throw new Error(`${route} answered ${answer.status} for ${sent.slice(0, 500)}`);
  if (clientError) {
    expect(typeof answer.body.error).toBe('string');
    expect(Array.isArray(answer.body.details)).toBe(true);
    for (const d of answer.body.details) expect(typeof d.path).toBe('string');
  }
}

describe('fuzz: random and mutated flow bodies', () => {
  test('validate and import answer 2xx or 4xx every time, and the server stays healthy', async () => {
    const seen = { valid: 0, invalid: 0, imported: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(anyBody, async (body) => {
        const text = JSON.stringify(body) ?? 'null';
        const validated = await post('/api/flows/validate', text);
        expectAnswer(validated, 'validate', text);
        if (validated.status === 200) seen[validated.body.valid ? 'valid' : 'invalid']++;
        const imported = await post('/api/flows/import?replace=true', text);
        expectAnswer(imported, 'import', text);
        seen[imported.status < 300 ? 'imported' : 'refused']++;
        // The two must agree: a flow validate calls valid imports, one it calls invalid is refused.
        if (validated.status === 200) expect(imported.status < 300).toBe(validated.body.valid);
      }),
      { numRuns: 1500 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        for (const route of ['/api/flows/validate', '/api/flows/import'])
          expectAnswer(await post(route, text), route, text);
      }),
      { numRuns: 200 },
    );
    // Both kinds of answers were exercised, not just one.
    expect(seen.valid).toBeGreaterThan(10);
    expect(seen.invalid).toBeGreaterThan(500);
    expect(seen.imported).toBe(seen.valid);
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
    const list = await fetch(`${t.url}/api/flows`);
    expect(list.status).toBe(200);
  }, 60_000);
});
