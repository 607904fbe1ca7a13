/** A CSV of `rows` numbered rows (id, label, amount) whose labels carry `tag`, so versions differ. */
export function numberedCsv(rows: number, tag: string): string {
  const lines = ["id,label,amount"];
  for (let i = 1; i <= rows; i++) lines.push(`${i},${tag}-${i},${(i * 37) % 1000}.5`);
  return lines.join("\n") + "\n";
}
