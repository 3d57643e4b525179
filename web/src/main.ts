// Entry point of the dashboard bundle.
import { html } from 'htm/preact';
import { render } from 'preact';
import { App } from './app.ts';

const root = document.getElementById('app');
if (root) render(html`<${App} />`, root);
