import type { ValidationIssue } from './ajv';

/** Deepest nesting of objects and arrays a flow or a request body may have (a flow needs fewer than 20). */
export const MAX_NESTING_DEPTH = 64;

/**
 * The first place where `value` nests objects/arrays deeper than `maxDepth`, as an issue naming its JSON path;
 * undefined when it does not. Iterative, so a document nested a million levels deep cannot overflow the stack
 * here; run it before anything recursive (ajv, structuredClone, the config checks).
 */
export function checkNesting(value: unknown, maxDepth = MAX_NESTING_DEPTH, prefix = ''): ValidationIssue | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: prefix, depth: 1 }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.value === null || typeof item.value !== 'object') continue;
    if (item.depth > maxDepth)
      return {
        path: item.path,
        message: `nested deeper than ${maxDepth} levels of objects and arrays; flatten the document`,
      };
    const entries = Array.isArray(item.value) ? item.value.entries() : Object.entries(item.value);
    for (const [key, child] of entries)
      if (child !== null && typeof child === 'object')
        stack.push({ value: child, path: `${item.path}/${escapePointer(String(key))}`, depth: item.depth + 1 });
  }
  return undefined;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A UTF-8 byte-order mark at the start of a text is dropped, by the CLI and the API alike. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
