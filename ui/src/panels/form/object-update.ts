/**
 * A form's change as a function of the object it changes, applied by the store to its latest value: a field
 * committed late cannot bring back an older snapshot of its neighbours.
 */

export type ObjectUpdate = (prev: Record<string, unknown>) => Record<string, unknown>;

/** `obj` with `key` set to `value`, or without `key` when `value` is undefined (a new object either way). */
export function withKey(
  obj: Record<string, unknown> | undefined,
  key: string,
  value: unknown,
): Record<string, unknown> {
  const next = { ...(obj ?? {}) };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

/** An update of the object's `key` from an update of that key's own object. */
export function underKey(key: string, inner: ObjectUpdate): ObjectUpdate {
  return (prev) => {
    const current = prev[key];
    const obj = current && typeof current === 'object' && !Array.isArray(current) ? current : {};
    return withKey(prev, key, inner(obj as Record<string, unknown>));
  };
}
