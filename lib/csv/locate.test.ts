import { describe, expect, it } from "vitest";
import { createByteLocator, locateByte } from "./locate";

describe("locateByte", () => {
  const file = Buffer.from('id,name,city\n1,"Ann\nMarie",Köln\r\n2,"x,""y""",\xe9t\xe9\n', "latin1");
  const at = (needle: string) => file.indexOf(Buffer.from(needle, "latin1"));

  it("names the line and field of a byte, counting quoted line breaks as lines but not records", () => {
    expect(locateByte(file, at("K"), ",")).toEqual({ line: 3, column: 3 });
    expect(locateByte(file, at("\xe9t"), ",")).toEqual({ line: 4, column: 3 });
    expect(locateByte(file, at("Marie"), ",")).toEqual({ line: 3, column: 2 });
  });

  it("gives the same answer fed one byte at a time", () => {
    const target = at("\xe9t");
    const locator = createByteLocator(",");
    for (let i = 0; i < file.length && !locator.push(file.subarray(i, i + 1), target); i++);
    expect(locator.where()).toEqual({ line: 4, column: 3 });
  });
});
