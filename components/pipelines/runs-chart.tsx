"use client";

import { useId } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import {
  Bar,
  CartesianGrid,
  Cell,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  type TooltipContentProps,
} from "recharts";
import { formatCount, formatDuration } from "@/lib/format";
import { statusLabel, type DisplayStatus } from "@/components/pipelines/run-status";

/** Bar colours by how the run went; the legend below the chart names them. */
const STATE_COLOURS: Partial<Record<DisplayStatus, string>> = {
  succeeded: "var(--outcome-succeeded)",
  succeeded_with_warnings: "var(--outcome-warned)",
  failed: "var(--destructive)",
};
const OTHER_COLOUR = "var(--outcome-other)";
const LEGEND: DisplayStatus[] = ["succeeded", "succeeded_with_warnings", "failed"];

function barColour(state: DisplayStatus): string {
  return STATE_COLOURS[state] ?? OTHER_COLOUR;
}

/** One run as the chart plots it; labels are made on the server so both renders agree. */
export type RunPoint = {
  id: string;
  /** Short time label for the axis, e.g. "28 Nov 21:03". */
  label: string;
  pipeline: string;
  /** The run's status or, once it ended, its outcome (colours the bar). */
  state: DisplayStatus;
  status: string;
  durationSeconds: number | null;
  rows: number | null;
};

function RunTooltip({ active, payload }: TooltipContentProps<number, string>) {
  const point = active ? (payload?.[0]?.payload as RunPoint | undefined) : undefined;
  if (!point) return null;
  return (
    <div className="bg-popover text-popover-foreground rounded-md border px-3 py-2 text-xs shadow-md">
      <p className="font-medium">{point.pipeline}</p>
      <p className="text-muted-foreground">
        {point.label} UTC · {point.status}
      </p>
      <p>Duration: {point.durationSeconds === null ? "—" : formatDuration(point.durationSeconds * 1000)}</p>
      <p>Rows loaded: {formatCount(point.rows)}</p>
    </div>
  );
}

/** Duration (bars) and rows loaded (line) of recent runs, oldest on the left, with the same data as a table. */
export function RunsChart({ data }: { data: RunPoint[] }) {
  const captionId = useId();
  const router = useRouter();
  const title = `Duration and rows loaded of the last ${data.length} runs`;
  const description =
    "Bars show each run's duration in seconds against the left axis, coloured by outcome (green succeeded, amber succeeded with warnings, red failed, grey other); a bar opens its run. The line shows rows loaded against the right axis. Oldest run on the left. The same figures are in the table below the chart.";
  return (
    <figure aria-labelledby={captionId} className="flex flex-col gap-3" data-testid="runs-chart">
      <figcaption id={captionId} className="sr-only">
        {title}. {description}
      </figcaption>
      {/* Clipped sideways: before it measures its box the chart draws at its initial width, which
          on a phone would widen the whole page for a moment. */}
      <div className="h-64 w-full min-w-0 overflow-x-clip">
        <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 320, height: 256 }}>
          <ComposedChart data={data} title={title} desc={description} margin={{ top: 8, right: 4, bottom: 0, left: 4 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} className="stroke-border" />
            <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={24} tickLine={false} />
            <YAxis
              yAxisId="duration"
              tick={{ fontSize: 11 }}
              width={44}
              tickFormatter={(v: number) => `${v}s`}
              label={{ value: "Duration (s)", angle: -90, position: "insideLeft", style: { fontSize: 11, textAnchor: "middle" } }}
            />
            <YAxis
              yAxisId="rows"
              orientation="right"
              tick={{ fontSize: 11 }}
              width={56}
              tickFormatter={(v: number) => formatCount(v)}
              label={{ value: "Rows", angle: 90, position: "insideRight", style: { fontSize: 11, textAnchor: "middle" } }}
            />
            <Tooltip content={(props) => <RunTooltip {...(props as TooltipContentProps<number, string>)} />} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Bar
              yAxisId="duration"
              dataKey="durationSeconds"
              name="Duration (s)"
              fill="var(--chart-2)"
              radius={[3, 3, 0, 0]}
              isAnimationActive={false}
              className="cursor-pointer"
              onClick={(entry: { payload?: RunPoint }) => {
                if (entry.payload?.id) router.push(`/runs/${entry.payload.id}`);
              }}
            >
              {data.map((p) => (
                <Cell key={p.id} fill={barColour(p.state)} data-state={p.state} />
              ))}
            </Bar>
            <Line
              yAxisId="rows"
              dataKey="rows"
              name="Rows loaded"
              stroke="var(--chart-1)"
              strokeWidth={2}
              dot={false}
              connectNulls
              isAnimationActive={false}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <ul className="text-muted-foreground flex flex-wrap gap-x-4 gap-y-1 text-xs" aria-label="Bar colours" data-testid="runs-chart-legend">
        {LEGEND.map((state) => (
          <li key={state} className="flex items-center gap-1.5">
            <span aria-hidden="true" className="inline-block size-2.5 rounded-sm" style={{ background: barColour(state) }} />
            {statusLabel(state)}
          </li>
        ))}
        <li className="flex items-center gap-1.5">
          <span aria-hidden="true" className="inline-block size-2.5 rounded-sm" style={{ background: OTHER_COLOUR }} />
          Cancelled or not finished
        </li>
      </ul>
      <details className="rounded-md border">
        <summary className="focus-visible:ring-ring/50 cursor-pointer rounded-md px-3 py-2 text-sm font-medium outline-none focus-visible:ring-[3px]">
          Show the figures as a table
        </summary>
        <div className="max-h-72 overflow-auto border-t">
          <table className="w-full text-xs" data-testid="runs-chart-table">
            <caption className="sr-only">{title}</caption>
            <thead>
              <tr className="border-b text-left">
                <th scope="col" className="px-3 py-1.5 font-medium">
                  Run (UTC)
                </th>
                <th scope="col" className="px-3 py-1.5 font-medium">
                  Pipeline
                </th>
                <th scope="col" className="px-3 py-1.5 font-medium">
                  Status
                </th>
                <th scope="col" className="px-3 py-1.5 text-right font-medium">
                  Duration
                </th>
                <th scope="col" className="px-3 py-1.5 text-right font-medium">
                  Rows loaded
                </th>
              </tr>
            </thead>
            <tbody>
              {data.map((p) => (
                <tr key={p.id} className="border-b last:border-0" data-testid="runs-chart-row" data-run-id={p.id} data-state={p.state}>
                  <td className="px-3 py-1 whitespace-nowrap">
                    <Link href={`/runs/${p.id}`} className="underline-offset-4 hover:underline">
                      {p.label}
                    </Link>
                  </td>
                  <td className="px-3 py-1">{p.pipeline}</td>
                  <td className="px-3 py-1">{p.status}</td>
                  <td className="px-3 py-1 text-right tabular-nums">
                    {p.durationSeconds === null ? "—" : formatDuration(p.durationSeconds * 1000)}
                  </td>
                  <td className="px-3 py-1 text-right tabular-nums">{formatCount(p.rows)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
