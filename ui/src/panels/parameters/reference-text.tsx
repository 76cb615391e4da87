/**
 * A text field of the config form that knows parameters: typing `#{` offers the parameters in scope (nearest
 * first; ↑/↓ to move, Enter or Tab to take one, Escape to close), and under a value that holds references the
 * value it runs with is shown (sensitive values masked, unknown names in the warning colour).
 */
import { type KeyboardEvent, useLayoutEffect, useRef, useState } from 'react';
import {
  applySuggestion,
  filterSuggestions,
  hasReferences,
  MASK,
  resolveForDisplay,
  type ScopedParameter,
  suggestionQuery,
} from '../../lib/parameters';
import type { ControlProps } from '../form/scalar-fields';
import { useDraft } from '../form/use-draft';
import { useFieldScope } from './field-scope';

const show = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : String(v));

type Field = HTMLInputElement | HTMLTextAreaElement;

export function ReferenceTextControl({
  id,
  testId,
  schema,
  value,
  onChange,
  readOnly,
  multiline,
  expression,
}: ControlProps & { multiline?: boolean; expression?: boolean }) {
  const scope = useFieldScope().parameters;
  const draft = useDraft(show(value), (text) => onChange(text));
  const ref = useRef<Field>(null);
  const [open, setOpen] = useState<{ start: number; query: string } | null>(null);
  const [active, setActive] = useState(0);
  const caretAfter = useRef<number | null>(null);
  const options = open ? filterSuggestions(scope.parameters, open.query) : [];
  const listId = `${id}-suggestions`;

  useLayoutEffect(() => {
    if (caretAfter.current === null || !ref.current) return;
    ref.current.setSelectionRange(caretAfter.current, caretAfter.current);
    caretAfter.current = null;
  });

  const look = (text: string, caret: number) => {
    const q = suggestionQuery(text, caret);
    setOpen(q ?? null);
    setActive(0);
  };

  const take = (p: ScopedParameter) => {
    const field = ref.current;
    if (!open || !field) return;
    const caret = field.selectionStart ?? draft.text.length;
    const next = applySuggestion(draft.text, open.start, caret, p.name);
    draft.onChange(next.text);
    caretAfter.current = next.caret;
    setOpen(null);
    field.focus();
  };

  const onKeyDown = (e: KeyboardEvent<Field>) => {
    if (open && options.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : -1;
        setActive((a) => (a + step + options.length) % options.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        take(options[Math.min(active, options.length - 1)]!);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        setOpen(null);
        return;
      }
    }
    if (e.key === 'Enter' && !multiline && !expression) draft.flush();
  };

  const common = {
    id,
    'data-testid': testId,
    value: draft.text,
    disabled: readOnly,
    placeholder: expression
      ? 'JSONata expression'
      : schema.default !== undefined && schema.default !== ''
        ? `default: ${show(schema.default)}`
        : undefined,
    spellCheck: !expression,
    className: expression ? 'expr' : undefined,
    role: 'combobox',
    'aria-autocomplete': 'list' as const,
    'aria-expanded': open !== null && options.length > 0,
    'aria-controls': listId,
    'aria-activedescendant': open && options.length > 0 ? `${listId}-${active}` : undefined,
    onFocus: draft.onFocus,
    onBlur: () => {
      setOpen(null);
      draft.onBlur();
    },
    onKeyDown,
    onChange: (e: { target: Field }) => {
      draft.onChange(e.target.value);
      look(e.target.value, e.target.selectionStart ?? e.target.value.length);
    },
    onClick: (e: { currentTarget: Field }) => {
      if (open) look(e.currentTarget.value, e.currentTarget.selectionStart ?? 0);
    },
  };

  return (
    <div className="param-field">
      {multiline || expression ? (
        <textarea {...common} ref={ref as React.RefObject<HTMLTextAreaElement>} rows={expression ? 2 : 3} />
      ) : (
        <input {...common} ref={ref as React.RefObject<HTMLInputElement>} type="text" />
      )}
      {open && options.length > 0 && (
        <div className="param-suggest" id={listId} role="listbox" data-testid={`suggest-${testId}`}>
          {options.map((p, i) => (
            <div
              key={p.name}
              id={`${listId}-${i}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              className={`param-option${i === active ? ' active' : ''}`}
              data-testid={`suggest-option-${p.name}`}
              // mousedown, not click: the field keeps its focus (a blur would close the list first)
              onMouseDown={(e) => {
                e.preventDefault();
                take(p);
              }}
            >
              <code>{p.name}</code>
              <span className="param-option-value">
                {p.sensitive ? `${MASK} sensitive` : (p.value ?? '(no value)')}
              </span>
              {p.context !== scope.contextId && <span className="param-option-from">from {p.context}</span>}
            </div>
          ))}
        </div>
      )}
      {open && options.length === 0 && (
        <div className="param-suggest empty" data-testid={`suggest-${testId}`}>
          {scope.contextId
            ? `No parameter of context "${scope.contextId}" matches.`
            : 'No parameter context is bound here: bind one in the flow (or group) panel.'}
        </div>
      )}
      <ResolvedValue text={draft.text} testId={testId} />
    </div>
  );
}

/** "→ the value it runs with" under a text that holds references. */
export function ResolvedValue({ text, testId }: { text: string; testId: string }) {
  const scope = useFieldScope().parameters;
  if (!hasReferences(text)) return null;
  const resolved = resolveForDisplay(text, scope);
  return (
    <div className="param-resolved" data-testid={`resolved-${testId}`}>
      <span className="param-resolved-label">Resolves to</span>{' '}
      {resolved.pieces.map((p, i) => {
        const key = `${i}-${'ref' in p ? p.ref : p.text}`;
        if ('text' in p) return <span key={key}>{p.text}</span>;
        if (!p.found)
          return (
            <span key={key} className="param-unknown" title={`#{${p.ref}} is not defined in the context in scope`}>
              #{'{'}
              {p.ref}
              {'}'} not defined
            </span>
          );
        if (p.found.sensitive)
          return (
            <span key={key} className="param-masked" title={`sensitive parameter ${p.ref}`}>
              {MASK}
            </span>
          );
        if (p.found.value === undefined)
          return (
            <span key={key} className="param-unknown">
              #{'{'}
              {p.ref}
              {'}'} has no value
            </span>
          );
        return (
          <span key={key} className="param-value" title={`#{${p.ref}} from context ${p.found.context}`}>
            {p.found.value}
          </span>
        );
      })}
    </div>
  );
}
