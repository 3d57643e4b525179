// Inline SVG icons (no icon font, no request). Each is decorative: the button around it has the name.
import { html } from 'htm/preact';

const svg = (d: string) =>
  html`<svg aria-hidden="true" focusable="false" width="18" height="18" viewBox="0 0 24 24" fill="none"
    stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d=${d} /></svg>`;

export const EyeIcon = () => svg('M1 12s4-8 11-8 11 8 11 8-4 8-11 8-11-8-11-8z M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6z');
export const EyeOffIcon = () => svg('M3 3l18 18 M10.6 6.1A10 10 0 0 1 12 6c7 0 11 6 11 6a17 17 0 0 1-3.2 3.9 M6.6 6.6A17 17 0 0 0 1 12s4 8 11 8a10 10 0 0 0 5.4-1.6 M9.9 9.9a3 3 0 0 0 4.2 4.2');
export const PencilIcon = () => svg('M17 3l4 4L8 20H4v-4L17 3z');
export const TrashIcon = () => svg('M3 6h18 M8 6V4h8v2 M19 6l-1 14H6L5 6 M10 11v6 M14 11v6');
export const CopyIcon = () => svg('M9 9h11v11H9z M5 15H4V4h11v1');
export const HistoryIcon = () => svg('M3 12a9 9 0 1 0 3-6.7L3 8 M3 3v5h5 M12 7v5l3 3');
