/**
 * The process an ExecuteScript processor runs its script in, forked by script-host.ts. Plain JavaScript on
 * purpose: it runs under Node's permission model (no file system, no child processes, no workers) with an empty
 * environment, a V8 heap limit and code generation from strings disabled, so it must load without tsx.
 *
 * The user's script runs in a `node:vm` context created with a null-prototype global (no `this.constructor`
 * path back to this realm) holding only ECMAScript built-ins. Every value the script sees is made in that
 * context: batches arrive as a JSON string parsed there, binary content is copied into the context's own
 * Uint8Arrays, and results leave as a JSON string plus byte arrays read through this realm's getters.
 *
 * Protocol (IPC, advanced serialization): in `init` → out `ready` | `startError`; in `batch` → out `log`*,
 * `call`* (opt-in fs/fetch, answered by `reply`), then one `result` { seq, json?, binaries?, error? }.
 */
import { types } from 'node:util';
import vm from 'node:vm';

/** Runs inside the sandbox context (evaluated from its source text): builds the script's world. */
function bootstrap(host, opts) {
  const g = globalThis;
  const { defineProperty, freeze, getOwnPropertyNames } = Object;
  const { parse, stringify } = JSON;
  const { apply, construct } = Reflect;
  const then = Promise.prototype.then;
  const isArray = Array.isArray;
  const U8 = Uint8Array;
  const SafeMap = Map;
  const mapGet = Map.prototype.get;
  const mapSet = Map.prototype.set;
  const mapHas = Map.prototype.has;
  const exec = RegExp.prototype.exec;
  const byteLengthOf = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), 'byteLength').get;
  const MAX_LOG_LINES = 100;
  const MAX_LOG_CHARS = 2000;

  // Buffers live outside the V8 heap limit: count the live bytes the script allocates against the same limit.
  let live = 0;
  const released = new FinalizationRegistry((bytes) => {
    live -= bytes;
  });
  function reserve(bytes, made) {
    if (!(bytes > 0)) return;
    if (bytes > opts.memoryLimit || live + bytes > opts.memoryLimit)
      throw new RangeError(
        `allocating ${bytes} bytes of buffers would exceed the script memory limit (${opts.memoryLimit} bytes)`,
      );
    live += bytes;
    if (made !== undefined) released.register(made, bytes);
  }
  const OrigArrayBuffer = ArrayBuffer;
  function SandboxArrayBuffer(length, options) {
    if (new.target === undefined) throw new TypeError("Constructor ArrayBuffer requires 'new'");
    const max = options !== null && typeof options === 'object' ? Number(options.maxByteLength) : 0;
    const bytes = Math.max(Number(length) || 0, max || 0);
    if (bytes > opts.memoryLimit) reserve(bytes);
    const made = construct(
      OrigArrayBuffer,
      [length, options],
      new.target === SandboxArrayBuffer ? OrigArrayBuffer : new.target,
    );
    reserve(bytes, made);
    return made;
  }
  SandboxArrayBuffer.prototype = OrigArrayBuffer.prototype;
  SandboxArrayBuffer.isView = OrigArrayBuffer.isView;
  defineProperty(OrigArrayBuffer.prototype, 'constructor', {
    value: SandboxArrayBuffer,
    writable: true,
    configurable: true,
  });
  g.ArrayBuffer = SandboxArrayBuffer;
  for (const name of [
    'Int8Array',
    'Uint8Array',
    'Uint8ClampedArray',
    'Int16Array',
    'Uint16Array',
    'Int32Array',
    'Uint32Array',
    'Float32Array',
    'Float64Array',
    'BigInt64Array',
    'BigUint64Array',
  ]) {
    const Orig = g[name];
    const width = Orig.BYTES_PER_ELEMENT;
    const counted = function (...args) {
      if (new.target === undefined) throw new TypeError(`Constructor ${name} requires 'new'`);
      // A length or an array-like: check before allocating; a view on an existing buffer allocates nothing.
      const first = args[0];
      if (typeof first === 'number') reserve(first * width > opts.memoryLimit ? first * width : 0);
      const made = construct(Orig, args, new.target === counted ? Orig : new.target);
      if (typeof first !== 'object' || first === null || !(first instanceof OrigArrayBuffer))
        reserve(apply(byteLengthOf, made, []), made);
      return made;
    };
    counted.prototype = Orig.prototype;
    counted.BYTES_PER_ELEMENT = width;
    defineProperty(counted, 'name', { value: name });
    Object.setPrototypeOf(counted, Object.getPrototypeOf(Orig));
    defineProperty(Orig.prototype, 'constructor', { value: counted, writable: true, configurable: true });
    g[name] = counted;
  }
  // Shared memory, blocking waits and WebAssembly memories (allocated without compiling) are not offered.
  for (const name of ['SharedArrayBuffer', 'Atomics', 'WebAssembly']) delete g[name];

  function text(value) {
    if (typeof value === 'string') return value;
    try {
      const s = typeof value === 'object' && value !== null ? stringify(value) : String(value);
      return s === undefined ? String(value) : s;
    } catch {
      return '[unprintable]';
    }
  }
  let logged = 0;
  function logAt(level) {
    return (...values) => {
      logged++;
      if (logged > MAX_LOG_LINES) {
        if (logged === MAX_LOG_LINES + 1)
          host.log('warn', `more than ${MAX_LOG_LINES} log lines in one batch: the rest are dropped`);
        return;
      }
      let line = '';
      for (let i = 0; i < values.length; i++) line += (i > 0 ? ' ' : '') + text(values[i]);
      host.log(level, line.length > MAX_LOG_CHARS ? `${line.slice(0, MAX_LOG_CHARS)}…` : line);
    };
  }
  const log = logAt('info');
  log.info = log;
  log.warn = logAt('warn');
  log.error = logAt('error');
  freeze(log);
  g.console = freeze({ log, info: log, debug: log, warn: log.warn, error: log.error });

  /** A request to the processor (opt-in fs/fetch), answered asynchronously with primitives or bytes. */
  function callHost(op, args) {
    return new Promise((resolve, reject) => {
      host.call(op, stringify(args), (error, json, bytes) => {
        if (error !== undefined) reject(new Error(error));
        else if (bytes !== undefined) {
          const copy = new U8(bytes.length);
          copy.set(bytes);
          resolve(copy);
        } else resolve(json === undefined ? undefined : parse(json));
      });
    });
  }
  const env = opts.env === undefined ? undefined : freeze(parse(opts.env));
  const fs = opts.fs
    ? freeze({
        readFile: (path, encoding) =>
          callHost('fs.readFile', [String(path), encoding === undefined ? null : String(encoding)]),
        writeFile: (path, data) =>
          callHost('fs.writeFile', [String(path), data instanceof U8 ? { bytes: [...data] } : { text: text(data) }]),
        readdir: (path) => callHost('fs.readdir', [String(path)]),
      })
    : undefined;
  const fetchText = opts.net
    ? async (url, init) => {
        const options = init === null || typeof init !== 'object' ? {} : init;
        const body = options.body === undefined ? undefined : text(options.body);
        const r = await callHost('fetch', [String(url), { method: options.method, headers: options.headers, body }]);
        return freeze({ ...r, text: async () => r.body, json: async () => parse(r.body) });
      }
    : undefined;

  const userFunction = opts.compile();
  let armed;

  /** One batch: input in, the script, then `host.done(json, binaries)` or `host.fail(reason)`. */
  function run() {
    const batch = armed;
    armed = undefined;
    if (batch === undefined) throw new Error('no batch');
    logged = 0;
    const items = parse(batch.json);
    const flowFiles = [];
    const originals = [];
    const index = new SafeMap();
    const byId = new SafeMap();
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      let content = item.content;
      if (opts.binary) {
        const source = batch.binaries[i];
        content = new U8(source.length);
        content.set(source);
      }
      const ff = { id: item.id, attributes: item.attributes, content, relationship: 'success' };
      flowFiles.push(ff);
      originals.push(content);
      apply(mapSet, index, [ff, i]);
      apply(mapSet, byId, [item.id, i]);
    }
    const children = [];
    const childIndex = new SafeMap();
    function create(parents, init) {
      const list = parents === undefined || parents === null ? [] : isArray(parents) ? parents : [parents];
      const parentIndexes = [];
      for (const p of list) {
        if (!apply(mapHas, index, [p])) throw new TypeError('create(): a parent must be one of flowFiles');
        parentIndexes.push(apply(mapGet, index, [p]));
      }
      const options = init === null || typeof init !== 'object' ? {} : init;
      const inherited = {};
      if (list.length === 1) for (const k in list[0].attributes) if (k !== 'uuid') inherited[k] = list[0].attributes[k];
      const child = {
        id: null,
        attributes: { ...inherited, ...(options.attributes ?? {}) },
        content: options.content === undefined ? '' : options.content,
        relationship: options.relationship === undefined ? 'success' : options.relationship,
      };
      apply(mapSet, childIndex, [child, children.length]);
      children.push({ child, parents: parentIndexes });
      return child;
    }

    function fail(err) {
      let reason;
      try {
        reason = err instanceof Error ? `${err.name}: ${err.message}` : `thrown: ${text(err)}`;
        const at = typeof err?.stack === 'string' ? apply(exec, opts.lineOf, [err.stack]) : null;
        if (at !== null) reason += ` (line ${at[1]})`;
      } catch {
        reason = 'the script threw an unprintable value';
      }
      host.fail(`script error: ${reason}`);
    }

    function done(returned) {
      try {
        let list = returned;
        if (returned === undefined) {
          list = [...flowFiles];
          for (const c of children) list.push(c.child);
        } else if (!isArray(returned))
          throw new TypeError(
            'the script must return nothing or an array of FlowFiles (flowFiles items or create() results)',
          );
        const records = [];
        const binaries = [];
        const used = new SafeMap();
        for (let n = 0; n < list.length; n++) {
          const ff = list[n];
          let input = -1;
          let child;
          if (apply(mapHas, index, [ff])) input = apply(mapGet, index, [ff]);
          else if (apply(mapHas, childIndex, [ff])) child = children[apply(mapGet, childIndex, [ff])];
          else if (ff !== null && typeof ff === 'object' && apply(mapHas, byId, [ff.id]))
            input = apply(mapGet, byId, [ff.id]);
          else throw new TypeError(`returned item ${n} is not a FlowFile of this batch (make new ones with create())`);
          const key = child === undefined ? input : ff;
          if (apply(mapHas, used, [key])) throw new TypeError(`returned item ${n} is returned twice`);
          apply(mapSet, used, [key, true]);
          const attributes = {};
          const source = ff.attributes !== null && typeof ff.attributes === 'object' ? ff.attributes : {};
          for (const name of getOwnPropertyNames(source)) {
            const v = source[name];
            if (v !== undefined && v !== null) attributes[name] = text(v);
          }
          const record = { input, parents: child === undefined ? null : child.parents, attributes, relationship: null };
          const rel = ff.relationship;
          if (rel === 'success' || rel === 'failure') record.relationship = rel;
          else if (rel !== null) {
            record.relationship = 'failure';
            record.reason = `unknown relationship ${text(rel)}: set ff.relationship to "success", "failure" or null (drop)`;
          }
          const content = ff.content;
          const changed = child !== undefined || content !== originals[input];
          if (opts.binary && !changed && content instanceof U8) {
            record.binary = binaries.length; // compared with the original by the processor: in-place edits count
            binaries.push(content);
          } else if (changed && content !== undefined) {
            if (typeof content === 'string') record.content = content;
            else if (content instanceof U8) {
              record.binary = binaries.length;
              binaries.push(content);
            } else record.content = text(content);
          }
          records.push(record);
        }
        host.done(stringify(records), binaries);
      } catch (err) {
        fail(err);
      }
    }

    let promise;
    try {
      promise = userFunction(flowFiles, create, log, env, fs, fetchText);
    } catch (err) {
      fail(err);
      return;
    }
    apply(then, promise, [done, fail]);
  }

  return {
    arm(batch) {
      armed = batch;
    },
    install(name) {
      defineProperty(g, name, { value: run, writable: false, configurable: false, enumerable: false });
    },
  };
}

