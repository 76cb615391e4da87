/**
 * The process's list of secret values (sensitive parameters, registered as flows are validated) and what takes
 * them out of text before it is shown or written: bulletins, log lines, processor start errors, quarantine
 * reasons and API answers. A value is also recognised URL-encoded, JSON-escaped, in base64 and in hex.
 * Values shorter than MIN_LENGTH are not redacted: they would garble every message and protect nothing.
 */
export const REDACTED = '[sensitive value]';
export const MIN_LENGTH = 4;

const known = new Set<string>();
/** Every form of every secret, longest first (so a longer secret is not cut by a shorter one inside it). */
let forms: string[] = [];

/** Adds secret values (repeats and short values are ignored). */
export function registerSecrets(values: Iterable<string>): void {
  let added = false;
  for (const v of values) {
    if (typeof v !== 'string' || v.length < MIN_LENGTH || known.has(v)) continue;
    known.add(v);
    added = true;
  }
  if (!added) return;
  const all = new Set<string>();
  for (const v of known) {
    all.add(v);
    all.add(encodeURIComponent(v));
    all.add(JSON.stringify(v).slice(1, -1));
    const bytes = Buffer.from(v, 'utf8');
    all.add(bytes.toString('base64'));
    all.add(bytes.toString('base64').replace(/=+$/, ''));
    all.add(bytes.toString('hex'));
  }
  forms = [...all].filter((f) => f.length >= MIN_LENGTH).sort((a, b) => b.length - a.length);
}

/** Whether any secret is registered (callers may skip work when none is). */
export function hasSecrets(): boolean {
  return forms.length > 0;
}

/** `text` with every registered secret replaced by REDACTED. */
export function redactSecrets(text: string): string {
  if (forms.length === 0 || typeof text !== 'string') return text;
  let out = text;
  for (const f of forms) if (out.includes(f)) out = out.split(f).join(REDACTED);
  return out;
}

/**
 * A copy of a JSON-like value (strings, arrays, plain objects, errors) with secrets redacted in every string;
 * the value itself when nothing changes. Errors become `{type, message, stack}` when they held a secret.
 */
export function redactDeep<T>(value: T): T {
  if (forms.length === 0) return value;
  return walk(value, 0, new Set()) as T;
}

function walk(value: unknown, depth: number, seen: Set<object>): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object' || depth > 32 || seen.has(value)) return value;
  seen.add(value);
  try {
    if (value instanceof Error) {
      const message = redactSecrets(value.message);
      const stack = value.stack === undefined ? undefined : redactSecrets(value.stack);
      if (message === value.message && stack === value.stack) return value;
      return { type: value.name, message, ...(stack !== undefined && { stack }) };
    }
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      value.forEach((item, i) => {
        const next = walk(item, depth + 1, seen);
        if (next !== item) {
          copy ??= [...value];
          copy[i] = next;
        }
      });
      return copy ?? value;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    let copy: Record<string, unknown> | undefined;
    for (const [key, item] of Object.entries(value)) {
      const next = walk(item, depth + 1, seen);
      if (next !== item) {
        copy ??= { ...(value as Record<string, unknown>) };
        copy[key] = next;
      }
    }
    return copy ?? value;
  } finally {
    seen.delete(value);
  }
}

/** The same error with secrets taken out of its message and stack (changed in place), for rethrowing. */
export function redactError<E>(err: E): E {
  if (forms.length === 0 || !(err instanceof Error)) return err;
  err.message = redactSecrets(err.message);
  if (err.stack) err.stack = redactSecrets(err.stack);
  return err;
}
