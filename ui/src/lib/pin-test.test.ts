/** Pinning tap entries as a test case: injections from the entries, expectations from the snapshot's outputs. */
import { describe, expect, test } from 'vitest';
import type { SnapshotAnswer } from '../../../server/flow-tests/snapshot';
import type { TapEntry } from '../api/tap-types';
import { pinnedCase, pinnedInjections, uniqueCaseName, withCase, withoutCase } from './pin-test';

const b64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

function entry(seq: number, content: string | undefined, attributes: Record<string, string>): TapEntry {
  return {
    seq,
    time: 0,
    connectionId: 'gen-to-route',
    flowFileId: `ff-${seq}-0000000`,
    attributes,
    size: content?.length ?? 0,
    ...(content !== undefined && { content: b64(content) }),
  };
}

const snapshot: SnapshotAnswer = {
  flowId: 'f',
  at: 'gen-to-route',
  destination: 'route',
  destinationType: 'RouteOnAttribute',
  mute: ['gen'],
  capture: ['log'],
  consistent: true,
  outputs: [
    {
      relationship: 'eu',
      place: 'route:eu',
      count: 1,
      flowFiles: [
        {
          attributes: { uuid: 'u1', region: 'eu', 'route.name': 'eu', stamp: '1', filename: 'a' },
          varying: ['uuid', 'stamp'],
          size: 15,
          content: '{"region":"eu"}',
          contentVaries: false,
        },
      ],
    },
    { relationship: 'unmatched', place: 'route:unmatched', count: 0, flowFiles: [] },
  ],
};

describe('pinnedInjections', () => {
  test('oldest first, content decoded, the engine uuid left out', () => {
    const pinned = pinnedInjections([
      entry(2, 'ünïcode', { uuid: 'x', region: 'eu' }),
      entry(1, '{"region":"eu"}', { uuid: 'y', filename: 'a', region: 'eu' }),
    ]);
    expect(pinned).toEqual({
      ok: true,
      inject: [
        { content: '{"region":"eu"}', attributes: { filename: 'a', region: 'eu' } },
        { content: 'ünïcode', attributes: { region: 'eu' } },
      ],
    });
  });

  test('refused, naming the FlowFile, without content, cut content or binary content', () => {
    expect(pinnedInjections([])).toMatchObject({ ok: false });
    expect(pinnedInjections([entry(1, undefined, {})])).toEqual({
      ok: false,
      message: 'FlowFile ff-1-000: its content is not shown to your role, so it cannot be pinned.',
    });
    expect(pinnedInjections([{ ...entry(1, 'x', {}), contentTruncated: true }])).toMatchObject({
      ok: false,
      message: expect.stringContaining('64 KiB'),
    });
    expect(pinnedInjections([{ ...entry(1, 'x', {}), content: btoa('\xff\xfe') }])).toMatchObject({
      ok: false,
      message: expect.stringContaining('not text'),
    });
  });
});

describe('pinnedCase', () => {
  test('per relationship the count; per FlowFile the changed attributes (not varying ones) and small JSON', () => {
    const inject = [{ content: '{"region":"eu"}', attributes: { filename: 'a', region: 'eu' } }];
    expect(pinnedCase('pinned', inject, snapshot)).toEqual({
      name: 'pinned',
      mute: ['gen'],
      capture: ['log'],
      inject: [
        { at: 'gen-to-route', content: '{"region":"eu"}', attributes: { filename: 'a', region: 'eu' }, repeat: 1 },
      ],
      expect: [
        { at: 'route:eu', count: 1 },
        { at: 'route:eu', nth: 0, attributes: { 'route.name': 'eu' }, content: { json: { region: 'eu' } } },
        { at: 'route:unmatched', count: 0 },
      ],
      timeout: '10s',
    });
  });

  test('content that varies, is not JSON or is large is not pinned; neither is an unchanged FlowFile', () => {
    const ff = snapshot.outputs[0]!.flowFiles[0]!;
    const outputs = (content: string | undefined, contentVaries: boolean) => ({
      ...snapshot,
      outputs: [
        { ...snapshot.outputs[0]!, flowFiles: [{ ...ff, attributes: { region: 'eu' }, content, contentVaries }] },
      ],
    });
    const inject = [{ content: 'x', attributes: { region: 'eu' } }];
    const only = (s: SnapshotAnswer) => pinnedCase('c', inject, s).expect;
    expect(only(outputs('{"a":1}', true))).toEqual([{ at: 'route:eu', count: 1 }]);
    expect(only(outputs('plain text', false))).toEqual([{ at: 'route:eu', count: 1 }]);
    expect(only(outputs(JSON.stringify({ big: 'x'.repeat(2000) }), false))).toEqual([{ at: 'route:eu', count: 1 }]);
  });
});

describe('the test file', () => {
  test('appends under a free name; removing the last case leaves no file', () => {
    const testCase = (name: string) => ({
      name,
      inject: [],
      mute: [],
      capture: [],
      expect: [{ at: 'x' }],
      timeout: '1s',
    });
    const first = withCase(null, testCase('a'));
    expect(uniqueCaseName('a', first)).toBe('a (2)');
    expect(uniqueCaseName('b', first)).toBe('b');
    const two = withCase(first, testCase(uniqueCaseName('a', first)));
    expect(two.cases.map((c) => c.name)).toEqual(['a', 'a (2)']);
    expect(withoutCase(two, 'a')?.cases.map((c) => c.name)).toEqual(['a (2)']);
    expect(withoutCase(first, 'a')).toBeNull();
  });
});