let sandbox;
let runCall;
let sandboxContext;
let timeoutMs = 1000;
let current; // the seq of the batch running
const pendingCalls = new Map();
let nextCall = 0;

// This realm's own getters: read a sandbox Uint8Array without running anything the script redefined.
const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
const getter = (name) => Object.getOwnPropertyDescriptor(TypedArrayProto, name).get;
const bufferOf = getter('buffer');
const offsetOf = getter('byteOffset');
const lengthOf = getter('byteLength');
function bytesOf(view) {
  if (!types.isUint8Array(view)) return Buffer.alloc(0);
  const length = Reflect.apply(lengthOf, view, []);
  return Buffer.from(new Uint8Array(Reflect.apply(bufferOf, view, []), Reflect.apply(offsetOf, view, []), length));
}

function send(message) {
  if (process.connected) process.send(message);
}

/** What the sandbox may call: strict functions here, so `caller` never leads back to this realm. */
const host = Object.freeze({
  log(level, message) {
    if (typeof message === 'string') send({ type: 'log', seq: current, level: String(level), message });
  },
  call(op, args, callback) {
    const id = ++nextCall;
    pendingCalls.set(id, callback);
    send({ type: 'call', seq: current, id, op: String(op), args: String(args) });
  },
  done(json, binaries) {
    const seq = current;
    current = undefined;
    if (seq === undefined) return;
    const out = [];
    const count = types.isProxy(binaries) ? 0 : Number(binaries.length) || 0;
    for (let i = 0; i < count; i++) out.push(bytesOf(binaries[i]));
    send({ type: 'result', seq, json: String(json), binaries: out });
  },
  fail(reason) {
    const seq = current;
    current = undefined;
    if (seq !== undefined) send({ type: 'result', seq, error: String(reason) });
  },
});

