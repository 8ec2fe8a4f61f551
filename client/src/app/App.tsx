import { useMemo } from 'react';
import { RouterProvider } from 'react-router-dom';
import { SessionProvider } from '../api/session';
import { createRouter } from './router';

export function App() {
  const router = useMemo(createRouter, []);
  return (
    <SessionProvider>
      <RouterProvider router={router} />
    </SessionProvider>
  );
}
