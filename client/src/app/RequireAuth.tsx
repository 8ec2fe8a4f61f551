import { Navigate, Outlet, useLocation } from 'react-router-dom';
import { useSession } from '../api/session';

/** Staff-only routes: without a session, go to /login and come back afterwards. */
export function RequireAuth() {
  const { account } = useSession();
  const location = useLocation();
  if (!account) {
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  }
  return <Outlet />;
}
