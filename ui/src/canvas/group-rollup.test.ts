import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import type { Flow, FlowStatus } from '../api/types';
import { rollUp } from './group-rollup';

const nested = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, '../../../flows/examples/nested-groups.json'), 'utf8'),
) as Flow;

test('a group rolls up the processors and queues under it, by global id', () => {
  const intake = nested.groups![0]!;
  const status = {
    processors: {
      intake__tag: { state: 'running' },
      intake__checks__validate: { state: 'stopped' },
      intake__checks__pricing__price: { state: 'running' },
      tag: { state: 'running' },
    },
    connections: { 'intake__orders-to-tag': { count: 3 }, 'intake__checks__pricing__in-to-price': { count: 4 } },
  } as unknown as FlowStatus;
  expect(rollUp(intake, [], status)).toEqual({ running: 2, stopped: 1, invalid: 0, queued: 7 });
  const issues = { intake__checks__validate: [{ message: 'bad' }] } as never;
  expect(rollUp(intake, [], null, issues)).toEqual({ running: 0, stopped: 2, invalid: 1, queued: 0 });
  expect(rollUp(intake.groups![0]!, ['intake'], status)).toEqual({ running: 1, stopped: 1, invalid: 0, queued: 4 });
});
