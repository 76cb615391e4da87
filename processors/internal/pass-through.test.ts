import { describe, expect, test } from 'vitest';
import { processorRunner } from '../../sdk/testing';
import { createRegistry } from '../registry';
import {
  ensureInternalProcessors,
  Funnel,
  INPUT_PORT_TYPE,
  InputPort,
  internalProcessors,
  isInternalType,
  OutputPort,
  PASS_THROUGH_BATCH,
} from './pass-through';

describe('ports and funnels', () => {
  test.each([InputPort, OutputPort, Funnel])(
    '%s moves every FlowFile unchanged, with no provenance event',
    async (d) => {
      const run = processorRunner(d, {});
      const sent = [run.enqueue('a', { k: '1' }), run.enqueue('b')];
      await run.trigger();
      const out = run.transferred('success');
      expect(out.map((ff) => ff.id)).toEqual(sent.map((ff) => ff.id));
      expect(out.map((ff) => ff.content.toString())).toEqual(['a', 'b']);
      expect(out[0]!.attributes).toEqual(sent[0]!.attributes);
      expect(run.provenance()).toEqual([]);
    },
  );

  test('one session takes at most a batch', async () => {
    const run = processorRunner(Funnel, {});
    for (let i = 0; i < PASS_THROUGH_BATCH + 5; i++) run.enqueue(String(i));
    await run.trigger();
    expect(run.transferred('success')).toHaveLength(PASS_THROUGH_BATCH);
  });

  test('internal types are marked, not built in, and registered once on demand', () => {
    expect(internalProcessors.every((d) => isInternalType(d.type))).toBe(true);
    const registry = createRegistry();
    expect(registry.types().some(isInternalType)).toBe(false);
    ensureInternalProcessors(registry);
    ensureInternalProcessors(registry);
    expect(registry.get(INPUT_PORT_TYPE)).toBe(InputPort);
    expect(registry.types().filter(isInternalType)).toHaveLength(3);
  });
});
