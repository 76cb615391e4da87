/**
 * One FlowFile of the queue inspector: its attributes and content (pretty JSON, text, or the server's hex dump
 * for binary). When a processor has taken it, it stays shown as last seen, marked consumed, with a way to its
 * lineage. Content is read once the selection is confirmed (queue-selection.ts); a 404 means it just left.
 */
import { useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../api/client';
import type { QueuedFlowFile } from '../api/types';
import { viewContent } from '../lib/content';
import { formatBytes } from '../lib/format';
import { useStore } from '../store';

type Content = { text: string; kind: string; truncated: boolean; size: number };

export function FlowFileDetail(props: {
  flowId: string;
  connectionId: string;
  flowFile: QueuedFlowFile;
  /** FlowFile content is an admin's to read: other roles see the attributes only. */
  showContent: boolean;
  /** A list after the click still had it: its content may be asked for. */
  confirmed: boolean;
  /** It is no longer in the queue. */
  gone: boolean;
  /** The list shows only the first part of the queue (it may have moved past it). */
  partial: boolean;
  onGone(): void;
}) {
  const { flowId, connectionId, flowFile, showContent, confirmed, gone } = props;
  const [content, setContent] = useState<Content | null>(null);
  const [error, setError] = useState<string | null>(null);
  const onGone = useRef(props.onGone);
  onGone.current = props.onGone;

  useEffect(() => {
    if (!confirmed) return;
    if (!showContent) {
      setError('Reading content needs the admin role.');
      return;
    }
    let cancelled = false;
    (async () => {
      const raw = await api.queueContent(flowId, connectionId, flowFile.id);
      let view = viewContent(raw.bytes, raw.contentType);
      let text = view.kind === 'binary' ? '' : view.text;
      if (view.kind === 'binary') {
        const hex = await api.queueContent(flowId, connectionId, flowFile.id, 'hex');
        text = new TextDecoder().decode(hex.bytes);
        view = { kind: 'binary' };
      }
      if (!cancelled) setContent({ text, kind: view.kind, truncated: raw.truncated, size: raw.size });
    })().catch((err: Error) => {
      if (cancelled) return;
      if (err instanceof ApiError && err.status === 404) onGone.current();
      else setError(err.message);
    });
    return () => {
      cancelled = true;
    };
  }, [flowId, connectionId, flowFile.id, showContent, confirmed]);

  return (
    <div data-testid="flowfile-detail" data-flowfile={flowFile.id}>
      <h3 className="flowfile-head">
        FlowFile <span className="mono">{flowFile.id}</span>
        {gone && (
          <span className="consumed-tag" data-testid="flowfile-consumed" title="No longer in this queue">
            consumed
          </span>
        )}
      </h3>
      {gone && (
        <div className="gone-note" data-testid="flowfile-gone">
          <p>
            This FlowFile is no longer in this queue
            {props.partial ? ' (or no longer among the first listed)' : ''}: a processor took it, or it expired.{' '}
            {content
              ? 'Shown as it was when last seen.'
              : 'Its attributes are as the list showed them; its content is no longer here to read.'}
          </p>
          <button
            type="button"
            className="btn small"
            data-testid="flowfile-lineage"
            onClick={() => useStore.getState().showLineage(flowFile.id)}
          >
            Where it went (lineage)
          </button>
        </div>
      )}
      <dl className="attrs">
        {Object.entries(flowFile.attributes).map(([k, v]) => (
          <FragmentRow key={k} name={k} value={v} />
        ))}
      </dl>
      <h3 style={{ fontSize: 12, margin: '12px 0 0' }}>
        Content{' '}
        <span className="muted">
          ({formatBytes(flowFile.size)}
          {content ? `, ${content.kind}` : ''})
        </span>
      </h3>
      {error && <p className="error-text">{error}</p>}
      {content && (
        <pre className={`content ${content.kind}`} data-testid="flowfile-content" data-kind={content.kind}>
          {content.text || '(empty)'}
        </pre>
      )}
      {content?.truncated && (
        <p className="muted">
          Showing the first part only: the server caps what it sends of {formatBytes(content.size)}.
        </p>
      )}
    </div>
  );
}

function FragmentRow({ name, value }: { name: string; value: string }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{value}</dd>
    </>
  );
}
