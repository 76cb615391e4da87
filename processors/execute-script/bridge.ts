/**
 * What a script may ask of the processor when its author opted in (`allow.fs`, `allow.net`). The calls run here,
 * in the server, not in the script process (which has no file system access at all): files are confined to the
 * server's allowed directories by their real path, reads and responses are capped at the memory limit.
 */
import { constants } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../file-access';

export interface BridgeOptions {
  allowedDirs: readonly string[];
  allow: { fs: boolean; net: boolean };
  maxBytes: number;
  timeoutMs: number;
}

export type BridgeCall = (op: string, args: unknown[]) => Promise<{ json?: string; bytes?: Uint8Array }>;

export function bridge(options: BridgeOptions): BridgeCall {
  return async (op, args) => {
    if (op.startsWith('fs.') && !options.allow.fs) throw new Error('fs is not allowed for this processor');
    if (op === 'fetch' && !options.allow.net) throw new Error('the network is not allowed for this processor');
    switch (op) {
      case 'fs.readFile': {
        const file = await confined(String(args[0]), options.allowedDirs, false);
        const info = await stat(file);
        if (info.size > options.maxBytes)
          throw new Error(`${args[0]} is ${info.size} bytes, over the script memory limit of ${options.maxBytes}`);
        const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
        try {
          const data = await handle.readFile();
          return typeof args[1] === 'string'
            ? { json: JSON.stringify(data.toString(args[1] as BufferEncoding)) }
            : { bytes: data };
        } finally {
          await handle.close();
        }
      }
      case 'fs.writeFile': {
        const file = await confined(String(args[0]), options.allowedDirs, true);
        const data = args[1] as { text?: string; bytes?: number[] };
        const body = data?.bytes ? Buffer.from(data.bytes) : Buffer.from(String(data?.text ?? ''));
        // O_NOFOLLOW: a symbolic link at the target is refused rather than written through.
        const handle = await open(
          file,
          constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
        );
        try {
          await handle.writeFile(body);
        } finally {
          await handle.close();
        }
        return {};
      }
      case 'fs.readdir': {
        const dir = await confined(String(args[0]), options.allowedDirs, false);
        return { json: JSON.stringify(await readdir(dir)) };
      }
      case 'fetch':
        return { json: JSON.stringify(await fetchText(String(args[0]), args[1], options)) };
      default:
        throw new Error(`unknown operation ${op}`);
    }
  };
}

/** The real path of `target` when it lies under an allowed directory (after resolving every link). */
async function confined(target: string, allowedDirs: readonly string[], forWrite: boolean): Promise<string> {
  if (!path.isAbsolute(target)) throw new Error(`fs: "${target}" is not an absolute path`);
  const real = forWrite
    ? path.join(await realpath(path.dirname(target)), path.basename(target))
    : await realpath(target);
  if (allowedDirs.length === 0) return real;
  const roots = await Promise.all(allowedDirs.map((d) => realpath(d).catch(() => undefined)));
  if (!roots.some((root) => root !== undefined && isInside(root, real)))
    throw new Error(`fs: "${target}" is outside the allowed directories`);
  return real;
}

async function fetchText(url: string, init: unknown, options: BridgeOptions) {
  const o = (init ?? {}) as { method?: string; headers?: Record<string, string>; body?: string };
  const response = await fetch(url, {
    method: o.method,
    headers: o.headers,
    body: o.body,
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > options.maxBytes) throw new Error(`response of ${declared} bytes is over the script memory limit`);
  const body = await response.text();
  if (body.length > options.maxBytes) throw new Error('response is over the script memory limit');
  return { status: response.status, ok: response.ok, headers: Object.fromEntries(response.headers), body };
}
