/**
 * The HTTP API client: every call the UI makes to the server goes through here. It adds the access token (a
 * login session needs nothing: the browser sends its HttpOnly cookie), turns error answers ({error, details})
 * into ApiError and tells the app when the server asks for credentials.
 */
import type { SnapshotAnswer, SnapshotRequest } from '../../../server/flow-tests/snapshot';
import type { DebugEntry, InjectRequest, InjectResult, TapSnapshot } from './tap-types';
import type {
  BulletinLevel,
  BulletinsAnswer,
  ContentSide,
  Flow,
  FlowStatus,
  FlowStructuralDiff,
  FlowSummary,
  FlowTestFile,
  FlowTestRunAnswer,
  FlowVersion,
  Lineage,
  LoginOptions,
  Me,
  OperationsSummary,
  ProcessorDescriptor,
  ProvenanceEvent,
  QuarantineList,
  QueuedFlowFile,
  Relationship,
  ReplayResult,
  SearchResult,
  ServiceDescriptor,
  ValidationIssue,
} from './types';

const TOKEN_KEY = 'sluice.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: ValidationIssue[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let unauthorizedListener: (() => void) | undefined;

/** Called whenever the server answers 401: the app shows the login page. */
export function onUnauthorized(listener: () => void): void {
  unauthorizedListener = listener;
}

export function getToken(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function setToken(token: string): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * Every request carries `X-Sluice-Request`: a page on another origin cannot send that header without a CORS
 * preflight the server never grants, so the server takes it (or a JSON body) as proof of a same-origin caller.
 */
function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = getToken();
  const all = { ...extra, 'X-Sluice-Request': '1' };
  return token ? { ...all, Authorization: `Bearer ${token}` } : all;
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, `The server cannot be reached (${(err as Error).message}).`);
  }
  if (response.ok) return response;
  if (response.status === 401) unauthorizedListener?.();
  let message = `${method} /api${path} answered ${response.status} ${response.statusText}`;
  let details: ValidationIssue[] = [];
  try {
    const payload = (await response.json()) as { error?: string; details?: ValidationIssue[] };
    if (payload.error) message = payload.error;
    if (Array.isArray(payload.details)) details = payload.details;
  } catch {
    // not a JSON error body: keep the status line
  }
  throw new ApiError(response.status, message, details);
}

async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await send(method, path, body);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

const enc = encodeURIComponent;

export interface ProvenanceQuery {
  flowId?: string;
  flowFileId?: string;
  componentId?: string;
  type?: string;
  from?: number;
  to?: number;
  limit?: number;
}

/** `GET /api/bulletins` filters; `after`: only bulletins newer than that id. */
export interface BulletinQuery {
  flowId?: string;
  processorId?: string;
  level?: BulletinLevel;
  q?: string;
  after?: number;
  limit?: number;
}

/** `?a=1&b=x` of the set values (undefined and '' left out). */
function queryOf(query: object): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export interface FlowFileContent {
  bytes: Uint8Array;
  contentType: string;
  /** The FlowFile is larger than what the server sent. */
  truncated: boolean;
  size: number;
}

