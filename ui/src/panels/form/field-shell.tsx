/** Label, help text and inline errors around one form control. */
import type { ReactNode } from 'react';
import type { ComponentIssue } from '../../lib/issues';

export function FieldShell(props: {
  id: string;
  label: string;
  required?: boolean;
  help?: string;
  issues: readonly ComponentIssue[];
  testId: string;
  checkbox?: ReactNode;
  children?: ReactNode;
}) {
  const own = props.issues;
  return (
    <div className={`field${own.length > 0 ? ' has-error' : ''}${props.checkbox ? ' checkbox' : ''}`}>
      {props.checkbox ? (
        <label htmlFor={props.id}>
          {props.checkbox}
          {props.label}
        </label>
      ) : (
        <label htmlFor={props.id}>
          {props.label}
          {props.required && <span className="error-text">*</span>}
        </label>
      )}
      {props.children}
      {own.length > 0 && (
        <div className="field-error" data-testid={`error-${props.testId}`}>
          {own.map((i) => (
            <div key={i.fullPath + i.message}>
              {i.path && i.path !== '' ? <code>{i.path} </code> : null}
              {i.message}
            </div>
          ))}
        </div>
      )}
      {props.help && <div className="help">{props.help}</div>}
    </div>
  );
}
