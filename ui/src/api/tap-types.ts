/** The debug sidebar's wire types: tap entries of a watched connection, debug lines, inject requests. */

export interface ContentPreview {
  preview: string;
  encoding: 'text' | 'hex';
  truncated: boolean;
}

/** One FlowFile as it entered a watched connection. */
export interface TapEntry {
  seq: number;
  time: number;
  connectionId: string;
  flowFileId: string;
  attributes: Record<string, string>;
  size: number;
  /** Absent when the role may not read content. */
  preview?: ContentPreview;
  /** The kept content (base64, up to 64 KiB): only from `GET .../tap` (for pinning as a test). */
  content?: string;
  contentTruncated?: boolean;
}

export interface TapSnapshot {
  connectionId: string;
  /** Newest first, at most 100. */
  entries: TapEntry[];
  skipped: number;
  seen: number;
  contentShown: boolean;
}

export interface DebugEntry {
  id: number;
  time: number;
  processorId: string;
  processorName: string;
  processorType: string;
  message: string;
  flowFileId?: string;
  attributes?: Record<string, string>;
  content?: string;
}

export interface InjectRequest {
  content: string;
  attributes: Record<string, string>;
  encoding?: 'text' | 'base64';
}

export interface InjectResult {
  flowId: string;
  connectionId: string;
  flowFileId: string;
  size: number;
}

/** What `GET /api/flows/:id/taps/stream` sends. */
export type TapStreamMessage =
  | ({ type: 'tap-snapshot' } & TapSnapshot)
  | { type: 'tap'; connectionId: string; entries: TapEntry[]; skipped: number; seen: number }
  | { type: 'tap-ended'; connectionId: string }
  | { type: 'debug-snapshot'; entries: DebugEntry[] }
  | { type: 'debug'; entries: DebugEntry[]; dropped: number }
  | { type: 'debug-cleared' };
