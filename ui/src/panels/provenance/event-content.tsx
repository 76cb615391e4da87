/**
 * One side (input or output) of a provenance event's content, as NiFi's Content tab shows it: its size, View
 * (a preview, fetched on demand) and Download. When the event kept no content, or it aged out of the archive,
 * the server's answer (404 / 410) is shown as it is.
 */
import { useState } from 'react';
import { api } from '../../api/client';
import type { ContentSide, ProvenanceEvent } from '../../api/types';
import { formatBytes } from '../../lib/format';
import { useCan } from '../../store/use-can';
import { type ContentPreview, knownSize, PREVIEW_BYTES, previewContent } from './content-preview';

interface Loaded extends ContentPreview {
  size: number;
  truncated: boolean;
}

/** Container: fetches the preview or the file when asked. Keyed by event and side, so state never leaks across. */
export function EventContent({ event, side, title }: { event: ProvenanceEvent; side: ContentSide; title: string }) {
  const canRead = useCan('admin');
  const [preview, setPreview] = useState<Loaded | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const view = () =>
    run(async () => {
      const raw = await api.eventContent(event.eventId, side, PREVIEW_BYTES);
      setPreview({
        ...previewContent(raw.bytes, raw.contentType, raw.truncated),
        size: raw.size,
        truncated: raw.truncated,
      });
    });
  const download = () =>
    run(async () => {
      const { blob, filename } = await api.eventContentFile(event.eventId, side);
      saveFile(blob, filename);
    });

  if (!canRead)
    return (
      <section className="event-content" data-testid={`content-${side}`}>
        <p className="muted">{title}: reading content needs the admin role.</p>
      </section>
    );
  return (
    <EventContentView
      side={side}
      title={title}
      size={preview?.size ?? knownSize(event, side)}
      href={api.eventContentUrl(event.eventId, side)}
      busy={busy}
      error={error}
      preview={preview}
      onView={() => void view()}
      onHide={() => setPreview(null)}
      onDownload={() => void download()}
    />
  );
}

interface ViewProps {
  side: ContentSide;
  title: string;
  size: number | undefined;
  href: string;
  busy: boolean;
  error: string | null;
  preview: Loaded | null;
  onView(): void;
  onHide(): void;
  onDownload(): void;
}

export function EventContentView(props: ViewProps) {
  const { side, title, size, preview, error } = props;
  return (
    <section className="event-content" data-testid={`content-${side}`}>
      <div className="event-content-head">
        <h3>
          {title}{' '}
          <span className="muted">({size === undefined ? 'size unknown until viewed' : formatBytes(size)})</span>
        </h3>
        <span className="spacer" />
        <button
          type="button"
          className="btn small"
          data-testid={`content-view-${side}`}
          disabled={props.busy}
          onClick={preview ? props.onHide : props.onView}
        >
          {preview ? 'Hide' : 'View'}
        </button>
        <a
          className="btn small"
          href={props.href}
          data-testid={`content-download-${side}`}
          onClick={(e) => {
            // Fetched rather than followed: the request carries the token, and a refusal is shown here.
            e.preventDefault();
            props.onDownload();
          }}
        >
          Download
        </a>
      </div>
      {error && (
        <p className="error-text" role="alert" data-testid={`content-error-${side}`}>
          {error}
        </p>
      )}
      {preview && (
        <pre className={`content ${preview.kind}`} data-testid={`content-preview-${side}`} data-kind={preview.kind}>
          {preview.text || '(empty)'}
        </pre>
      )}
      {preview?.truncated && (
        <p className="muted">
          Showing the first {formatBytes(PREVIEW_BYTES)} of {formatBytes(preview.size)}; Download has all of it.
        </p>
      )}
    </section>
  );
}

/** Saves a fetched file through a temporary link (the browser's own download, named by the server). */
function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
