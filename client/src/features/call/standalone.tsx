import { createRoot } from 'react-dom/client';
import { initI18n } from '../../i18n';
import { RoomPage } from './RoomPage';
import '../../styles/base.css';

/** The call page alone, for media tests and debugging without the app shell. */
initI18n();
const root = document.getElementById('root');
if (!root) throw new Error('#root missing');
createRoot(root).render(<RoomPage />);
