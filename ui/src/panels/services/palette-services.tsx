/** The palette's Services section: controller service types; Enter, Space or a click adds one at the level shown. */
import { useStore } from '../../store';
import { addServiceHere } from './service-actions';

export function PaletteServices({ query, enabled }: { query: string; enabled: boolean }) {
  const types = useStore((s) => s.catalog.services);
  const q = query.trim().toLowerCase();
  const shown = types.filter(
    (t) => !q || t.type.toLowerCase().includes(q) || t.description.toLowerCase().includes(q) || 'services'.includes(q),
  );
  if (shown.length === 0) return null;
  return (
    <section className="palette-group" data-testid="palette-services">
      <h3>Services</h3>
      {shown.map((t) => (
        <button
          type="button"
          key={t.type}
          className="palette-item service"
          disabled={!enabled}
          data-testid={`palette-service-${t.type}`}
          title={`${t.description}\n\nProvides: ${t.provides.join(', ')}. Click (or press Enter) to add one here.`}
          onClick={() => addServiceHere(t.type)}
        >
          <strong>{t.type}</strong>
          <span>{t.description}</span>
        </button>
      ))}
    </section>
  );
}
