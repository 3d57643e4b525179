// The keyboard as a person uses it: Tab until the control with a given accessible name has the focus,
// then act on it with keys. No click, no locator.focus(): what Tab cannot reach fails the test.
import type { Page } from 'playwright-core';

// Runs in the page (a string: the test's TypeScript has no DOM types). The name a person hears: the
// aria-label, else the label's visible words (its <span> where the label also holds the control),
// else the element's own text.
const FOCUSED_NAME = `(() => {
  const e = document.activeElement;
  if (!e) return '';
  const label = e.labels && e.labels[0] ? (e.labels[0].querySelector('span') || e.labels[0]) : null;
  return (e.getAttribute('aria-label') || (label ? label.innerText : e.innerText) || '').trim();
})()`;

/** The accessible name of the element that has the focus ('' for none). */
export async function focusedName(page: Page): Promise<string> {
  return (await page.evaluate(FOCUSED_NAME)) as string;
}

/** Presses Tab (at most `limit` times) until the control named `name` has the focus. */
export async function focusOn(page: Page, name: string, limit = 60): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if ((await focusedName(page)) === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

/** Presses ArrowDown (then ArrowUp) on the focused <select> until it holds `value`: a closed select changes at once. */
export async function arrowTo(page: Page, value: string, limit = 20): Promise<void> {
  const current = async () => (await page.evaluate('document.activeElement.value')) as string;
  for (const key of ['ArrowDown', 'ArrowUp']) {
    for (let i = 0; i < limit && (await current()) !== value; i++) await page.keyboard.press(key);
  }
  if ((await current()) !== value) throw new Error(`the arrow keys never chose "${value}" in ${await focusedName(page)}`);
}
