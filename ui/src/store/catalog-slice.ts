/**
 * The catalog slice: the processor types from `GET /api/processors`, and the relationships of routers, whose
 * relationships depend on their config (asked of the server, cached by type and config).
 */
import type { ProcessorDescriptor, Relationship, ServiceDescriptor } from '../api/types';
import type { SliceCreator } from './types';

export interface Catalog {
  processors: ProcessorDescriptor[];
  byType: Record<string, ProcessorDescriptor>;
  /** Router relationships by `relationshipKey(type, config)`. */
  dynamic: Record<string, Relationship[]>;
  error?: string;
  /** Controller service types (`GET /api/services`; empty on a server without them). */
  services: ServiceDescriptor[];
}

export interface CatalogSlice {
  catalog: Catalog;
  setProcessors(processors: ProcessorDescriptor[]): void;
  setCatalogError(error: string): void;
  setServiceTypes(services: ServiceDescriptor[]): void;
  setDynamicRelationships(key: string, relationships: Relationship[]): void;
}

export function relationshipKey(type: string, config: unknown): string {
  return `${type} ${JSON.stringify(config ?? {})}`;
}

export const createCatalogSlice: SliceCreator<CatalogSlice> = (set, get) => ({
  catalog: { processors: [], byType: {}, dynamic: {}, services: [] },

  setProcessors(processors) {
    set({
      catalog: {
        ...get().catalog,
        processors,
        byType: Object.fromEntries(processors.map((p) => [p.type, p])),
        error: undefined,
      },
    });
  },

  setServiceTypes(services) {
    set({ catalog: { ...get().catalog, services } });
  },

  setCatalogError(error) {
    set({ catalog: { ...get().catalog, error } });
  },

  setDynamicRelationships(key, relationships) {
    const catalog = get().catalog;
    set({ catalog: { ...catalog, dynamic: { ...catalog.dynamic, [key]: relationships } } });
  },
});
