/** The queue inspector's tabs: what waits in the connection, and what was set aside in its quarantine. */
export type InspectorTab = 'queue' | 'quarantine';

export function InspectorTabs(props: {
  tab: InspectorTab;
  queued: number;
  quarantined: number;
  onTab(tab: InspectorTab): void;
}) {
  const tabs: [InspectorTab, string, number][] = [
    ['queue', 'Queue', props.queued],
    ['quarantine', 'Quarantine', props.quarantined],
  ];
  return (
    <div className="inspector-tabs" role="tablist">
      {tabs.map(([tab, label, n]) => (
        <button
          key={tab}
          type="button"
          role="tab"
          aria-selected={props.tab === tab}
          className={`inspector-tab${props.tab === tab ? ' active' : ''}${tab === 'quarantine' && n > 0 ? ' warn' : ''}`}
          data-testid={`inspector-tab-${tab}`}
          onClick={() => props.onTab(tab)}
        >
          {label} <span className="n">{n}</span>
        </button>
      ))}
    </div>
  );
}
