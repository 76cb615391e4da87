/**
 * Parameters as the canvas shows them, computed from the flow document alone (docs/parameters.md): which context
 * a level binds (a group without a binding uses its parent's), what a context offers (its own parameters, then
 * each inherited context's in order, the first that has the name wins), the `#{name}` references in a config
 * (`##{` is an escaped, literal `#{`), a reference's value for display (sensitive values are never known to the
 * UI: masked), the suggestions offered while typing `#{`, and which processors reference a parameter.
 */
import type { GroupSpec, ParameterContextSpec, ParameterSpec } from '../../../flows/flow-schema';
import type { Flow, ProcessorSpec } from '../api/types';

/** A parameter as seen from one binding: where it comes from and, when not sensitive, its value. */
export interface ScopedParameter {
  name: string;
  /** The context that declares it (the bound one or one it inherits). */
  context: string;
  sensitive: boolean;
  /** The value (never for a sensitive parameter: the server does not send it). */
  value?: string;
  /** Sensitive: whether the server holds a value. */
  set?: boolean;
  description?: string;
}

/** What a level resolves `#{...}` against: the binding in force there and the parameters it offers. */
export interface ParameterScope {
  /** The context bound (here or above); undefined when nothing binds one. */
  contextId?: string;
  /** Nearest first: the bound context's own parameters, then the inherited ones. */
  parameters: ScopedParameter[];
}

export const NO_SCOPE: ParameterScope = { parameters: [] };

/** The mask shown in place of a sensitive value. */
export const MASK = '••••';

const contextsOf = (flow: Flow | null | undefined): ParameterContextSpec[] =>
  Array.isArray(flow?.parameterContexts) ? flow.parameterContexts : [];

/** The groups along `path` (outermost first); stops where a group does not exist. */
export function groupsAlong(flow: Flow, path: readonly string[]): GroupSpec[] {
  const out: GroupSpec[] = [];
  let groups = flow.groups ?? [];
  for (const id of path) {
    const g = groups.find((x) => x.id === id);
    if (!g) break;
    out.push(g);
    groups = g.groups ?? [];
  }
  return out;
}

/** The context id bound at level `path` (its own, or the nearest enclosing level's, or the flow's). */
export function bindingAt(flow: Flow, path: readonly string[]): string | undefined {
  const groups = groupsAlong(flow, path);
  for (let i = groups.length - 1; i >= 0; i--) if (groups[i]!.parameterContext) return groups[i]!.parameterContext;
  return flow.parameterContext;
}

/** What context `id` offers, its own first, then each inherited one's (recursively) for names not found yet. */
export function effectiveParameters(flow: Flow, id: string | undefined): ScopedParameter[] {
  const contexts = new Map(contextsOf(flow).map((c) => [c.id, c]));
  const out = new Map<string, ScopedParameter>();
  const walk = (cid: string, open: Set<string>) => {
    const context = contexts.get(cid);
    if (!context || open.has(cid)) return;
    open.add(cid);
    for (const p of context.parameters ?? []) if (!out.has(p.name)) out.set(p.name, scoped(p, cid));
    for (const parent of context.inherits ?? []) walk(parent, open);
    open.delete(cid);
  };
  if (id) walk(id, new Set());
  return [...out.values()];
}

function scoped(p: ParameterSpec, context: string): ScopedParameter {
  const sensitive = p.sensitive === true;
  const out: ScopedParameter = { name: p.name, context, sensitive };
  if (sensitive) out.set = p.set === true || typeof p.value === 'string';
  else if (typeof p.value === 'string') out.value = p.value;
  if (p.description) out.description = p.description;
  return out;
}

/** The parameters `#{...}` resolves against at level `path`. */
export function scopeAt(flow: Flow | null | undefined, path: readonly string[]): ParameterScope {
  if (!flow) return NO_SCOPE;
  const contextId = bindingAt(flow, path);
  return { contextId, parameters: effectiveParameters(flow, contextId) };
}

/** One piece of a config string: literal text, or a reference `#{name}`. */
export type Piece = { text: string } | { ref: string };

/**
 * Splits a string into text and references as the server does: a run of n "#" before "{" is n/2 literal "#"s,
 * then (n odd) a reference. So `##{` is the literal text `#{` and `###{x}` is "#" and a reference. A `#{` that is
 * not closed, or names nothing valid, stays text here (the server reports it).
 */
export function splitReferences(text: string): Piece[] {
  const out: Piece[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '#') {
      literal += text[i];
      i++;
      continue;
    }
    let n = 0;
    while (text[i + n] === '#') n++;
    if (text[i + n] !== '{') {
      literal += '#'.repeat(n);
      i += n;
      continue;
    }
    const close = text.indexOf('}', i + n + 1);
    const name = close < 0 ? '' : text.slice(i + n + 1, close);
    if (n % 2 === 0 || !NAME.test(name)) {
      // escaped (or not a reference): the hashes halve when escaped, the "{" stays text
      literal += n % 2 === 0 ? '#'.repeat(n / 2) : '#'.repeat(n);
      i += n;
      continue;
    }
    literal += '#'.repeat(Math.floor(n / 2));
    if (literal) out.push({ text: literal });
    literal = '';
    out.push({ ref: name });
    i = close + 1;
  }
  if (literal) out.push({ text: literal });
  return out;
}

const NAME = /^[A-Za-z0-9._ -]{1,255}$/;

/** The names referenced anywhere in a value (strings at any depth of objects and arrays; keys are not read). */
export function findReferences(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') {
    if (value.includes('#{')) for (const p of splitReferences(value)) if ('ref' in p) into.add(p.ref);
  } else if (Array.isArray(value)) for (const v of value) findReferences(v, into);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) findReferences(v, into);
  return into;
}

