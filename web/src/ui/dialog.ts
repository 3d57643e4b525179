// A modal dialog on the platform's <dialog>: showModal() gives the focus trap, Escape and the inert
// page behind it, so keyboard users get the same dialog as everyone else.
import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

let nextId = 0;

export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean; drawer?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useRef(`dialog-title-${++nextId}`);
  useEffect(() => {
    const dialog = ref.current;
    // The dialog is removed from the page when it closes, so focus is put back by hand on the button
    // that opened it (else a keyboard user starts again from the top of the page).
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const label = opener?.getAttribute('aria-label');
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      dialog?.close();
      // A list refreshed while the dialog was open has replaced the opener with an equal button. When
      // the opener is gone altogether, the page's focus keeper (ui/focus-keeper.ts) moves the focus to
      // the main region.
      const target = opener?.isConnected ? opener : label ? document.querySelector<HTMLElement>(`[aria-label="${CSS.escape(label)}"]`) : null;
      target?.focus();
    };
  }, []);
  return html`<dialog ref=${ref} class=${props.drawer ? 'drawer' : props.wide ? 'wide' : ''} aria-labelledby=${id.current}
      onCancel=${(e: Event) => { e.preventDefault(); props.onClose(); }}>
    <h2 id=${id.current}>${props.title}</h2>
    ${props.children}
  </dialog>`;
}

/** The API's message for a failed action, announced to screen readers. */
export function ErrorText(props: { message: string | null }) {
  return props.message ? html`<p class="error" role="alert">${props.message}</p>` : null;
}
