import './app/zodConfig';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { initI18n } from './i18n';
import { applyDisplayPrefs } from './app/displayPrefs';
import { App } from './app/App';
import { reloadOnStaleBuild } from './app/staleBuild';
import { loadRoomPage } from './app/router';
import './styles/base.css';

// A (re)loaded call page: its code (the media stack) starts loading now, alongside the
// first render, not once the router has rendered and asks for it.
// A session's call warms up as soon as that code is there (RoomPage warmRoom).
if (location.pathname.startsWith('/room/')) {
  const roomId = decodeURIComponent(location.pathname.split('/')[2] ?? '');
  void loadRoomPage()
    .then((m) => m.warmRoom(roomId))
    .catch(() => undefined);
}

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
