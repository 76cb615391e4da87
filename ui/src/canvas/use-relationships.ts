/**
 * The relationships a processor offers: static from the catalog, or asked of the server for routers; and the
 * ones its connections use (which its card draws as handles even when no longer offered).
 */
import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Relationship } from '../api/types';
import type { ProcessorNodeData } from '../flow-mapping';
import { useStore } from '../store';
import { relationshipKey } from '../store/catalog-slice';
import { requestRelationships } from '../store/session';
import { edgeIndex } from './edge-index';

const NONE: string[] = [];

/** The relationships on the connections leaving `id`. */
export function useUsedRelationships(id: string): string[] {
  return useStore(useShallow((s) => edgeIndex(s.edges).relationshipsFrom.get(id) ?? NONE));
}

export function useRelationships(spec: ProcessorNodeData['spec']): Relationship[] {
  const descriptor = useStore((s) => s.catalog.byType[spec.type]);
  const key = descriptor?.dynamicRelationships ? relationshipKey(spec.type, spec.config) : null;
  const dynamic = useStore((s) => (key ? s.catalog.dynamic[key] : undefined));
  useEffect(() => {
    if (key && !dynamic) void requestRelationships(spec.type, spec.config ?? {});
  }, [key, dynamic, spec.type, spec.config]);
  return dynamic ?? descriptor?.relationships ?? [];
}
