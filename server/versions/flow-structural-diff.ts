/**
 * The user-facing difference between two flow JSONs (versions, `sluice diff`): components added, removed,
 * changed (each changed property with its old and new value) or only moved. Pure; the API, the CLI and the UI
 * read the same result. Unlike the engine's own diff (server/engine/flow-diff.ts: what must restart), names,
 * descriptions and positions count here, and groups are compared as written, not flattened.
 */
import { componentKey, type FlowComponent, flowComponents } from './flow-components';
import { isPlainObject, jsonEqual } from './stable-json';
import type { ComponentChange, FlowStructuralDiff, PropertyChange, XY } from './version-types';

/** Properties that only say where a component is drawn. */
const LAYOUT = new Set(['position', 'size']);

export function diffFlowStructure(before: unknown, after: unknown): FlowStructuralDiff {
  const old = new Map(flowComponents(before).map((c) => [componentKey(c), c]));
  const next = new Map(flowComponents(after).map((c) => [componentKey(c), c]));
  const components: ComponentChange[] = [];
  for (const [key, c] of old) if (!next.has(key)) components.push(entry(c, 'removed'));
  for (const [key, c] of next) {
    const was = old.get(key);
    if (!was) {
      components.push(entry(c, 'added'));
      continue;
    }
    const found: Found[] = [];
    diffValues(was.props, c.props, [], found);
    if (found.length === 0) continue;
    const layoutOnly = found.every((f) => LAYOUT.has(f.segments[0]!));
    const changes = found.map((f) =>
      c.kind === 'parameterContext' ? hideSensitive(f, was.props, c.props) : toChange(f),
    );
    components.push({ ...entry(c, layoutOnly ? 'moved' : 'changed'), changes });
  }
  return { equal: components.length === 0, components };
}

function entry(c: FlowComponent, change: ComponentChange['change']): ComponentChange {
  const name = typeof c.props.name === 'string' ? c.props.name : undefined;
  const position = positionOf(c.props.position);
  return {
    kind: c.kind,
    id: c.id,
    group: c.group,
    ...(name !== undefined && { name }),
    change,
    ...(position && { position }),
  };
}

function positionOf(value: unknown): XY | undefined {
  return isPlainObject(value) && typeof value.x === 'number' && typeof value.y === 'number'
    ? { x: value.x, y: value.y }
    : undefined;
}

/** A difference found, with its path as segments (a parameter name may hold a dot). */
interface Found {
  segments: string[];
  old: unknown;
  new: unknown;
}

const toChange = (f: Found): PropertyChange => ({
  path: f.segments.join('.'),
  ...(f.old !== undefined && { old: f.old }),
  ...(f.new !== undefined && { new: f.new }),
});

/** Objects are compared key by key; anything else (arrays included) as a whole. */
function diffValues(a: unknown, b: unknown, path: string[], out: Found[]): void {
  if (jsonEqual(a, b)) return;
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...Object.keys(a), ...Object.keys(b).filter((k) => !Object.hasOwn(a, k))];
    for (const key of keys) diffValues(a[key], b[key], [...path, key], out);
    return;
  }
  out.push({ segments: path, old: a, new: b });
}

/** A sensitive parameter's value (plain or encrypted) never appears in a diff: only that it changed. */
function hideSensitive(f: Found, before: Record<string, unknown>, after: Record<string, unknown>): PropertyChange {
  const [first, name, field] = f.segments;
  const isSensitive = (props: Record<string, unknown>) => {
    const params = props.parameters;
    const parameter = isPlainObject(params) ? params[name!] : undefined;
    return isPlainObject(parameter) && parameter.sensitive === true;
  };
  if (first !== 'parameters' || name === undefined || !(isSensitive(before) || isSensitive(after))) return toChange(f);
  if (field === undefined) return toChange({ ...f, old: withoutValue(f.old), new: withoutValue(f.new) });
  if (field === 'value') return { path: f.segments.join('.'), sensitive: true };
  return toChange(f);
}

function withoutValue(parameter: unknown): unknown {
  if (!isPlainObject(parameter)) return parameter;
  const { value: _value, ...rest } = parameter;
  return rest;
}
