/** Where the canvas is: Flow › Intake › Checks; each crumb but the last leads back to its level. */
import { levelAt } from '../flow-mapping';
import { useStore } from '../store';

export function Breadcrumbs() {
  const path = useStore((s) => s.path);
  const doc = useStore((s) => s.doc);
  const goToLevel = useStore((s) => s.goToLevel);
  if (!doc) return null;
  const names = [
    doc.name,
    ...path.map((id, i) => {
      const group = levelAt(doc, path.slice(0, i))?.groups?.find((g) => g.id === id);
      return group?.name ?? id;
    }),
  ];
  return (
    <nav className="breadcrumbs" aria-label="Level" data-testid="breadcrumbs">
      {names.map((name, depth) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a crumb is its depth
        <span key={depth}>
          {depth > 0 && <span className="sep"> › </span>}
          {depth < names.length - 1 ? (
            <button type="button" className="crumb" data-testid={`crumb-${depth}`} onClick={() => goToLevel(depth)}>
              {name}
            </button>
          ) : (
            <strong className="crumb current" data-testid={`crumb-${depth}`}>
              {name}
            </strong>
          )}
        </span>
      ))}
    </nav>
  );
}
