/**
 * `--parameters FILE` (sluice run, serve and validate): a JSON object of parameter name → string value. Each
 * value replaces the value of every parameter of that name, in every parameter context (of every flow, for
 * serve); later files win over earlier ones. A name no context declares changes nothing: a warning, not an error.
 */
import { readFile } from 'node:fs/promises';
import { stripBom } from '../validation/nesting';
import { mapParameters } from './sensitive-values';

const NAME = /^[A-Za-z0-9._ -]{1,255}$/;

export type ParametersFile = { ok: true; values: Record<string, string> } | { ok: false; error: string };

/** Parses one file's text; an error names the file and the JSON path. */
export function parseParameters(text: string, file: string): ParametersFile {
  let json: unknown;
  try {
    json = JSON.parse(stripBom(text));
  } catch (err) {
    return { ok: false, error: `${file}: invalid JSON: ${(err as Error).message}` };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    return { ok: false, error: `${file}: /: must be an object of parameter name → value, e.g. {"batch": "100"}` };
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(json)) {
    const path = `/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!NAME.test(name))
      return {
        ok: false,
        error: `${file}: ${path}: "${name}" is not a parameter name (1 to 255 letters, digits, ".", "_", "-" or spaces)`,
      };
    if (typeof value !== 'string')
      return {
        ok: false,
        error: `${file}: ${path}: must be a string (write ${JSON.stringify(JSON.stringify(value) ?? '')}), not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
      };
    values[name] = value;
  }
  return { ok: true, values };
}

/** Reads and merges the files in order (a later file wins); the first problem is the error. */
export async function loadParameterFiles(files: readonly string[]): Promise<ParametersFile> {
  const values: Record<string, string> = {};
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      return { ok: false, error: `${file}: cannot read the parameters file: ${(err as Error).message}` };
    }
    const parsed = parseParameters(text, file);
    if (!parsed.ok) return parsed;
    Object.assign(values, parsed.values);
  }
  return { ok: true, values };
}

/** The override names that no parameter context of these flows declares. */
export function undeclaredParameters(overrides: Readonly<Record<string, string>>, flows: readonly unknown[]): string[] {
  const declared = new Set<string>();
  for (const flow of flows)
    mapParameters(flow, (p) => {
      if (typeof p.name === 'string') declared.add(p.name);
      return p;
    });
  return Object.keys(overrides).filter((name) => !declared.has(name));
}
