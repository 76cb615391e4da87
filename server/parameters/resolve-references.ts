/**
 * References in a processor's config, resolved without side effects: `#{name}` (a parameter of the context in
 * scope, NiFi's syntax; `##{` is a literal `#{`) and `${env:NAME}` / `${env:NAME:-default}` (an environment
 * variable). Every string of the config is resolved, at any depth; object keys are not. A string that is exactly
 * one reference, where the schema wants a number, an integer or a boolean, becomes that type.
 *
 * Two results per config: `shown`, where references to sensitive parameters are left as written (what the
 * processor's schema and its own checks see, so no check and no message ever holds a secret), and `patches`,
 * the strings that differ once those are replaced too (what the engine runs).
 */
import type { ValidationIssue } from '../validation/ajv';
import { type ConfigKey, childSchemas, expand, isSensitive, type Schema, scalarType } from './schema-at';

export const PARAMETER_NAME = /^[A-Za-z0-9._ -]{1,255}$/;
const ENV_REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/y;
/** The connectors' own `${NAME}` reference (read from the environment when they start, never stored). */
export const LEGACY_ENV_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

export type Token =
  | { kind: 'text'; text: string }
  | { kind: 'param'; name: string }
  | { kind: 'env'; name: string; fallback?: string }
  | { kind: 'malformed'; message: string };

/** Splits a string into literal text and references (`##{` is a literal `#{`, `###{x}` is `#` and a reference). */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let literal = '';
  const flush = () => {
    if (literal !== '') tokens.push({ kind: 'text', text: literal });
    literal = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '#') {
      let n = 0;
      while (text[i + n] === '#') n++;
      if (text[i + n] !== '{') {
        literal += '#'.repeat(n);
        i += n;
        continue;
      }
      literal += '#'.repeat(Math.floor(n / 2));
      i += n;
      if (n % 2 === 0) continue; // an escaped "#{": the "{" is plain text
      const close = text.indexOf('}', i + 1);
      const name = close < 0 ? '' : text.slice(i + 1, close);
      flush();
      if (close < 0 || !PARAMETER_NAME.test(name)) {
        tokens.push({
          kind: 'malformed',
          message: `malformed parameter reference "${text.slice(i - 1, close < 0 ? i + 20 : close + 1)}": write #{name} (letters, digits, ".", "_", "-", spaces), or ##{ for a literal #{`,
        });
        i = close < 0 ? text.length : close + 1;
        continue;
      }
      tokens.push({ kind: 'param', name });
      i = close + 1;
      continue;
    }
    if (c === '$' && text.startsWith('${env:', i)) {
      ENV_REFERENCE.lastIndex = i;
      const m = ENV_REFERENCE.exec(text);
      flush();
      if (!m) {
        const close = text.indexOf('}', i);
        tokens.push({
          kind: 'malformed',
          message: `malformed environment reference "${text.slice(i, close < 0 ? i + 20 : close + 1)}": write \${env:NAME} or \${env:NAME:-default} (NAME = letters, digits, _)`,
        });
        i = close < 0 ? text.length : close + 1;
        continue;
      }
      tokens.push({ kind: 'env', name: m[1]!, ...(m[2] !== undefined && { fallback: m[2] }) });
      i += m[0].length;
      continue;
    }
    literal += c;
    i++;
  }
  flush();
  return tokens;
}

/** What a parameter reference finds in the context bound where the config is. */
export interface ParameterHit {
  value: string | undefined;
  sensitive: boolean;
  /** The context that declares it (for messages). */
  context: string;
}

export interface ParameterLookup {
  get(name: string): ParameterHit | undefined;
  /** Why `name` is not found, e.g. `parameter "x" is not defined in context "dev" (bound at /parameterContext)`. */
  missing(name: string): string;
}

