import { median } from "@/bench/dialects";

/**
 * The "what changed" diff of a 100,000-row keyed result (10 added, 7 changed, 3 removed against
 * its snapshot), as a delivery computes it (prepareDigestDiff on the sandbox role), interleaved
 * with a baseline measured in the same run: a plain CREATE TABLE … AS copy of the same result on
 * the same role, the least any snapshot-based diff must do. Every run printed; target on the median.
 */

export const DIGEST_ROWS = 100_000;
export const DIGEST_TARGET_SECONDS = 5;

export type DigestBenchResult = {
  rows: number;
  /** Seconds per run, interleaved diff, copy, diff, copy, … */
  diffRuns: number[];
  copyRuns: number[];
  diffMedian: number | null;
  copyMedian: number | null;
  ratio: number | null;
  counts: { added: number; changed: number; removed: number } | null;
  error: string | null;
};

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return [Number(process.hrtime.bigint() - started) / 1e9, value];
}

export async function measureDigest(opts: { rounds: number; log: (msg: string) => void }): Promise<DigestBenchResult> {
  const { inSandbox } = await import("@/lib/transform/sandbox");
  const { prepareDigestDiff, promoteDigestSnapshot, discardDigestNext } = await import("@/lib/pipeline/digest-diff");
  const result: DigestBenchResult = {
    rows: DIGEST_ROWS,
    diffRuns: [],
    copyRuns: [],
    diffMedian: null,
    copyMedian: null,
    ratio: null,
    counts: null,
    error: null,
  };
  const target = { pipelineId: "00000000-0000-4000-8000-00000000d1ff", deliveryIndex: 0 };
  const input = { target, model: "bench_digest", key: ["id"], sample: 10 };
  try {
    opts.log(`digest: building a ${DIGEST_ROWS.toLocaleString("en-US")}-row result and its snapshot`);
    await inSandbox(async (tx) => {
      await tx.unsafe("drop table if exists warehouse.bench_digest");
      await tx.unsafe(`create table warehouse.bench_digest as
        select i as id, 'customer-' || (i % 5000) as customer, round((i % 997) * 1.37, 2) as amount,
          timestamptz '2026-01-01' + make_interval(mins => i) as ordered_at, (i % 3 = 0) as paid
        from generate_series(1, ${DIGEST_ROWS}) i`);
    });
    await prepareDigestDiff({ ...input, baseline: true });
    await promoteDigestSnapshot(target);
    await inSandbox(async (tx) => {
      await tx.unsafe("delete from warehouse.bench_digest where id <= 3");
      await tx.unsafe("update warehouse.bench_digest set amount = amount + 1 where id between 500 and 506");
      await tx.unsafe(`insert into warehouse.bench_digest
        select ${DIGEST_ROWS} + i, 'new', 1, now(), false from generate_series(1, 10) i`);
    });
    for (let round = 1; round <= opts.rounds; round++) {
      const [diffSeconds, diff] = await timed(() => prepareDigestDiff({ ...input, baseline: false }));
      // The snapshot stays the baseline for every round: each diff finds the same 20 changes.
      await discardDigestNext(target);
      result.diffRuns.push(diffSeconds);
      result.counts = { added: diff.added, changed: diff.changed, removed: diff.removed };
      const [copySeconds] = await timed(() =>
        inSandbox(async (tx) => {
          await tx.unsafe("drop table if exists warehouse.bench_digest_copy");
          await tx.unsafe("create table warehouse.bench_digest_copy as select * from warehouse.bench_digest");
        }),
      );
      result.copyRuns.push(copySeconds);
      opts.log(`digest round ${round}: diff ${diffSeconds.toFixed(3)} s, copy ${copySeconds.toFixed(3)} s`);
    }
    result.diffMedian = median(result.diffRuns);
    result.copyMedian = median(result.copyRuns);
    result.ratio = result.diffMedian !== null && result.copyMedian ? result.diffMedian / result.copyMedian : null;
    const c = result.counts;
    if (!c || c.added !== 10 || c.changed !== 7 || c.removed !== 3) {
      result.error = `the diff found ${JSON.stringify(c)}, not 10 added, 7 changed, 3 removed`;
    }
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
  } finally {
    await inSandbox(async (tx) => {
      await tx.unsafe("drop table if exists warehouse.bench_digest, warehouse.bench_digest_copy");
    }).catch(() => {});
  }
  return result;
}

export function renderDigest(r: DigestBenchResult): string {
  const s = (v: number | null) => (v === null ? "—" : `${v.toFixed(3)} s`);
  const lines = [
    `## "What changed" diff: ${r.rows.toLocaleString("en-US")} keyed rows (10 added, 7 changed, 3 removed)`,
    "",
    "| | runs (interleaved) | median | best |",
    "|---|---|---|---|",
    `| diff (prepareDigestDiff, sandbox role) | ${r.diffRuns.map((v) => v.toFixed(3)).join(", ")} | ${s(r.diffMedian)} | ${s(r.diffRuns.length ? Math.min(...r.diffRuns) : null)} |`,
    `| baseline: CREATE TABLE AS copy of the result | ${r.copyRuns.map((v) => v.toFixed(3)).join(", ")} | ${s(r.copyMedian)} | ${s(r.copyRuns.length ? Math.min(...r.copyRuns) : null)} |`,
    "",
    `Diff / copy (medians): ${r.ratio === null ? "—" : `${r.ratio.toFixed(2)} ×`}. Target: median diff < ${DIGEST_TARGET_SECONDS} s — ${
      r.diffMedian === null ? "not measured" : r.diffMedian < DIGEST_TARGET_SECONDS ? "met" : "NOT met"
    }.`,
  ];
  if (r.error) lines.push("", `Error: ${r.error}`);
  return lines.join("\n");
}
