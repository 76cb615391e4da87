#!/usr/bin/env node
// Builds the canvas into ui/dist with Vite. Runs as the package's `prepare` script, so `npm install` / `npm ci`
// in a checkout leaves a UI that `npm start` serves. Without the dev dependencies (a production install) there
// is nothing to build with: it says so and leaves the server to answer "UI not built".
import path from 'node:path';

const configFile = path.join(import.meta.dirname, 'vite.config.ts');
let vite;
try {
  vite = await import('vite');
} catch {
  console.warn('[sluice] vite is not installed (production install?): the UI was not built; run `npm run build:ui`.');
  process.exit(0);
}
await vite.build({ configFile, logLevel: process.env.CI ? 'warn' : 'info' });
