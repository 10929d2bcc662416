import type { ReactElement, ReactNode } from 'react';

/**
 * A table of the console's kind (class `grid`): a caption when given, one header row, the rows. A column named by a
 * string gets a plain `<th scope="col">`; one that needs more (a sort button) is given as its own `<th>`.
 */
export function Grid({
  columns,
  caption,
  className,
  children,
}: {
  columns: readonly (string | ReactElement)[];
  caption?: ReactNode;
  /** More classes after `grid`. */
  className?: string;
  children: ReactNode;
}) {
  return (
    <table className={className ? `grid ${className}` : 'grid'}>
      {caption ? <caption>{caption}</caption> : null}
      <thead>
        <tr>
          {columns.map((column) =>
            typeof column === 'string' ? (
              <th scope="col" key={column}>
                {column}
              </th>
            ) : (
              column
            ),
          )}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
