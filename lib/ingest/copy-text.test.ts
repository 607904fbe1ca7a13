import { describe, expect, it } from "vitest";
import { copyLine, escapeCopyText } from "@/lib/ingest/copy-text";

describe("COPY text encoding", () => {
  it("writes empty strings as NULL and escapes the format's special characters", () => {
    expect(escapeCopyText("")).toBe("\\N");
    expect(escapeCopyText('plain, text "quoted"')).toBe('plain, text "quoted"');
    expect(escapeCopyText("a\\b\tc\nd\re")).toBe("a\\\\b\\tc\\nd\\re");
    expect(escapeCopyText("\\N")).toBe("\\\\N");
  });

  it("prefixes the line number and pads short rows with NULL", () => {
    expect(copyLine(7, ["x", ""], 3)).toBe("7\tx\t\\N\t\\N\n");
  });
});
