import type { Page } from "@playwright/test";

/** Replaces the text of the page's (first) SQL editor, as pasting it would. */
export async function typeSql(page: Page, sql: string) {
  const editor = page.locator(".cm-content").first();
  await editor.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(sql);
}
