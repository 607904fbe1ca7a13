import { describe, expect, it } from "vitest";
import { detectLayout } from "./layout";

describe("detectLayout", () => {
  it("finds the header after a statistics-office preamble of titles, notes and blank lines", () => {
    const text = [
      "Table 3.1: Population by region",
      "Source: National Statistics Office, 2021 census",
      "",
      "region,year,population,change",
      "North,2020,656609,0.4",
      "South,2020,1234567,-1.2",
      "",
    ].join("\n");
    const layout = detectLayout(text, ",", true);
    expect(layout).toMatchObject({ preambleRecords: 2, startLine: 4, header: true, columns: 4, trailingDelimiter: false });
    expect(text.slice(layout.start).startsWith("region,")).toBe(true);
  });

  it("skips an Excel title row padded with delimiters", () => {
    const text = "Quarterly sales;;;\n;;;\nregion;q1;q2;q3\nN;1;2;3\nS;4;5;6\n";
    expect(detectLayout(text, ";", true)).toMatchObject({ preambleRecords: 2, startLine: 3, columns: 4 });
  });

  it("reads from the first record when there is no preamble, including a file of short rows", () => {
    expect(detectLayout("a,b,c\n1,2\n3\n4,5,6\n", ",", true)).toMatchObject({ preambleRecords: 0, startLine: 1, columns: 3 });
  });

  it("takes a delimiter ending every line as a terminator, with or without one after the header", () => {
    expect(detectLayout("a,b,c\n1,2,3,\n4,5,6,\n7,8,9,\n", ",", true)).toMatchObject({ trailingDelimiter: true, columns: 3, startLine: 1 });
    expect(detectLayout("a,b,c,\n1,2,3,\n4,5,6,\n", ",", true)).toMatchObject({ trailingDelimiter: true, columns: 3 });
    expect(detectLayout("a,b,c,\n1,2,3\n4,5,6\n", ",", true)).toMatchObject({ trailingDelimiter: true, columns: 3, startLine: 1 });
  });

  it("a mostly empty last column that the header names is a column", () => {
    expect(detectLayout("a,b,comment\n1,2,\n3,4,\n5,6,\n", ",", true)).toMatchObject({ trailingDelimiter: false, columns: 3 });
  });

  it("a first record of only numbers and dates is data; one word among them makes it a header", () => {
    expect(detectLayout("1,2.5,2024-01-01\n3,4.5,2024-01-02\n", ",", true).header).toBe(false);
    expect(detectLayout("region,2019,2020\nNorth,1,2\n", ",", true).header).toBe(true);
  });

  it("ignores a cut-off last record unless the head is the whole file", () => {
    expect(detectLayout("a,b\n1,2\n3", ",", false)).toMatchObject({ columns: 2 });
  });

  it("reads the cases a review found misread", () => {
    // a two-line file whose data line ends with the delimiter
    expect(detectLayout("a,b,c\n1,2,3,\n", ",", true)).toMatchObject({ startLine: 1, columns: 3, trailingDelimiter: true, header: true });
    // a header wider than every row below it
    expect(detectLayout("name,score,comment\nAlice,90\nBob,85\n", ",", true)).toMatchObject({ startLine: 1, columns: 3, header: true });
    // a sparse first row of a headerless numeric file is data, not a preamble
    expect(detectLayout("1,,\n2,3,4\n5,6,7\n", ",", true)).toMatchObject({ startLine: 1, header: false });
    // boolean words and years as names are a header
    expect(detectLayout("t,y\n0,0.5\n1,0.7\n", ",", true).header).toBe(true);
    expect(detectLayout("2019,2020\n1.5,2.5\n3.5,4.5\n", ",", true).header).toBe(true);
    // a first row typed as its columns are is data
    expect(detectLayout("1,2.5,2024-01-01\n3,4.5,2024-01-02\n", ",", true).header).toBe(false);
    // R's unnamed row-name column over text, years over integer counts: a header
    expect(detectLayout('"","2019","2020"\n"a",1,2\n"b",3,4\n', ",", true).header).toBe(true);
  });
});