function init(message) {
  timeoutMs = message.timeoutMs;
  const context = vm.createContext(Object.create(null), {
    name: message.filename,
    codeGeneration: { strings: false, wasm: false },
  });
  const compiled = new vm.Script(message.source, { filename: message.filename, lineOffset: -1 });
  const escaped = message.filename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const make = vm.runInContext(`(${bootstrap.toString()})`, context);
  sandbox = make(host, {
    binary: message.binary,
    memoryLimit: message.memoryLimitBytes,
    env: message.env,
    fs: message.allow.fs,
    net: message.allow.net,
    lineOf: vm.runInContext(`/${escaped}:(\\d+)/`, context),
    compile: () => compiled.runInContext(context),
  });
  const name = `__sluiceRun${Math.random().toString(36).slice(2)}`;
  sandbox.install(name);
  runCall = new vm.Script(`${name}()`, { filename: 'execute-script-runner' });
  sandboxContext = context;
}

function runBatch(message) {
  current = message.seq;
  sandbox.arm({ json: message.json, binaries: message.binaries });
  try {
    // The synchronous part is stopped here (the process survives); the processor kills the process as a backstop.
    runCall.runInContext(sandboxContext, { timeout: timeoutMs });
  } catch (err) {
    const timedOut = err?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
    host.fail(
      timedOut ? `timeout: the script ran longer than ${timeoutMs} ms` : `script error: ${err?.message ?? err}`,
    );
  }
}

process.on('message', (message) => {
  switch (message?.type) {
    case 'init':
      try {
        init(message);
        send({ type: 'ready' });
      } catch (err) {
        send({ type: 'startError', message: String(err?.message ?? err) });
      }
      break;
    case 'batch':
      runBatch(message);
      break;
    case 'reply': {
      const callback = pendingCalls.get(message.id);
      pendingCalls.delete(message.id);
      callback?.(message.error, message.json, message.bytes === undefined ? undefined : new Uint8Array(message.bytes));
      break;
    }
  }
});
process.on('disconnect', () => process.exit(0));
