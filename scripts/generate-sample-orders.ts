import fs from "node:fs";
import path from "node:path";
import { createRng } from "../bench/generate-csv";

/**
 * Writes lib/onboarding/sample-orders.csv, the shop orders behind "Try it with sample data".
 * Deterministic (a fixed seed), so running it again gives the same bytes; the CSV is committed
 * and this script only documents how it was made: `node --import tsx scripts/generate-sample-orders.ts`.
 */
const ROWS = 4_000;
const FIRST_DAY = Date.UTC(2025, 0, 6); // a Monday
const DAYS = 25 * 7;
const OUT = path.join(__dirname, "..", "lib", "onboarding", "sample-orders.csv");

// The bench's seeded generator: the same sequence on every machine.
const rand = createRng(20250106);

function pick<T>(choices: readonly (readonly [T, number])[]): T {
  const total = choices.reduce((sum, [, w]) => sum + w, 0);
  let r = rand() * total;
  for (const [value, weight] of choices) {
    r -= weight;
    if (r < 0) return value;
  }
  return choices[choices.length - 1]![0];
}

const REGIONS = [
  ["North", 26],
  ["South", 22],
  ["East", 20],
  ["West", 19],
  ["Central", 13],
] as const;
const CHANNELS = [
  ["web", 52],
  ["app", 31],
  ["store", 17],
] as const;
const CATEGORIES = [
  ["Apparel", 30, 18, 90],
  ["Electronics", 14, 45, 420],
  ["Home", 22, 12, 160],
  ["Beauty", 19, 8, 60],
  ["Sports", 15, 20, 180],
] as const;

/** Day weights: a slow upward trend and busier weekends. */
function dayWeight(day: number): number {
  const weekday = new Date(FIRST_DAY + day * 86_400_000).getUTCDay();
  return (1 + day / DAYS) * (weekday === 0 || weekday === 6 ? 1.35 : 1);
}

function main(): void {
  const weights = Array.from({ length: DAYS }, (_, d) => dayWeight(d));
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const perDay = weights.map((w) => Math.floor((w / totalWeight) * ROWS));
  // Hand the rounding remainder to the busiest days so the total is exact.
  let missing = ROWS - perDay.reduce((a, b) => a + b, 0);
  for (let d = DAYS - 1; missing > 0; d = (d - 1 + DAYS) % DAYS, missing--) perDay[d]!++;

  const lines = ["order_id,order_date,customer_id,region,channel,category,items,amount,status"];
  let orderNo = 100_001;
  for (let day = 0; day < DAYS; day++) {
    const date = new Date(FIRST_DAY + day * 86_400_000).toISOString().slice(0, 10);
    const age = DAYS - day;
    for (let i = 0; i < perDay[day]!; i++) {
      const region = pick(REGIONS);
      const channel = pick(CHANNELS);
      const [category, , low, high] = pick(CATEGORIES.map((c) => [c, c[1]] as const));
      const items = 1 + Math.floor(rand() ** 2 * 6);
      const unit = low + (high - low) * rand() ** 1.6;
      const amount = (unit * items * (channel === "store" ? 0.95 : 1)).toFixed(2);
      // Recent orders are still on their way; older ones were delivered (or refunded).
      const status =
        age <= 3
          ? pick([
              ["paid", 55],
              ["shipped", 40],
              ["cancelled", 5],
            ] as const)
          : age <= 10
            ? pick([
                ["shipped", 45],
                ["delivered", 48],
                ["cancelled", 4],
                ["refunded", 3],
              ] as const)
            : pick([
                ["delivered", 90],
                ["refunded", 5],
                ["cancelled", 5],
              ] as const);
      const customer = `C-${String(1 + Math.floor(rand() ** 1.3 * 1_200)).padStart(4, "0")}`;
      lines.push([`SO-${orderNo++}`, date, customer, region, channel, category, items, amount, status].join(","));
    }
  }
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, lines.join("\n") + "\n");
  console.log(`wrote ${lines.length - 1} orders, ${fs.statSync(OUT).size} bytes, to ${path.relative(process.cwd(), OUT)}`);
}

main();
