import { describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { validateFlow } from '../validation/flow-validator';
import { diffFlows, restartedBy } from './flow-diff';

const registry = createRegistry();

/** gen → upd → log, resolved (defaults applied) as the engine gets it. */
function chain(edit: (flow: any) => void = () => {}) {
  const flow: any = {
    schemaVersion: 1,
    id: 'diff',
    name: 'Diff',
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', name: 'Generate', config: { count: 5 }, position: { x: 0, y: 0 } },
      { id: 'upd', type: 'UpdateAttribute', config: { attributes: { a: '"1"' } }, autoTerminate: ['failure'] },
      { id: 'log', type: 'LogAttribute', config: { logLevel: 'none' }, autoTerminate: ['success'] },
    ],
    connections: [
      { id: 'c1', source: 'gen', relationships: ['success'], target: 'upd' },
      { id: 'c2', source: 'upd', relationships: ['success'], target: 'log' },
    ],
  };
  edit(flow);
  const check = validateFlow(flow, registry);
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  return check.resolved;
}

const none = { added: [], removed: [], changed: [] };

describe('diffFlows', () => {
  test('the same flow, with names, positions, key order and set order changed, differs in nothing', () => {
    const next = chain((f) => {
      f.name = 'Renamed flow';
      f.processors[0].name = 'Another name';
      f.processors[0].position = { x: 500, y: 9 };
      f.processors[1] = {
        autoTerminate: ['failure'],
        config: { attributes: { a: '"1"' } },
        type: 'UpdateAttribute',
        id: 'upd',
      };
      f.connections[0].name = 'named now';
    });
    const diff = diffFlows(chain(), next);
    expect(diff.processors).toEqual({ ...none, rewired: [], unchanged: ['gen', 'upd', 'log'] });
    expect(diff.connections).toEqual({ ...none, unchanged: ['c1', 'c2'] });
  });

  test("a processor's config, schedule, disabled or autoTerminate change it, and only it", () => {
    const edits: ((f: any) => void)[] = [
      (f) => {
        f.processors[1].config.attributes.a = '"2"';
      },
      (f) => {
        f.processors[1].schedule = { period: '1s' };
      },
      (f) => {
        f.processors[1].disabled = true;
      },
      (f) => {
        f.processors[1].autoTerminate = ['failure', 'success'];
      },
      (f) => {
        f.processors[1].executionMode = 'primary';
      },
    ];
    for (const edit of edits) {
      const diff = diffFlows(chain(), chain(edit));
      expect(diff.processors).toEqual({ ...none, changed: ['upd'], rewired: [], unchanged: ['gen', 'log'] });
      expect(diff.connections.unchanged).toEqual(['c1', 'c2']);
      expect(restartedBy(diff)).toEqual(['upd']);
    }
  });

  test('a schedule written out with its defaults is no change', () => {
    const next = chain((f) => {
      f.processors[2].schedule = { period: '0s', concurrency: 1 };
    });
    expect(diffFlows(chain(), next).processors.changed).toEqual([]);
  });

  test('a type change is a change', () => {
    const next = chain((f) => {
      f.processors[2] = { id: 'log', type: 'UpdateAttribute', autoTerminate: ['success', 'failure'] };
    });
    expect(diffFlows(chain(), next).processors.changed).toEqual(['log']);
  });

  test("a connection's backPressure, expiration or prioritizer changes it and rewires both its ends", () => {
    const edits: ((f: any) => void)[] = [
      (f) => {
        f.connections[1].backPressure = { objects: 5 };
      },
      (f) => {
        f.connections[1].expiration = '1m';
      },
      (f) => {
        f.connections[1].prioritizer = 'newest-first';
      },
    ];
    for (const edit of edits) {
      const diff = diffFlows(chain(), chain(edit));
      expect(diff.connections).toEqual({ ...none, changed: ['c2'], unchanged: ['c1'] });
      expect(diff.processors).toEqual({ ...none, changed: [], rewired: ['upd', 'log'], unchanged: ['gen'] });
    }
  });

  test('a connection moved to another source rewires its old source, its new source and its target', () => {
    const next = chain((f) => {
      f.connections[1].source = 'gen';
      f.processors[1].autoTerminate = ['failure', 'success'];
    });
    const diff = diffFlows(chain(), next);
    expect(diff.connections.changed).toEqual(['c2']);
    expect(diff.processors.changed).toEqual(['upd']);
    expect(diff.processors.rewired).toEqual(['gen', 'log']);
  });

  test('relationships compare as a set', () => {
    const prev = chain((f) => {
      f.connections[1].relationships = ['success', 'failure'];
      f.processors[1].autoTerminate = [];
    });
    const next = chain((f) => {
      f.connections[1].relationships = ['failure', 'success'];
      f.processors[1].autoTerminate = [];
    });
    expect(diffFlows(prev, next).connections.changed).toEqual([]);
  });

  test('an added processor and connection rewire only the processor they attach to', () => {
    const next = chain((f) => {
      f.processors.push({ id: 'tap', type: 'LogAttribute', config: { logLevel: 'none' }, autoTerminate: ['success'] });
      f.connections.push({ id: 'c3', source: 'upd', relationships: ['success'], target: 'tap' });
    });
    const diff = diffFlows(chain(), next);
    expect(diff.processors).toEqual({
      added: ['tap'],
      removed: [],
      changed: [],
      rewired: ['upd'],
      unchanged: ['gen', 'log'],
    });
    expect(diff.connections).toEqual({ added: ['c3'], removed: [], changed: [], unchanged: ['c1', 'c2'] });
  });

  test('a removed processor and its connection rewire the processor left on the other end', () => {
    const prev = chain();
    const next = chain((f) => {
      f.processors.pop();
      f.connections.pop();
      f.processors[1].autoTerminate = ['failure', 'success'];
    });
    const diff = diffFlows(prev, next);
    expect(diff.processors).toEqual({ added: [], removed: ['log'], changed: ['upd'], rewired: [], unchanged: ['gen'] });
    expect(diff.connections).toEqual({ added: [], removed: ['c2'], changed: [], unchanged: ['c1'] });
  });
});
