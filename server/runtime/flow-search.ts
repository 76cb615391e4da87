/**
 * Search across flows (the canvas's Ctrl+F): processors, connections, groups, ports, funnels and labels whose
 * name, id, type, relationships, text or config property (key or value) contains the query, case-insensitive.
 * It reads the definitions as stored (secrets are `${NAME}` references there, never values), grouped by flow.
 * Every hit names what matched and where the canvas draws it. A hit is a union on `kind`: a kind that is not a
 * canvas component (e.g. a parameter, once flows have them) adds a member with its own location.
 */
import { type ComponentKind, type ComponentLocation, componentsOf, type FlowComponent } from './flow-components';
import type { FlowSource } from './operations-summary';

/** What of a component matched. */
export type MatchField = 'name' | 'id' | 'type' | 'relationship' | 'text' | 'description' | 'property';

/** A processor, connection, group, port, funnel or label that matched. */
export interface ComponentHit extends ComponentLocation {
  kind: ComponentKind;
  flowId: string;
  flowName: string;
  globalId: string;
  name: string;
  /** A processor's type. */
  type?: string;
  field: MatchField;
  /** The config property that matched, as a dotted path (`attributes.region`). */
  property?: string;
  /** The text that matched, shortened around the match. */
  text: string;
}

export type SearchHit = ComponentHit;
export type SearchKind = SearchHit['kind'];

export interface SearchResult {
  query: string;
  /** Grouped by flow (flows by name); within a flow, names and ids before the rest. */
  hits: SearchHit[];
  /** More matched than the limit. */
  truncated: boolean;
}

export const SEARCH_LIMIT_MAX = 500;
const MAX_CONFIG_DEPTH = 8;
const SNIPPET = 40;
const FIELD_RANK: Record<MatchField, number> = {
  name: 0,
  id: 1,
  type: 2,
  relationship: 3,
  description: 4,
  text: 4,
  property: 5,
};

export function searchFlows(source: FlowSource, query: string, limit = 50): SearchResult {
  const needle = query.trim().toLowerCase();
  const hits: SearchHit[] = [];
  const truncated = false;
  if (needle === '') return { query, hits, truncated };
  const flows = [...source.list()].sort((a, b) => a.name.localeCompare(b.name));
  for (const flow of flows) {
    const found: SearchHit[] = [];
    for (const c of componentsOf(source.get(flow.id))) {
      const match = matchOf(c, needle);
      if (!match) continue;
      found.push({
        kind: c.kind,
        flowId: flow.id,
        flowName: flow.name,
        groups: c.groups,
        groupNames: c.groupNames,
        id: c.id,
        globalId: c.globalId,
        name: c.name,
        ...(c.kind === 'processor' && typeof c.spec.type === 'string' && { type: c.spec.type }),
        ...match,
      });
    }
    found.sort((a, b) => FIELD_RANK[a.field] - FIELD_RANK[b.field]);
    for (const hit of found) {
      if (hits.length === limit) return { query, hits, truncated: true };
      hits.push(hit);
    }
  }
  return { query, hits, truncated };
}

type Match = Pick<ComponentHit, 'field' | 'property' | 'text'>;

/** The first thing of a component that contains the query, most telling first. */
function matchOf(c: FlowComponent, needle: string): Match | undefined {
  const hit = (field: MatchField, value: unknown): Match | undefined =>
    typeof value === 'string' && value.toLowerCase().includes(needle)
      ? { field, text: snippet(value, needle) }
      : undefined;
  const spec = c.spec;
  const found =
    hit('name', spec.name) ??
    hit('id', c.id) ??
    // A global id names the groups too: matched only for a query that is one (or part of one), not for every
    // component under a group whose id matches.
    (c.globalId !== c.id && needle.includes('__') ? hit('id', c.globalId) : undefined) ??
    (c.kind === 'processor' ? hit('type', spec.type) : undefined) ??
    (c.kind === 'label' ? hit('text', spec.text) : undefined) ??
    (c.kind === 'group' ? hit('description', spec.description) : undefined);
  if (found) return found;
  if (c.kind === 'connection' && Array.isArray(spec.relationships))
    for (const r of spec.relationships) {
      const m = hit('relationship', r);
      if (m) return m;
    }
  if (c.kind === 'processor') return propertyMatch(spec.config, needle, '', 0);
  return undefined;
}

/** A config property whose key or value (a string, number or boolean, at any depth) contains the query. */
function propertyMatch(value: unknown, needle: string, path: string, depth: number): Match | undefined {
  if (depth > MAX_CONFIG_DEPTH || value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    const text = String(value);
    return path !== '' && text.toLowerCase().includes(needle)
      ? { field: 'property', property: path, text: snippet(text, needle) }
      : undefined;
  }
  if (typeof value !== 'object') return undefined;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [key, v] of entries) {
    const at = path === '' ? key : `${path}.${key}`;
    if (!Array.isArray(value) && key.toLowerCase().includes(needle))
      return { field: 'property', property: at, text: snippet(typeof v === 'object' ? key : String(v), needle) };
    const m = propertyMatch(v, needle, at, depth + 1);
    if (m) return m;
  }
  return undefined;
}

/** The value cut to about SNIPPET characters either side of the match, on one line. */
function snippet(value: string, needle: string): string {
  const flat = value.replace(/\s+/g, ' ');
  const at = flat.toLowerCase().indexOf(needle);
  if (at < 0 || flat.length <= 2 * SNIPPET + needle.length) return flat.slice(0, 2 * SNIPPET + needle.length);
  const start = Math.max(0, at - SNIPPET);
  const end = Math.min(flat.length, at + needle.length + SNIPPET);
  return `${start > 0 ? '…' : ''}${flat.slice(start, end)}${end < flat.length ? '…' : ''}`;
}
