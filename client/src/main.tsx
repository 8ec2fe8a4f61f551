import './app/zodConfig';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { initI18n } from './i18n';
import { applyDisplayPrefs } from './app/displayPrefs';
import { App } from './app/App';
import { reloadOnStaleBuild } from './app/staleBuild';
import './styles/base.css';

initI18n();
applyDisplayPrefs();
reloadOnStaleBuild();

const root = document.getElementById('root');
if (!root) throw new Error('#root missing in index.html');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
