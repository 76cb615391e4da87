/**
 * The top bar's navigation: the canvas (of the flow and level last shown), the Summary and Bulletins pages (as
 * links: the address says where the app is), and Search across flows (Ctrl+F).
 */
import { formatRoute, type Page, useRoute } from '../routing';
import { useStore } from '../store';
import { useSearchDialog } from './search-dialog';

export function TopNav() {
  const page = useRoute().page;
  const flowId = useStore((s) => s.meta?.id);
  const path = useStore((s) => s.path);
  const canvas = formatRoute({ page: 'canvas', flowId, groups: path });
  const link = (to: Page, href: string, label: string) => (
    <a
      href={href}
      className={`nav-link${page === to ? ' active' : ''}`}
      aria-current={page === to ? 'page' : undefined}
      data-testid={`nav-${to}`}
    >
      {label}
    </a>
  );
  return (
    <nav className="top-nav" aria-label="Pages">
      {link('canvas', canvas, 'Canvas')}
      {link('summary', '#/summary', 'Summary')}
      {link('bulletins', '#/bulletins', 'Bulletins')}
      <button
        type="button"
        className="btn small"
        data-testid="open-search"
        title="Search every flow (Ctrl+F)"
        onClick={() => useSearchDialog.getState().show()}
      >
        ⌕ Search
      </button>
    </nav>
  );
}
