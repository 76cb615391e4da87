/**
 * What a config form's fields may reference: the parameters and services in scope at the level of the processor
 * (or service) being edited. The processor and service panels provide it; a form without one offers nothing.
 */
import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { NO_SCOPE, type ParameterScope, scopeAt } from '../../lib/parameters';
import { type ScopedService, servicesInScope } from '../../lib/parameters-services';
import { useStore } from '../../store';

export interface FieldScope {
  parameters: ParameterScope;
  services: ScopedService[];
}

const EMPTY: FieldScope = { parameters: NO_SCOPE, services: [] };
const FieldScopeContext = createContext<FieldScope>(EMPTY);

/** The scope of level `path` of the open flow, recomputed when the committed document changes. */
export function useLevelScope(path: readonly string[]): FieldScope {
  const doc = useStore((s) => s.doc);
  const key = path.join('/');
  // biome-ignore lint/correctness/useExhaustiveDependencies: the path's content, not its identity
  return useMemo(() => ({ parameters: scopeAt(doc, path), services: servicesInScope(doc, path) }), [doc, key]);
}

export function FieldScopeProvider({ path, children }: { path: readonly string[]; children: ReactNode }) {
  const scope = useLevelScope(path);
  return <FieldScopeContext.Provider value={scope}>{children}</FieldScopeContext.Provider>;
}

export function useFieldScope(): FieldScope {
  return useContext(FieldScopeContext);
}
