import type { Locator, Page } from "@playwright/test";

/**
 * The visible element with this test id. While the server streams a page behind the
 * `loading.tsx` boundary, React keeps a hidden copy of the new content at the end of <body>
 * (`<div hidden id="S:0">`) until it reveals it; a plain `getByTestId` can then match two
 * elements, one hidden, and a strict assertion fails on a page that looks right.
 */
export function shown(scope: Page | Locator, testId: string): Locator {
  return scope.getByTestId(testId).filter({ visible: true });
}
