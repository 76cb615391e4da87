/**
 * A sortable table of rows: click a column's header to sort by it (again: the other way round). Each column
 * says how to show a cell and what to sort by; a row can be opened by click or Enter.
 */
import { type ReactNode, useMemo, useState } from 'react';

export interface Column<T> {
  key: string;
  label: string;
  /** What the column sorts by. */
  sort: (row: T) => string | number;
  cell: (row: T) => ReactNode;
  /** Numbers align right. */
  numeric?: boolean;
  title?: string;
}

export interface SortOrder {
  key: string;
  descending: boolean;
}

interface Props<T> {
  testId: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  initialSort: SortOrder;
  onOpen?: (row: T) => void;
  /** Extra attributes of a row (a data-state, a class for a backpressured queue). */
  rowClass?: (row: T) => string;
  empty: ReactNode;
}

export function sortRows<T>(rows: readonly T[], column: Column<T> | undefined, descending: boolean): T[] {
  if (!column) return [...rows];
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = column.sort(a);
    const y = column.sort(b);
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return order * sign;
  });
}

export function DataTable<T>({ testId, columns, rows, rowKey, initialSort, onOpen, rowClass, empty }: Props<T>) {
  const [order, setOrder] = useState(initialSort);
  const column = columns.find((c) => c.key === order.key);
  const sorted = useMemo(() => sortRows(rows, column, order.descending), [rows, column, order.descending]);
  const sortBy = (key: string) =>
    setOrder((o) => (o.key === key ? { key, descending: !o.descending } : { key, descending: false }));

  return (
    <table className="data-table" data-testid={testId}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th
              key={c.key}
              className={c.numeric ? 'num' : undefined}
              aria-sort={order.key === c.key ? (order.descending ? 'descending' : 'ascending') : 'none'}
              title={c.title}
            >
              <button type="button" data-testid={`${testId}-sort-${c.key}`} onClick={() => sortBy(c.key)}>
                {c.label}
                <span className="sort-mark">{order.key === c.key ? (order.descending ? ' ▼' : ' ▲') : ''}</span>
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {sorted.map((row) => (
          <tr
            key={rowKey(row)}
            data-testid={`${testId}-row`}
            data-key={rowKey(row)}
            className={`${onOpen ? 'openable' : ''} ${rowClass?.(row) ?? ''}`}
            tabIndex={onOpen ? 0 : undefined}
            onClick={onOpen && (() => onOpen(row))}
            onKeyDown={onOpen && ((e) => e.key === 'Enter' && onOpen(row))}
          >
            {columns.map((c) => (
              <td key={c.key} className={c.numeric ? 'num' : undefined} data-col={c.key}>
                {c.cell(row)}
              </td>
            ))}
          </tr>
        ))}
        {sorted.length === 0 && (
          <tr>
            <td colSpan={columns.length} className="empty">
              {empty}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
