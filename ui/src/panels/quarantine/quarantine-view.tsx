/**
 * The Quarantine tab's markup: the FlowFiles set aside with why (the error), where (the processor) and how often
 * they failed; "Put back" and "Drop all" (confirmed first) with the server's answer under them; the selected
 * FlowFile's attributes. Props only: quarantine-section.tsx holds the data.
 */
import { Fragment, type ReactNode } from 'react';
import type { QueuedFlowFile } from '../../api/types';
import { formatAge, formatBytes } from '../../lib/format';
import { ConfirmDialog } from '../dialogs';
import { attributesForDisplay, quarantineInfo, type ReleaseAction } from './quarantine-info';

export type Outcome = { tone: 'done' | 'failed'; text: string };

export interface QuarantineViewProps {
  heading: ReactNode;
  connectionId: string;
  /** All quarantined FlowFiles (live); `flowFiles` holds the first of them. */
  count: number;
  flowFiles: QueuedFlowFile[] | null;
  error: string | null;
  /** Processor id → display name, for "failed in". */
  processorNames: Readonly<Record<string, string>>;
  selected: string | null;
  onSelect(id: string): void;
  /** The role may put back and drop (operator); the server decides in the end. */
  canRelease: boolean;
  busy: ReleaseAction | null;
  outcome: Outcome | null;
  confirming: boolean;
  onRefresh(): void;
  onRequeue(): void;
  onAskDrop(): void;
  onConfirmDrop(): void;
  onCancelDrop(): void;
  onClose(): void;
}

export function QuarantineView(props: QuarantineViewProps) {
  const { flowFiles, count, busy } = props;
  const empty = !flowFiles || flowFiles.length === 0;
  const current = flowFiles?.find((f) => f.id === props.selected);
  return (
    <>
      <div className="drawer-head">
        {props.heading}
        <span className="muted nowrap" data-testid="quarantine-total">
          {count} quarantined
          {flowFiles && count > flowFiles.length && flowFiles.length > 0 ? `, first ${flowFiles.length} shown` : ''}
        </span>
        <span className="spacer" />
        <button type="button" className="btn small" onClick={props.onRefresh}>
          ↻ Refresh
        </button>
        <button
          type="button"
          className="btn small primary"
          data-testid="quarantine-requeue"
          hidden={!props.canRelease}
          disabled={empty || busy !== null}
          title="Put every quarantined FlowFile back into the connection, once the cause is fixed"
          onClick={props.onRequeue}
        >
          Put back
        </button>
        <button
          type="button"
          className="btn small danger"
          data-testid="quarantine-drop"
          hidden={!props.canRelease}
          disabled={empty || busy !== null}
          onClick={props.onAskDrop}
        >
          Drop all
        </button>
        <button type="button" className="btn small ghost" aria-label="Close" onClick={props.onClose}>
          ×
        </button>
      </div>
      {(props.outcome || busy) && (
        <p
          className={`quarantine-outcome ${props.outcome?.tone ?? 'busy'}`}
          role="status"
          data-testid="quarantine-outcome"
          data-tone={props.outcome?.tone ?? 'busy'}
        >
          {props.outcome?.text ?? (busy === 'requeue' ? 'Putting back…' : 'Dropping…')}
        </p>
      )}
      <div className="drawer-body queue quarantine">
        <div className="list">
          {props.error && <p className="error-text pad">{props.error}</p>}
          {flowFiles && flowFiles.length === 0 && (
            <p className="muted pad">
              Nothing is quarantined here. A FlowFile whose sessions keep failing (schedule.quarantineAfter times) is
              set aside here instead of being retried for ever.
            </p>
          )}
          {!empty && (
            <table className="grid" data-testid="quarantine-table">
              <thead>
                <tr>
                  <th>#</th>
                  <th>FlowFile</th>
                  <th>Failed in</th>
                  <th>Reason</th>
                  <th>Age</th>
                </tr>
              </thead>
              <tbody>
                {flowFiles.map((f) => {
                  const info = quarantineInfo(f.attributes);
                  return (
                    <tr
                      key={f.id}
                      className={`clickable${f.id === props.selected ? ' active' : ''}`}
                      onClick={() => props.onSelect(f.id)}
                      data-testid="quarantine-row"
                      data-flowfile={f.id}
                    >
                      <td>{f.position + 1}</td>
                      <td className="mono" title={f.id}>
                        {f.id.slice(0, 13)}
                      </td>
                      <td data-testid="quarantine-processor" title={info.processor}>
                        {props.processorNames[info.processor] ?? info.processor}
                        {info.failures !== null && <span className="muted"> ×{info.failures}</span>}
                      </td>
                      <td className="reason" data-testid="quarantine-reason" title={info.reason}>
                        <span>{info.reason}</span>
                      </td>
                      <td>{formatAge(f.ageMs)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </div>
        <div className="detail">
          {current ? (
            <QuarantinedDetail flowFile={current} />
          ) : (
            <p className="muted">
              Select a FlowFile to see its attributes. Fix the cause (the processor's config, or what it talks to), then
              put them back; or drop them.
            </p>
          )}
        </div>
      </div>
      {props.confirming && (
        <ConfirmDialog
          title="Drop the quarantined FlowFiles?"
          text={`Drop all ${count} FlowFile${count === 1 ? '' : 's'} quarantined in "${props.connectionId}"? Each is recorded as a DROP provenance event; this cannot be undone.`}
          action="Drop all"
          onConfirm={props.onConfirmDrop}
          onCancel={props.onCancelDrop}
        />
      )}
    </>
  );
}

function QuarantinedDetail({ flowFile }: { flowFile: QueuedFlowFile }) {
  return (
    <div className="quarantine-detail" data-testid="quarantine-detail">
      <h3 style={{ fontSize: 12, marginBottom: 6 }}>
        FlowFile <span className="mono">{flowFile.id}</span>{' '}
        <span className="muted">({formatBytes(flowFile.size)})</span>
      </h3>
      <dl className="attrs">
        {attributesForDisplay(flowFile.attributes).map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </Fragment>
        ))}
      </dl>
    </div>
  );
}
