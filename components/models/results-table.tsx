import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { cn } from "@/lib/utils";

/** Longer values are cut for display; the full text is in the cell's title. */
const MAX_CELL_CHARS = 300;

/** Rows of text values in a table: NULL shows as an em dash, long values are cut with an ellipsis. */
export function ResultsTable({
  columns,
  rows,
  caption,
  testId,
  className,
}: {
  columns: readonly string[];
  rows: readonly (readonly (string | null)[])[];
  caption: string;
  testId?: string;
  className?: string;
}) {
  return (
    <Table data-testid={testId} className={cn("font-mono text-xs", className)}>
      <caption className="sr-only">{caption}</caption>
      <TableHeader>
        <TableRow>
          {columns.map((column, i) => (
            <TableHead key={`${column}-${i}`} scope="col" className="font-sans text-xs">
              {column}
            </TableHead>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row, r) => (
          <TableRow key={r}>
            {row.map((value, c) => (
              <TableCell key={c} className="max-w-80 truncate" title={value !== null && value.length > MAX_CELL_CHARS ? value : undefined}>
                {value === null ? (
                  <span className="text-muted-foreground" title="NULL">
                    —
                  </span>
                ) : value.length > MAX_CELL_CHARS ? (
                  `${value.slice(0, MAX_CELL_CHARS)}…`
                ) : (
                  value
                )}
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
