// Copy to the clipboard, then clear it after a while (the session's revealSeconds: as long as a revealed
// value stays on screen), so a token does not sit there for the next paste.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { CopyIcon } from './icons.ts';

export function CopyButton(props: { text: string; label: string; clearAfterSeconds: number }) {
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
      }, props.clearAfterSeconds * 1000);
    } catch {
      setCopied(false);
    }
  };
  return html`<button type="button" class="secondary" onClick=${copy}><${CopyIcon} /> ${copied ? `Copied (clipboard cleared in ${props.clearAfterSeconds} s)` : props.label}</button>`;
}
