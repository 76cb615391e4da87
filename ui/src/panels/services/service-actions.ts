/** What the UI does with controller services: add one at the level shown, enable and disable it on the server. */
import { ApiError, api } from '../../api/client';
import { addService, serviceRoutePath, updateService } from '../../lib/parameters-services';
import { defaultsOf } from '../../lib/schema';
import { useStore } from '../../store';
import { flushSave } from '../../store/autosave';

const s = () => useStore.getState();

/** Adds a service of `type` to the level shown (default config) and opens its panel; returns its id. */
export function addServiceHere(type: string): string | undefined {
  const descriptor = s().catalog.services.find((t) => t.type === type);
  if (!s().doc || !descriptor) return undefined;
  const path = [...s().path];
  let id: string | undefined;
  s().updateFlow((f) => {
    const out = addService(f, path, type, defaultsOf(descriptor.config));
    id = out.id;
    return out.flow;
  });
  if (!id) return undefined;
  s().select({});
  s().setSideView({ kind: 'service', for: '', path, id });
  return id;
}

/**
 * Enables or disables the service `id` of level `path` (after saving what is pending). Resolves to the server's
 * refusal as text (a disable while enabled processors reference it: the message names them), or undefined.
 */
export async function setServiceEnabled(
  path: readonly string[],
  id: string,
  enable: boolean,
): Promise<string | undefined> {
  const flowId = s().meta?.id;
  if (!flowId) return undefined;
  if (!(await flushSave())) return 'The latest changes are not saved: fix the flow’s problems first.';
  try {
    const route = serviceRoutePath(path, id);
    await (enable ? api.enableService(flowId, route) : api.disableService(flowId, route));
    // The server stored `enabled` in the definition: the document follows, or the next save would undo it.
    if (s().meta?.id === flowId)
      s().patchSaved((f) =>
        updateService(f, path, id, (svc) => {
          const { enabled: _old, ...rest } = svc;
          return enable ? rest : { ...rest, enabled: false };
        }),
      );
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return undefined;
    return (err as Error).message;
  } finally {
    try {
      s().applyStatus(await api.status(flowId));
    } catch {
      // the status stream catches up
    }
  }
  return undefined;
}
