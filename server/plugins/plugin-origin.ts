/** Where a plugin processor or service came from: the palette shows it (`plugin` in GET /api/processors). */
export interface PluginOrigin {
  /** The package name, or the module's file name in a plugins folder. */
  name: string;
  version?: string;
  /** The package folder or module file it was loaded from. */
  path: string;
}

const origins = new WeakMap<object, PluginOrigin>();

export function setPluginOrigin(definition: object, origin: PluginOrigin): void {
  origins.set(definition, origin);
}

/** The plugin a processor or service definition was loaded from; undefined for built-ins. */
export function pluginOrigin(definition: object): PluginOrigin | undefined {
  return origins.get(definition);
}
