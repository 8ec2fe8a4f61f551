import { createRoot } from 'react-dom/client';
import { RoomPage } from './RoomPage';

/** The call page alone, for media tests and debugging without the app shell. */
const root = document.getElementById('root');
if (!root) throw new Error('#root missing');
createRoot(root).render(<RoomPage />);
