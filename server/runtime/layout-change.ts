import type { Flow } from '../../flows/flow-schema';

/**
 * Whether a new definition differs from the saved one only in what nothing runs on: where processors sit on the
 * canvas, and the flow's name and description. Such an edit (dragging a card, renaming the flow) is saved without
 * restarting a running flow, so a source does not start counting again because a box moved.
 */
export function onlyLayoutChanged(saved: unknown, next: Flow): boolean {
  return canonical(withoutLayout(saved)) === canonical(withoutLayout(next));
}

function withoutLayout(flow: unknown): unknown {
  if (!isObject(flow)) return flow;
  const { name: _name, description: _description, processors, ...rest } = flow;
  return {
    ...rest,
    processors: Array.isArray(processors)
      ? processors.map((p) => {
          if (!isObject(p)) return p;
          const { position: _position, ...kept } = p;
          return kept;
        })
      : processors,
  };
}

/** JSON with object keys sorted, so key order does not count as a change. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
