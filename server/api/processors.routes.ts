import { Router } from 'express';
import { isInternalType } from '../../processors/internal/pass-through';
import { type ProcessorDefinition, type Relationship, relationshipsOf } from '../engine/contract';
import type { ProcessorRegistry } from '../engine/processor-registry';
import { checkProcessorConfig } from '../parameters/check-config';
import { buildParameterScope } from '../parameters/parameter-scope';
import { type PluginOrigin, pluginOrigin } from '../plugins/plugin-origin';
import { HttpError } from './http-errors';
import { jsonBody } from './request';
import { allow } from './roles';

/** What the palette and the config form read about a processor type. */
export interface ProcessorDescriptor {
  type: string;
  description: string;
  category: ProcessorDefinition['category'];
  /** The config's JSON Schema (the form is generated from it). */
  config: object;
  /** Static relationships; routers add the ones their config names (see dynamicRelationships). */
  relationships: readonly Relationship[];
  /** True when relationships depend on the config: ask POST /api/processors/:type/relationships. */
  dynamicRelationships: boolean;
  input: ProcessorDefinition['input'];
  /** Where a plugin processor came from (docs/plugins.md); absent for built-ins. */
  plugin?: PluginOrigin;
}

export function describe(def: ProcessorDefinition): ProcessorDescriptor {
  return {
    type: def.type,
    description: def.description,
    category: def.category,
    config: def.config,
    relationships: def.relationships,
    dynamicRelationships: def.dynamicRelationships !== undefined,
    input: def.input,
    ...(pluginOrigin(def) && { plugin: pluginOrigin(def) }),
  };
}

/**
 * The relationships of each processor of a (possibly invalid) flow body whose config is valid, keyed by
 * processor id: the validate answer carries them so an editor can draw handles while the flow is unfinished.
 */
export function relationshipsByProcessor(
  input: unknown,
  registry: ProcessorRegistry,
  allowedDirs: readonly string[],
  authenticated = false,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const processors = (input as { processors?: unknown })?.processors;
  if (!Array.isArray(processors)) return out;
  // Configs are checked with their #{parameter} references resolved, as the validator does.
  const binding = buildParameterScope(input).binding('');
  for (const p of processors) {
    const { id, type, config } = (p ?? {}) as { id?: unknown; type?: unknown; config?: unknown };
    if (typeof id !== 'string' || typeof type !== 'string') continue;
    const def = registry.get(type);
    if (!def) continue;
    const checked = checkProcessorConfig(registry, type, config, '', binding, { allowedDirs, authenticated });
    if (checked.issues.length === 0) out[id] = relationshipsOf(def, checked.config).map((r) => r.name);
  }
  return out;
}

export function processorRoutes(
  registry: ProcessorRegistry,
  allowedDirs: readonly string[],
  authenticated = false,
): Router {
  const router = Router();
  const definition = (type: string) => {
    const def = registry.get(type);
    if (!def)
      throw new HttpError(
        404,
        `no processor type "${type}"; known types: ${registry
          .types()
          .filter((t) => !isInternalType(t))
          .join(', ')}`,
      );
    return def;
  };

  router.get('/processors', allow('viewer'), (_req, res) => {
    res.json(
      registry
        .list()
        .filter((d) => !isInternalType(d.type))
        .map(describe),
    );
  });

  router.get('/processors/:type', allow('viewer'), (req, res) => {
    res.json(describe(definition(req.params.type)));
  });

  /** Body: a config object. Answer: every relationship for that config (routers derive some from it). */
  router.post('/processors/:type/relationships', allow('viewer', { changes: false }), (req, res) => {
    const def = definition(req.params.type);
    const checked = registry.checkConfig(def.type, jsonBody(req), '', allowedDirs, authenticated);
    if (checked.issues.length > 0) throw new HttpError(400, `invalid ${def.type} config`, checked.issues);
    res.json({ type: def.type, relationships: relationshipsOf(def, checked.config) });
  });

  return router;
}
