// Node module resolution hook (module.register): maps the bare specifiers `@sluice/sdk` and `@sluice/sdk/testing`
// to this Sluice's own sdk/ files, so a plugin never bundles a copy of the SDK and always gets the host's types and
// runtime (the same module instance the engine uses). The mapped URL is resolved by the next hook (tsx), which
// then loads the TypeScript source.
const SDK = new URL('../../sdk/index.ts', import.meta.url).href;
const TESTING = new URL('../../sdk/testing.ts', import.meta.url).href;

/** The query the plugin loader marks a plugin folder's loose module with: it is ESM whatever package it sits in. */
const ESM_MARK = '?sluice-plugin-module';

export async function resolve(specifier, context, nextResolve) {
  if (specifier === '@sluice/sdk') return nextResolve(SDK, context);
  if (specifier === '@sluice/sdk/testing') return nextResolve(TESTING, context);
  if (specifier.endsWith(ESM_MARK)) {
    const resolved = await nextResolve(specifier, context);
    return { ...resolved, format: 'module' };
  }
  return nextResolve(specifier, context);
}
