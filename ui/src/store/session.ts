/**
 * What the UI does with the server: loading the catalog and flows, opening, creating, importing, exporting,
 * starting and stopping. Each function talks to the API client and puts the outcome in the store; failures
 * become a notice or a problem list, never a silent no-op.
 */
import { ApiError, api, onUnauthorized, setToken } from '../api/client';
import type { Flow, Relationship, ValidationIssue } from '../api/types';
import { canvasToFlow, hasPositions, type ProcessorNode } from '../flow-mapping';
import { formatIssue, indexIssues } from '../lib/issues';
import { layoutGraph } from '../lib/layout';
import { missingSensitiveValues } from '../lib/parameters-edit';
import { parseRoute } from '../routing';
import { draftOf, dropDraft, flushSave } from './autosave';
import { relationshipKey } from './catalog-slice';
import { useStore } from './index';

const s = useStore.getState;

export const NODE_WIDTH = 270;
const ESTIMATED_NODE_HEIGHT = 150;

/** A failed call as a notification (a 401 is not: the login page is up). */
export function report(action: string, err: unknown): void {
  if (err instanceof ApiError && err.status === 401) return; // the login page is up
  const detail =
    err instanceof ApiError && err.details.length > 0 ? `: ${err.details.map(formatIssue).join('; ')}` : '';
  s().notify(`${action} failed: ${(err as Error).message}${detail}`, 'error');
}

export async function boot(): Promise<void> {
  onUnauthorized(() => s().setNeedsToken(true));
  try {
    s().setProcessors(await api.processors());
  } catch (err) {
    s().setCatalogError((err as Error).message);
    report('Loading the processor types', err);
    return;
  }
  s().setNeedsToken(false);
  // Controller service types; a server without services answers 404: none.
  void api
    .services()
    .then((types) => s().setServiceTypes(Array.isArray(types) ? types : []))
    .catch(() => {});
  s().setMe(await api.me().catch(() => null));
  const flows = await refreshFlows();
  // The address names the flow (and the level of groups) to show; route-sync.ts follows it from here on.
  const route = parseRoute(window.location.hash);
  const wanted = route.page === 'canvas' ? route.flowId : undefined;
  const first = flows.find((f) => f.id === wanted) ?? flows[0];
  if (first) await openFlow(first.id, first.id === wanted && route.page === 'canvas' ? route.groups : []);
}

/** Ends the session (or forgets the token) and starts over: the server then asks for credentials again. */
export async function logout(): Promise<void> {
  await flushSave();
  await api.logout().catch(() => {});
  setToken('');
  window.location.reload();
}

export async function refreshFlows() {
  try {
    const flows = (await api.flows()).sort((a, b) => a.name.localeCompare(b.name));
    s().setFlows(flows);
    return flows;
  } catch (err) {
    report('Listing the flows', err);
    return [];
  }
}

/** Opens a flow, showing the level of nested `groups` (as far as they exist). */
export async function openFlow(id: string, groups: readonly string[] = []): Promise<void> {
  if (s().meta && s().meta?.id !== id) await flushSave();
  let flow: Flow;
  try {
    flow = await api.flow(id);
  } catch (err) {
    report(`Opening flow "${id}"`, err);
    return;
  }
  if (!Array.isArray(flow?.processors) || !Array.isArray(flow?.connections)) {
    s().notify(`Flow "${id}" as stored is not a flow document (no processors/connections lists).`, 'error');
    return;
  }
  s().clearStatus();
  s().openDrawer(null);
  s().loadFlow(flow);
  if (!hasPositions(flow)) autoLayout();
  const draft = draftOf(id);
  if (draft && JSON.stringify(draft) !== JSON.stringify(s().doc)) {
    s().loadFlow(draft);
    useStore.setState((st) => ({ revision: st.revision + 1 }));
    s().notify('Restored your unsaved changes to this flow.');
  } else if (draft) dropDraft(id);
  showLevel(groups);
  await refreshStatus(id);
  // A stored flow that no longer validates (e.g. a processor type was removed) opens with its problems marked.
  const status = s().status;
  if (status && !status.validation.valid && s().revision === 0)
    s().setSave({ status: 'invalid', issues: indexIssues(flow, status.validation.issues) });
}

/** Shows level `groups` (group ids, outermost first) of the open flow, as far as those groups exist. */
export function showLevel(groups: readonly string[]): void {
  const path = s().path;
  let common = 0;
  while (common < groups.length && common < path.length && path[common] === groups[common]) common++;
  if (common < path.length) s().goToLevel(common);
  for (const id of groups.slice(common)) s().enterGroup(id);
}

/** Lays the canvas out top to bottom (one undo step). */
export function autoLayout(): void {
  const { nodes, edges } = s();
  const size = (n: ProcessorNode) => ({
    id: n.id,
    width: n.measured?.width ?? NODE_WIDTH,
    height: n.measured?.height ?? ESTIMATED_NODE_HEIGHT,
  });
  s().moveNodes(layoutGraph(nodes.map(size), edges, { direction: 'TB', nodeGap: 70, rankGap: 110 }));
}

export async function createFlow(name: string): Promise<void> {
  const taken = new Set(s().flows.map((f) => f.id));
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 56) || 'flow';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  try {
    const flow = await api.createFlow({ schemaVersion: 1, id, name, processors: [], connections: [] });
    await refreshFlows();
    await openFlow(flow?.id ?? id);
  } catch (err) {
    report('Creating the flow', err);
  }
}

/**
 * Deletes the open flow on the server (which stops it and drops what its queues hold) and opens another. The
 * canvas lets go of the flow first, so the server's "deleted" event is not mistaken for someone else's doing.
 */
