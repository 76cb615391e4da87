/** The relationships a processor offers: static from the catalog, or asked of the server for routers. */
import { useEffect } from 'react';
import type { Relationship } from '../api/types';
import type { ProcessorNodeData } from '../flow-mapping';
import { useStore } from '../store';
import { relationshipKey } from '../store/catalog-slice';
import { requestRelationships } from '../store/session';

export function useRelationships(spec: ProcessorNodeData['spec']): Relationship[] {
  const descriptor = useStore((s) => s.catalog.byType[spec.type]);
  const key = descriptor?.dynamicRelationships ? relationshipKey(spec.type, spec.config) : null;
  const dynamic = useStore((s) => (key ? s.catalog.dynamic[key] : undefined));
  useEffect(() => {
    if (key && !dynamic) void requestRelationships(spec.type, spec.config ?? {});
  }, [key, dynamic, spec.type, spec.config]);
  return dynamic ?? descriptor?.relationships ?? [];
}
