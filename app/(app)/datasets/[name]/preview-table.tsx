"use client";

import { useMemo } from "react";
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from "@tanstack/react-table";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

type Row = { n: number; values: (string | null)[] };

/**
 * One server-side page of the typed table. Values are Postgres's text output and are rendered
 * as React text, never as HTML; NULL shows as a muted em dash.
 */
export function PreviewTable({
  columns,
  rows,
  offset,
  labelledBy,
}: {
  columns: { name: string; header: string }[];
  rows: (string | null)[][];
  offset: number;
  labelledBy: string;
}) {
  const data = useMemo<Row[]>(() => rows.map((values, i) => ({ n: offset + i + 1, values })), [rows, offset]);
  const defs = useMemo<ColumnDef<Row>[]>(
    () => [
      {
        id: "_row",
        header: () => <span className="sr-only">Row number</span>,
        cell: (ctx) => <span className="text-muted-foreground tabular-nums">{ctx.row.original.n}</span>,
      },
      ...columns.map<ColumnDef<Row>>((c, i) => ({
        id: c.name,
        accessorFn: (row) => row.values[i] ?? null,
        header: () => (
          <span title={c.header !== c.name ? `Header in the file: ${c.header}` : undefined} className="font-mono text-xs">
            {c.name}
          </span>
        ),
        cell: (ctx) => <Value value={ctx.getValue<string | null>()} />,
      })),
    ],
    [columns],
  );
  const table = useReactTable({ data, columns: defs, getCoreRowModel: getCoreRowModel(), manualPagination: true });

  return (
    <Table aria-labelledby={labelledBy} data-testid="preview-table">
      <TableHeader>
        {table.getHeaderGroups().map((group) => (
          <TableRow key={group.id}>
            {group.headers.map((header) => (
              <TableHead key={header.id} scope="col" className={header.column.id === "_row" ? "w-12 pl-4" : undefined}>
                {header.isPlaceholder ? null : flexRender(header.column.columnDef.header, header.getContext())}
              </TableHead>
            ))}
          </TableRow>
        ))}
      </TableHeader>
      <TableBody>
        {table.getRowModel().rows.map((row) => (
          <TableRow key={row.id}>
            {row.getVisibleCells().map((cell) => (
              <TableCell key={cell.id} className={cell.column.id === "_row" ? "pl-4" : "max-w-80 truncate"}>
                {flexRender(cell.column.columnDef.cell, cell.getContext())}
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function Value({ value }: { value: string | null }) {
  if (value === null) {
    return (
      <span className="text-muted-foreground" title="NULL">
        <span aria-hidden="true">—</span>
        <span className="sr-only">NULL</span>
      </span>
    );
  }
  return <span title={value.length > 40 ? value : undefined}>{value}</span>;
}