export interface ResolveContext {
  /** The parameters in scope; undefined when no context is bound (every parameter reference is then an issue). */
  parameters: ParameterLookup | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** Environment variables a flow may not read (the server's own secrets): the reason, or undefined. */
  refuseEnv?: (name: string) => string | undefined;
}

export interface StringResolution {
  /** Every reference replaced: what runs. */
  value: string;
  /** References to sensitive parameters left as written (`#{name}`), the rest replaced: what checks and messages see. */
  shown: string;
  /** The one reference the string consists of, if it is exactly one. */
  single?: Token & { kind: 'param' | 'env' };
  /** Names of the parameters referenced. */
  parameters: string[];
  /** Names of the sensitive parameters referenced, each with whether it stands as a URL's password. */
  sensitive: { name: string; urlPassword: boolean }[];
  problems: string[];
}

const NO_PARAMETERS =
  'no parameter context is bound to this group or the flow: bind one with "parameterContext" (a group without its own uses its parent\'s)';

/** Resolves the references of one string. */
export function resolveString(text: string, ctx: ResolveContext): StringResolution {
  const out: StringResolution = { value: '', shown: '', parameters: [], sensitive: [], problems: [] };
  if (!text.includes('#') && !text.includes('${env:')) {
    out.value = out.shown = text;
    return out;
  }
  const tokens = tokenize(text);
  const refs = tokens.filter((t) => t.kind === 'param' || t.kind === 'env');
  if (tokens.length === 1 && refs.length === 1) out.single = refs[0] as StringResolution['single'];
  for (const t of tokens) {
    switch (t.kind) {
      case 'text':
        out.value += t.text;
        out.shown += t.text;
        break;
      case 'malformed':
        out.problems.push(t.message);
        break;
      case 'env': {
        const refused = ctx.refuseEnv?.(t.name);
        const found = ctx.env[t.name];
        let value = '';
        if (refused) out.problems.push(refused);
        else if (found !== undefined) value = found;
        else if (t.fallback !== undefined) value = t.fallback;
        else
          out.problems.push(
            `environment variable ${t.name} is not set (set it, or give a default: \${env:${t.name}:-default})`,
          );
        out.value += value;
        out.shown += value;
        break;
      }
      case 'param': {
        const reference = `#{${t.name}}`;
        if (!out.parameters.includes(t.name)) out.parameters.push(t.name);
        const hit = ctx.parameters?.get(t.name);
        if (!hit) {
          out.problems.push(
            ctx.parameters ? ctx.parameters.missing(t.name) : `parameter "${t.name}": ${NO_PARAMETERS}`,
          );
          out.value += reference;
          out.shown += reference;
        } else if (hit.sensitive) {
          // An unset sensitive value is reported once, on the parameter itself.
          if (!out.sensitive.some((s) => s.name === t.name)) out.sensitive.push({ name: t.name, urlPassword: false });
          out.value += hit.value ?? '';
          out.shown += reference;
        } else if (hit.value === undefined) {
          out.problems.push(`parameter "${t.name}" of context "${hit.context}" has no value`);
          out.value += reference;
          out.shown += reference;
        } else {
          out.value += hit.value;
          out.shown += hit.value;
        }
        break;
      }
    }
  }
  if (out.sensitive.length > 0) markUrlPasswords(text, out.sensitive);
  return out;
}

/**
 * Marks the sensitive references that stand only as the password of a URL, `scheme://user:#{name}@host` (the URL at
 * the start of the string, or after a comma or white space: a list of servers).
 */
function markUrlPasswords(text: string, sensitive: StringResolution['sensitive']): void {
  const passwords =
    /(?:^|[\s,])[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/\s,:#]|#\{[A-Za-z0-9._ -]{1,255}\})*:#\{([A-Za-z0-9._ -]{1,255})\}@/g;
  const asPassword = new Map<string, number>();
  for (const m of text.matchAll(passwords)) asPassword.set(m[1]!, (asPassword.get(m[1]!) ?? 0) + 1);
  for (const s of sensitive) {
    const everywhere = text.split(`#{${s.name}}`).length - 1;
    s.urlPassword = (asPassword.get(s.name) ?? 0) === everywhere;
  }
}

/** A string replaced at a place of the config (the keys from the config's root). */
export interface ConfigPatch {
  keys: ConfigKey[];
  value: string;
}

export interface ConfigResolution {
  /** The config with sensitive references as written: what the processor's checks validate. */
  shown: unknown;
  /** Strings that hold a sensitive value once resolved (apply them to the checked config to run it). */
  patches: ConfigPatch[];
  /** Every parameter referenced. */
  parameters: string[];
  issues: ValidationIssue[];
}

const SENSITIVE_EXAMPLE = '"#{rabbit.password}"';

/**
 * Resolves every string of `config` (JSON) against `ctx`; `schema` is the processor's config schema (for type
 * conversion and sensitive properties); issue paths are prefixed with `prefix` ("/processors/0/config").
 */
export function resolveConfig(config: unknown, schema: unknown, ctx: ResolveContext, prefix = ''): ConfigResolution {
  const result: ConfigResolution = { shown: undefined, patches: [], parameters: [], issues: [] };
  const seen = new Set<string>();
  const walk = (value: unknown, keys: ConfigKey[], candidates: Schema[], depth: number): unknown => {
    if (typeof value === 'string') return resolveAt(value, keys, candidates);
    if (depth > 64 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      value.forEach((item, i) => {
        const next = walk(item, [...keys, i], childSchemas(candidates, i), depth + 1);
        if (next !== item) {
          copy ??= [...value];
          copy[i] = next;
        }
      });
      return copy ?? value;
    }
    let copy: Record<string, unknown> | undefined;
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const next = walk(item, [...keys, key], childSchemas(candidates, key), depth + 1);
      if (next !== item) {
        copy ??= { ...(value as Record<string, unknown>) };
        copy[key] = next;
      }
    }
    return copy ?? value;
  };

  const resolveAt = (text: string, keys: ConfigKey[], candidates: Schema[]): unknown => {
    const r = resolveString(text, ctx);
    const path = `${prefix}${keys.map((k) => `/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')}`;
    const issue = (message: string) => result.issues.push({ path, message });
    for (const name of r.parameters)
      if (!seen.has(name)) {
        seen.add(name);
        result.parameters.push(name);
      }
    for (const p of r.problems) issue(p);
    const property = keys.length > 0 ? String(keys.at(-1)) : 'config';
    if (isSensitive(candidates)) {
      // The schema check (processor-registry) refuses anything but a sensitive reference; say why here when
      // the reference names a parameter that is not sensitive (it was replaced by its value, which it refuses).
      const hit = r.single?.kind === 'param' ? ctx.parameters?.get(r.single.name) : undefined;
      if (r.single?.kind === 'param' && hit && !hit.sensitive)
        issue(
          `${property} must be a reference to a sensitive parameter, e.g. ${SENSITIVE_EXAMPLE}: parameter "${r.single.name}" is not sensitive`,
        );
    } else
      for (const s of r.sensitive)
        if (!s.urlPassword)
          issue(
            `sensitive parameter "${s.name}" can only be referenced by a sensitive property (such as a password) or as the password of a URL (scheme://user:#{${s.name}}@host)`,
          );
    const wanted = r.single && r.problems.length === 0 ? scalarType(candidates) : undefined;
    if (wanted && r.single && !(r.single.kind === 'param' && r.sensitive.length > 0)) {
      const converted = convert(r.value, wanted);
      if (converted === undefined) {
        const what =
          r.single.kind === 'param' ? `parameter "${r.single.name}"` : `environment variable ${r.single.name}`;
        issue(`${what} is "${r.value}", which is not ${wanted === 'integer' ? 'an integer' : `a ${wanted}`}`);
        return text;
      }
      return converted;
    }
    if (r.value !== r.shown) result.patches.push({ keys, value: r.value });
    return r.shown;
  };

  result.shown = walk(config, [], expand(schema), 0);
  return result;
}

function convert(text: string, type: 'number' | 'integer' | 'boolean'): number | boolean | undefined {
  const trimmed = text.trim();
  if (type === 'boolean') return trimmed === 'true' ? true : trimmed === 'false' ? false : undefined;
  if (!/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(trimmed)) return undefined;
  const n = Number(trimmed);
  if (!Number.isFinite(n)) return undefined;
  if (type === 'integer' && !Number.isInteger(n)) return undefined;
  return n;
}

/** Writes the patches into a copy of `config` (which has the same shape as the config they were made from). */
export function applyPatches<T>(config: T, patches: readonly ConfigPatch[]): T {
  if (patches.length === 0) return config;
  const copy = structuredClone(config);
  for (const { keys, value } of patches) {
    if (keys.length === 0) return value as T;
    let target: any = copy;
    for (const k of keys.slice(0, -1)) target = target?.[k];
    if (target !== null && typeof target === 'object') target[keys.at(-1)!] = value;
  }
  return copy;
}
