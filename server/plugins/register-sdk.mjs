// Registers the `@sluice/sdk` resolution hook (sdk-hooks.mjs). Imported by the CLI before plugins load, and by a
// scaffolded plugin's test script (`node --import <tsx> --import <this file> --test ...`).
import { register } from 'node:module';

const KEY = Symbol.for('sluice.sdk-hooks');
if (!globalThis[KEY]) {
  globalThis[KEY] = true;
  register('./sdk-hooks.mjs', import.meta.url);
}