export async function deleteOpenFlow(): Promise<void> {
  const flow = s().doc;
  if (!flow) return;
  useStore.setState({ meta: null, nodes: [], edges: [], doc: null, status: null });
  s().openDrawer(null);
  try {
    await api.deleteFlow(flow.id);
  } catch (err) {
    report(`Deleting flow "${flow.name}"`, err);
    await refreshFlows();
    await openFlow(flow.id);
    return;
  }
  dropDraft(flow.id);
  window.history.replaceState(null, '', '#/');
  s().notify(`Deleted flow "${flow.name}".`);
  const rest = await refreshFlows();
  if (rest[0]) await openFlow(rest[0].id);
}

/** Imports a flow from a file the user picked or dropped; problems are listed with their JSON paths. */
export async function importFlowFile(file: File): Promise<void> {
  const text = await file.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    s().showProblems({
      title: `Cannot import ${file.name}`,
      message: `The file is not JSON: ${(err as Error).message}`,
      issues: [],
    });
    return;
  }
  await flushSave();
  try {
    let flow: Flow;
    try {
      flow = await api.importFlow(body);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409)) throw err;
      const id = (body as { id?: string }).id;
      if (!window.confirm(`A flow with id "${id}" exists already. Replace it with ${file.name}?`)) return;
      flow = await api.importFlow(body, true);
    }
    const id = flow?.id ?? (body as { id: string }).id;
    dropDraft(id);
    await refreshFlows();
    await openFlow(id);
    // Saved as invalid only for want of sensitive values (an export carries none): ask for them.
    const answer = flow as unknown as { saved?: boolean; valid?: boolean; issues?: ValidationIssue[] };
    const doc = s().doc;
    if (answer?.saved === true && answer.valid === false && doc?.id === id) {
      const missing = missingSensitiveValues(doc, answer.issues ?? []);
      if (missing.length > 0) {
        s().setSensitivePrompt({ flowId: id, fileName: file.name, missing });
        return;
      }
    }
    s().notify(`Imported ${file.name}.`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    s().showProblems({
      title: `Cannot import ${file.name}`,
      message: (err as Error).message,
      issues: err instanceof ApiError ? err.details : [],
    });
  }
}

/** Saves `text` as a JSON file through the browser. */
export function download(text: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Downloads the flow as the server exports it; an unsaved (invalid) draft is exported as it stands. */
export async function exportFlow(): Promise<void> {
  const { meta, nodes, edges } = s();
  if (!meta) return;
  if (!(await flushSave())) {
    download(`${JSON.stringify(canvasToFlow(meta, nodes, edges), null, 2)}\n`, `${meta.id}.json`);
    s().notify('Exported the unsaved draft (the server holds an older version).');
    return;
  }
  try {
    const { text, filename } = await api.exportFlow(meta.id);
    download(text, filename);
  } catch (err) {
    report('Export', err);
  }
}

async function saved(action: string): Promise<boolean> {
  if (await flushSave()) return true;
  const { save } = s();
  s().showProblems({
    title: `Cannot ${action}`,
    message:
      save.status === 'invalid'
        ? 'The flow has problems; fix them first (they are marked on the canvas):'
        : `The latest changes are not saved: ${save.message ?? 'unknown error'}`,
    issues: save.status === 'invalid' ? [...collectIssues()] : [],
  });
  return false;
}

function* collectIssues() {
  const { issues } = s().save;
  for (const i of issues.flow) yield { path: i.fullPath, message: i.message };
  for (const list of [...Object.values(issues.processors), ...Object.values(issues.connections)])
    for (const i of list) yield { path: i.fullPath, message: i.message };
}

async function refreshStatus(id: string): Promise<void> {
  try {
    s().applyStatus(await api.status(id));
  } catch {
    // the event stream will bring it
  }
}

export async function startFlow(): Promise<void> {
  const id = s().meta?.id;
  if (!id || !(await saved('start the flow'))) return;
  try {
    const { failures } = await api.start(id);
    for (const f of failures) s().notify(`Processor "${f.processorId}" failed to start: ${f.error}`, 'error');
  } catch (err) {
    report('Start', err);
  }
  await refreshStatus(id);
}

export async function stopFlow(): Promise<void> {
  const id = s().meta?.id;
  if (!id) return;
  try {
    await api.stop(id);
  } catch (err) {
    report('Stop', err);
  }
  await refreshStatus(id);
}

export async function setProcessorRunning(pid: string, run: boolean): Promise<void> {
  const id = s().meta?.id;
  if (!id || (run && !(await saved('start the processor')))) return;
  try {
    await (run ? api.startProcessor(id, pid) : api.stopProcessor(id, pid));
  } catch (err) {
    report(run ? 'Start' : 'Stop', err);
  }
  await refreshStatus(id);
}

const pendingRelationships = new Set<string>();

/** Asks the server for a router's relationships under a config (cached in the catalog slice). */
export async function requestRelationships(type: string, config: unknown): Promise<void> {
  const key = relationshipKey(type, config);
  if (pendingRelationships.has(key) || s().catalog.dynamic[key]) return;
  pendingRelationships.add(key);
  try {
    const relationships: Relationship[] = await api.relationships(type, config ?? {});
    s().setDynamicRelationships(key, relationships);
  } catch {
    // an invalid config has no relationships to show beyond the static ones; the validator says why
    s().setDynamicRelationships(key, s().catalog.byType[type]?.relationships ?? []);
  } finally {
    pendingRelationships.delete(key);
  }
}
