// Brief confirmations ("Switched to production"), announced politely and gone after a few seconds.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';

type Listener = (message: string) => void;
let listener: Listener = () => undefined;

export function toast(message: string): void {
  listener(message);
}

const TOAST_MS = 4000;

export function Toasts() {
  const [items, setItems] = useState<{ id: number; message: string }[]>([]);
  useEffect(() => {
    let next = 0;
    listener = (message) => {
      const id = ++next;
      // The newest three: a burst of switches must not cover the page.
      setItems((list) => [...list, { id, message }].slice(-3));
      setTimeout(() => setItems((list) => list.filter((t) => t.id !== id)), TOAST_MS);
    };
    return () => {
      listener = () => undefined;
    };
  }, []);
  return html`<div class="toasts" role="status" aria-live="polite">
    ${items.map((t) => html`<div class="toast" key=${t.id}>${t.message}</div>`)}
  </div>`;
}
