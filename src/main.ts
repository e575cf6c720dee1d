import { mount } from 'svelte';
import { registerServiceWorker } from './pwa/register';
import App from './ui/App.svelte';
import './ui/app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

export default mount(App, { target });
// Offline use and the "update available" prompt (production builds; after the page has loaded).
registerServiceWorker();
