// Keeps the keyboard focus in the page when the element holding it is taken away: a list refreshed
// after an action (a token revoked, a secret deleted) removes the very button that was focused, and
// the browser then drops the focus to the top of the document, so a keyboard user starts over. The
// focus goes to the page's main region (tabindex -1) instead, wherever the removal came from — a
// closing dialog cannot know whether the list behind it is refreshed before or after it closes.
export function keepFocusInPage(doc: Document): void {
  let last: HTMLElement | null = null;
  doc.addEventListener('focusin', (e) => {
    if (e.target instanceof HTMLElement) last = e.target;
  });
  new MutationObserver(() => {
    // With a modal dialog open the page behind it is inert: the dialog keeps its own focus.
    if (last && !last.isConnected && (doc.activeElement === doc.body || doc.activeElement === null) && !doc.querySelector('dialog[open]')) {
      last = null;
      doc.getElementById('main')?.focus();
    }
  }).observe(doc.body, { childList: true, subtree: true });
}
