/** A service's state as a coloured badge: enabled, enabling, disabled, failed (from the flow's status). */
import type { ServiceStatus } from '../../api/types';

export function ServiceStateBadge({
  status,
  enabled,
  testId,
}: {
  status: ServiceStatus | undefined;
  /** The definition's `enabled`, shown while the status does not know the service (the flow is not loaded). */
  enabled?: boolean;
  testId: string;
}) {
  const state = status?.state ?? (enabled === false ? 'disabled' : 'unknown');
  const label = status ? status.state : enabled === false ? 'disabled' : 'not running';
  return (
    <span className={`service-badge state-${state}`} data-testid={testId} title={status?.error ?? label}>
      {label}
    </span>
  );
}
