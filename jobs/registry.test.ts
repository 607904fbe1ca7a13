import { describe, expect, it } from "vitest";
import { jobRegistry } from "@/jobs/registry";
import { jobContracts } from "@/lib/queue/jobs";

describe("job registry", () => {
  it("binds exactly one handler to every contract in lib/queue/jobs.ts", () => {
    expect(jobRegistry.map((j) => j.name).sort()).toEqual(jobContracts.map((c) => c.name).sort());
    for (const job of jobRegistry) {
      const contract = jobContracts.find((c) => c.name === job.name)!;
      expect(job.schema).toBe(contract.schema);
      expect(job.queue).toBe(contract.queue);
    }
  });
});
