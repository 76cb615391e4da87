/** The `?` overlay: every keyboard shortcut, from the table in canvas/shortcut-list.ts. Escape closes it. */
import { Fragment, useEffect, useRef } from 'react';
import { SHORTCUTS, type Shortcut } from '../canvas/shortcut-list';
import { Dialog } from './dialogs';
import { useOverlay } from './overlay-state';

const PLACES: Shortcut['where'][] = ['Canvas', 'Palette', 'Anywhere'];

export function ShortcutHelp() {
  const open = useOverlay((s) => s.overlay?.kind === 'help');
  return open ? <ShortcutHelpView /> : null;
}

function ShortcutHelpView() {
  const close = useOverlay((s) => s.close);
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    // The focus goes into the dialog and, once it closes, back to where it was (the canvas, usually).
    const before = document.activeElement as HTMLElement | null;
    closeButton.current?.focus();
    return () => before?.focus?.();
  }, []);
  return (
    <Dialog
      title="Keyboard shortcuts"
      testId="shortcut-help"
      onClose={close}
      footer={
        <button ref={closeButton} type="button" className="btn" data-testid="shortcut-help-close" onClick={close}>
          Close
        </button>
      }
    >
      {PLACES.map((where) => (
        <section key={where} className="shortcut-section">
          <h3>{where}</h3>
          <dl className="shortcut-list">
            {SHORTCUTS.filter((s) => s.where === where).map((s) => (
              <Fragment key={s.id}>
                <dt>
                  {s.keys.map((k, i) => (
                    <Fragment key={k}>
                      {i > 0 && <span className="or"> or </span>}
                      <kbd>{k}</kbd>
                    </Fragment>
                  ))}
                </dt>
                <dd>
                  {s.action}
                  {s.edits && <span className="muted"> (editors)</span>}
                </dd>
              </Fragment>
            ))}
          </dl>
        </section>
      ))}
      <p className="muted shortcut-note">On a Mac, ⌘ works wherever Ctrl is shown.</p>
    </Dialog>
  );
}