export const api = {
  /** Who the server takes this browser for (a server without credentials: anonymous admin). */
  me: () => json<Me>('GET', '/me'),
  loginOptions: () => json<LoginOptions>('GET', '/login'),
  /** Sets the session cookie; 401 for a wrong name or password (reported, not a prompt: it is the prompt). */
  login: (username: string, password: string) => json<Me>('POST', '/login', { username, password }),
  logout: () => json<void>('POST', '/logout'),

  processors: () => json<ProcessorDescriptor[]>('GET', '/processors'),
  relationships: (type: string, config: unknown) =>
    json<{ relationships: Relationship[] }>('POST', `/processors/${enc(type)}/relationships`, config ?? {}).then(
      (r) => r.relationships,
    ),

  flows: () => json<FlowSummary[]>('GET', '/flows'),
  flow: (id: string) => json<Flow>('GET', `/flows/${enc(id)}`),
  createFlow: (flow: Flow) => json<Flow>('POST', '/flows', flow),
  /** As saved; a stored flow that no longer validates comes back as found. */
  saveFlow: (flow: Flow) => json<Flow>('PUT', `/flows/${enc(flow.id)}`, flow),
  deleteFlow: (id: string) => json<void>('DELETE', `/flows/${enc(id)}`),
  /** The versions of a flow (each save), newest first. */
  flowVersions: (id: string, limit = 50) => json<FlowVersion[]>('GET', `/flows/${enc(id)}/versions?limit=${limit}`),
  /** The structural diff from a version to another one or to the current flow. */
  flowDiff: (id: string, from: string, to = 'current') =>
    json<FlowStructuralDiff>('GET', `/flows/${enc(id)}/diff${queryOf({ from, to })}`),
  /** Saves that version's content as the flow (a new version); answers as a save does. */
  revertFlow: (id: string, version: string) => json<Flow>('POST', `/flows/${enc(id)}/versions/${enc(version)}/revert`),
  validateFlow: (flow: unknown) => json<{ valid: boolean; issues: ValidationIssue[] }>('POST', '/flows/validate', flow),
  importFlow: (flow: unknown, replace = false) =>
    json<Flow>('POST', `/flows/import${replace ? '?replace=true' : ''}`, flow),
  async exportFlow(id: string): Promise<{ text: string; filename: string }> {
    const response = await send('GET', `/flows/${enc(id)}/export`);
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const filename = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `${id}.json`;
    return { text: await response.text(), filename };
  },
  start: (id: string) =>
    json<{ failures: { processorId: string; error: string }[] }>('POST', `/flows/${enc(id)}/start`),
  stop: (id: string) => json<unknown>('POST', `/flows/${enc(id)}/stop`),
  startProcessor: (id: string, pid: string) => json<unknown>('POST', `/flows/${enc(id)}/processors/${enc(pid)}/start`),
  stopProcessor: (id: string, pid: string) => json<unknown>('POST', `/flows/${enc(id)}/processors/${enc(pid)}/stop`),
  /** Starts (stops) every processor of a group and the groups in it; `path` = group ids, outermost first. */
  startGroup: (id: string, path: readonly string[]) =>
    json<unknown>('POST', `/flows/${enc(id)}/groups/${path.map(enc).join('/')}/start`),
  stopGroup: (id: string, path: readonly string[]) =>
    json<unknown>('POST', `/flows/${enc(id)}/groups/${path.map(enc).join('/')}/stop`),
  status: (id: string) => json<FlowStatus>('GET', `/flows/${enc(id)}/status`),

  queue: (id: string, cid: string, limit = 100) =>
    json<{ count: number; bytes: number; flowFiles: QueuedFlowFile[] }>(
      'GET',
      `/flows/${enc(id)}/connections/${enc(cid)}/queue?limit=${limit}`,
    ),
  /** A waiting FlowFile's content (capped by the server); `hex` asks the server for a hex dump. */
  async queueContent(id: string, cid: string, ffid: string, format: 'raw' | 'hex' = 'raw'): Promise<FlowFileContent> {
    const response = await send(
      'GET',
      `/flows/${enc(id)}/connections/${enc(cid)}/queue/${enc(ffid)}/content${format === 'hex' ? '?format=hex' : ''}`,
    );
    const bytes = new Uint8Array(await response.arrayBuffer());
    const size = Number(response.headers.get('X-Sluice-Content-Size'));
    return {
      bytes,
      contentType: response.headers.get('Content-Type') ?? 'application/octet-stream',
      size: Number.isFinite(size) ? size : bytes.length,
      truncated: response.headers.get('X-Sluice-Truncated') === 'true',
    };
  },
  emptyQueue: (id: string, cid: string) =>
    json<{ dropped: number }>('DELETE', `/flows/${enc(id)}/connections/${enc(cid)}/queue`),

  /** FlowFiles set aside in a connection's quarantine (their sessions failed schedule.quarantineAfter times). */
  quarantine: (id: string, cid: string, limit = 100) =>
    json<QuarantineList>('GET', `/flows/${enc(id)}/connections/${enc(cid)}/quarantine?limit=${limit}`),
  /** Puts every quarantined FlowFile back into the connection, each as a new FlowFile (a REPLAY of it). */
  requeueQuarantine: (id: string, cid: string) =>
    json<{ requeued: number }>('POST', `/flows/${enc(id)}/connections/${enc(cid)}/quarantine/requeue`),
  dropQuarantine: (id: string, cid: string) =>
    json<{ dropped: number }>('DELETE', `/flows/${enc(id)}/connections/${enc(cid)}/quarantine`),

  /** Live tap (debug sidebar): start watching a connection; the ring with full content (for pinning); stop. */
  watchConnection: (id: string, cid: string) =>
    json<TapSnapshot>('POST', `/flows/${enc(id)}/connections/${enc(cid)}/tap`),
  tapRing: (id: string, cid: string) => json<TapSnapshot>('GET', `/flows/${enc(id)}/connections/${enc(cid)}/tap`),
  unwatchConnection: (id: string, cid: string) =>
    json<{ stopped: boolean }>('DELETE', `/flows/${enc(id)}/connections/${enc(cid)}/tap`),
  /** One FlowFile put into a connection by hand (RECEIVE from sluice://user/<name>). */
  inject: (id: string, cid: string, body: InjectRequest) =>
    json<InjectResult>('POST', `/flows/${enc(id)}/connections/${enc(cid)}/inject`, body),
  debugLog: (id: string, processorId?: string) =>
    json<{ entries: DebugEntry[] }>('GET', `/flows/${enc(id)}/debug${queryOf({ processorId })}`),
  clearDebugLog: (id: string) => json<unknown>('DELETE', `/flows/${enc(id)}/debug`),

  /** The flow's test file; ApiError 404 when it has none. */
  flowTests: (id: string) => json<FlowTestFile>('GET', `/flows/${enc(id)}/tests`),
  saveFlowTests: (id: string, tests: FlowTestFile) => json<FlowTestFile>('PUT', `/flows/${enc(id)}/tests`, tests),
  /** Runs every case against the flow as saved now: pass/fail per case, expected vs actual. */
  runFlowTests: (id: string) => json<FlowTestRunAnswer>('POST', `/flows/${enc(id)}/tests/run`),
  /** What the connection's destination sends for these FlowFiles, per relationship (to pin them as a test). */
  testSnapshot: (id: string, body: SnapshotRequest) =>
    json<SnapshotAnswer>('POST', `/flows/${enc(id)}/tests/snapshot`, body),

  provenance(query: ProvenanceQuery) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
    return json<ProvenanceEvent[]>('GET', `/provenance?${params}`);
  },
  lineage: (flowFileId: string) => json<Lineage>('GET', `/provenance/lineage/${enc(flowFileId)}`),
  /** Where a provenance event's content is downloaded from (`?download=1`: saved as a file). */
  eventContentUrl: (eventId: number, side: ContentSide) => `/api/provenance/${eventId}/content/${side}?download=1`,
  /**
   * The content before (`input`) or after (`output`) a provenance event. Only the first `maxBytes` are read:
   * the server sends it whole, and a preview needs no more (`size` is the whole length).
   */
  async eventContent(
    eventId: number,
    side: ContentSide,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Promise<FlowFileContent> {
    const response = await send('GET', `/provenance/${eventId}/content/${side}`);
    const bytes = await readAtMost(response, maxBytes);
    const length = response.headers.get('Content-Length');
    const size = length === null ? bytes.length : Number(length);
    return {
      bytes,
      contentType: response.headers.get('Content-Type') ?? 'application/octet-stream',
      size,
      truncated: bytes.length < size,
    };
  },
  /** The same content whole, as a file to save, named as the server names it. */
  async eventContentFile(eventId: number, side: ContentSide): Promise<{ blob: Blob; filename: string }> {
    const response = await send('GET', `/provenance/${eventId}/content/${side}?download=1`);
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const filename = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `event-${eventId}-${side}.bin`;
    return { blob: await response.blob(), filename };
  },
  /** Every processor and connection of every flow with its status (the Summary page). */
  summary: (flowId?: string) => json<OperationsSummary>('GET', `/summary${queryOf({ flowId })}`),
  /** The bulletin board, newest first. */
  bulletins: (query: BulletinQuery = {}) => json<BulletinsAnswer>('GET', `/bulletins${queryOf(query)}`),
  /** Components of every flow by name, id, type or property value. */
  search: (q: string, limit?: number) => json<SearchResult>('GET', `/search${queryOf({ q, limit })}`),
  /** The FlowFile as it was at the event goes back into a connection leading into the event's processor. */
  /** Controller service types. */
  services: () => json<ServiceDescriptor[]>('GET', '/services'),
  /** `service`: its id, after the ids of the groups it is declared in (`groupA/rabbit`). */
  enableService: (id: string, service: string) =>
    json<unknown>('POST', `/flows/${enc(id)}/services/${service.split('/').map(enc).join('/')}/enable`),
  /** 409 while enabled processors reference it (the message names them). */
  disableService: (id: string, service: string) =>
    json<unknown>('POST', `/flows/${enc(id)}/services/${service.split('/').map(enc).join('/')}/disable`),
  replay: (eventId: number, connectionId?: string) =>
    json<ReplayResult>('POST', `/provenance/${eventId}/replay`, connectionId === undefined ? {} : { connectionId }),
};

/** Reads a response body up to `maxBytes` (then stops the download) rather than all of it. */
async function readAtMost(response: Response, maxBytes: number): Promise<Uint8Array> {
  if (!response.body || maxBytes === Number.POSITIVE_INFINITY) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  while (length < maxBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
  }
  if (length >= maxBytes) await reader.cancel();
  const bytes = new Uint8Array(Math.min(length, maxBytes));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk.subarray(0, bytes.length - offset), offset);
    offset += Math.min(chunk.length, bytes.length - offset);
  }
  return bytes;
}

/** The server's live status stream; EventSource cannot send headers, so the token rides in the query. */
/** The debug sidebar's stream of a flow, watching `connections` while it is open. */
export function tapStreamUrl(flowId: string, connections: readonly string[]): string {
  const token = getToken();
  const query = queryOf({ connections: connections.join(','), token });
  return `/api/flows/${enc(flowId)}/taps/stream${query}`;
}

export function eventStreamUrl(): string {
  const token = getToken();
  return token ? `/api/events?token=${enc(token)}` : '/api/events';
}