/** A string's value as it will run, for display: each reference replaced, sensitive ones masked. */
export interface ResolvedText {
  /** The pieces, each reference with what it resolves to. */
  pieces: ({ text: string } | { ref: string; found?: ScopedParameter })[];
  /** The whole text with values in place (MASK for sensitive ones, the reference itself when unknown). */
  display: string;
  /** Referenced names the scope does not offer. */
  unknown: string[];
  /** Referenced non-sensitive parameters without a value. */
  empty: string[];
}

export function resolveForDisplay(text: string, scope: ParameterScope): ResolvedText {
  const byName = new Map(scope.parameters.map((p) => [p.name, p]));
  const unknown: string[] = [];
  const empty: string[] = [];
  let display = '';
  const pieces = splitReferences(text).map((p) => {
    if ('text' in p) {
      display += p.text;
      return p;
    }
    const found = byName.get(p.ref);
    if (!found) {
      unknown.push(p.ref);
      display += `#{${p.ref}}`;
    } else if (found.sensitive) display += MASK;
    else if (found.value === undefined) {
      empty.push(p.ref);
      display += '';
    } else display += found.value;
    return { ref: p.ref, found };
  });
  return { pieces, display, unknown, empty };
}

/** True when the text holds at least one (unescaped) reference. */
export function hasReferences(text: string): boolean {
  return text.includes('#{') && splitReferences(text).some((p) => 'ref' in p);
}

/**
 * The reference being typed at `caret`: an unclosed `#{` before the caret (not escaped), and what follows it up
 * to the caret. Undefined when the caret is not inside one.
 */
export function suggestionQuery(text: string, caret: number): { start: number; query: string } | undefined {
  const before = text.slice(0, caret);
  const open = before.lastIndexOf('#{');
  if (open < 0) return undefined;
  if (open > 0 && before[open - 1] === '#') {
    // "##{" is literal, but "###{" is "#" + a reference
    let hashes = 0;
    for (let i = open - 1; i >= 0 && before[i] === '#'; i--) hashes++;
    if (hashes % 2 === 1) return undefined;
  }
  const query = before.slice(open + 2);
  if (query.includes('}') || !/^[A-Za-z0-9._ -]*$/.test(query)) return undefined;
  return { start: open, query };
}

/** Parameters matching what was typed: names starting with it first, then containing it; scope order within each. */
export function filterSuggestions<P extends { name: string }>(
  parameters: readonly P[],
  query: string,
  limit = 20,
): P[] {
  const q = query.toLowerCase();
  const starts = parameters.filter((p) => p.name.toLowerCase().startsWith(q));
  const contains = parameters.filter((p) => !p.name.toLowerCase().startsWith(q) && p.name.toLowerCase().includes(q));
  return [...starts, ...contains].slice(0, limit);
}

/** The text with the reference being typed (from `start` to `caret`) completed to `#{name}`; and the new caret. */
export function applySuggestion(
  text: string,
  start: number,
  caret: number,
  name: string,
): { text: string; caret: number } {
  const rest = text.slice(caret);
  // An already-typed closing brace right after the caret is reused rather than doubled.
  const after = rest.startsWith('}') ? rest.slice(1) : rest;
  const inserted = `#{${name}}`;
  return { text: text.slice(0, start) + inserted + after, caret: start + inserted.length };
}

/** Every processor of the flow with the path of the level it is in. */
export function allProcessors(flow: Flow): { path: string[]; processor: ProcessorSpec }[] {
  const out: { path: string[]; processor: ProcessorSpec }[] = [];
  const visit = (level: { processors?: ProcessorSpec[]; groups?: GroupSpec[] }, path: string[]) => {
    for (const p of level.processors ?? []) out.push({ path, processor: p });
    for (const g of level.groups ?? []) visit(g, [...path, g.id]);
  };
  visit(flow, []);
  return out;
}

/** A processor that references a parameter, where it is. */
export interface Referrer {
  path: string[];
  id: string;
  name: string;
}

/**
 * The processors whose config references parameter `name` of context `contextId`: those that contain `#{name}`
 * and whose level resolves that name to this context's parameter.
 */
export function parameterReferrers(flow: Flow, contextId: string, name: string): Referrer[] {
  const out: Referrer[] = [];
  const scopes = new Map<string, ParameterScope>();
  for (const { path, processor } of allProcessors(flow)) {
    if (!findReferences(processor.config).has(name)) continue;
    const key = path.join('/');
    if (!scopes.has(key)) scopes.set(key, scopeAt(flow, path));
    const hit = scopes.get(key)!.parameters.find((p) => p.name === name);
    if (hit?.context === contextId) out.push({ path, id: processor.id, name: processor.name ?? processor.id });
  }
  return out;
}

/** The contexts that can be reached from `id` through `inherits` (itself included): what it may not inherit. */
export function inheritanceClosure(flow: Flow, id: string): Set<string> {
  const byId = new Map(contextsOf(flow).map((c) => [c.id, c]));
  const seen = new Set<string>();
  const walk = (cid: string) => {
    if (seen.has(cid)) return;
    seen.add(cid);
    for (const p of byId.get(cid)?.inherits ?? []) walk(p);
  };
  walk(id);
  return seen;
}

/** Contexts that `id` may add to its `inherits` without a cycle or a duplicate. */
export function inheritable(flow: Flow, id: string): string[] {
  const context = contextsOf(flow).find((c) => c.id === id);
  const already = new Set(context?.inherits ?? []);
  return contextsOf(flow)
    .map((c) => c.id)
    .filter((c) => c !== id && !already.has(c) && !inheritanceClosure(flow, c).has(id));
}
