// Copy to the clipboard, then clear it after a while, so a token does not sit there for the next paste.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { CopyIcon } from './icons.ts';

const CLEAR_AFTER_MS = 30_000;

export function CopyButton(props: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setCopied(true);
      clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        setCopied(false);
        void navigator.clipboard.writeText('').catch(() => undefined);
      }, CLEAR_AFTER_MS);
    } catch {
      setCopied(false);
    }
  };
  return html`<button type="button" class="secondary" onClick=${copy}><${CopyIcon} /> ${copied ? 'Copied (clipboard cleared in 30 s)' : props.label}</button>`;
}
