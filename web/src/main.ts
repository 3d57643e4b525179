// Entry point of the dashboard bundle.
import { html } from 'htm/preact';
import { render } from 'preact';
import { App } from './app.ts';
import { takeInvitationFromUrl } from './pages/invite.ts';
import { keepFocusInPage } from './ui/focus-keeper.ts';

// Before anything renders: an invitation link's secret leaves the address bar and history.
takeInvitationFromUrl();

keepFocusInPage(document);

const root = document.getElementById('app');
if (root) render(html`<${App} />`, root);
