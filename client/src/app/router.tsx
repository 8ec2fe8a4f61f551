import { createBrowserRouter } from 'react-router-dom';
import { LoginPage } from '../features/auth/LoginPage';
import { OidcCallbackPage } from '../features/auth/OidcCallbackPage';
import { MyConsultationsPage } from '../features/consultations/MyConsultationsPage';
import { BookingPage } from '../features/consultations/BookingPage';
import { ConsultationPage } from '../features/consultations/ConsultationPage';
import { PrejoinPage, StaffPrejoinPage } from '../features/prejoin/PrejoinPage';
import { JoinCallbackPage } from '../features/prejoin/JoinCallbackPage';
import { SurveyPage } from '../features/survey/SurveyPage';
import { PatientCallbackPage } from '../features/patient/PatientCallbackPage';
import { PatientPage } from '../features/patient/PatientPage';
import { Layout } from './Layout';
import { RequireAuth } from './RequireAuth';
import { NotFound, RouteError } from './NotFound';

/** Also called by the pre-join page to fetch the call page while the user checks devices. */
export const loadRoomPage = () => import('../features/call/RoomPage');

export const routes = [
  // The call page owns the whole screen: no site header. Loaded on demand so the media
  // stack (mediasoup-client, socket.io) is not downloaded for login, booking or pre-join.
  {
    path: '/room/:roomId',
    lazy: async () => ({ Component: (await loadRoomPage()).RoomPage }),
    errorElement: <RouteError />,
  },
  {
    element: <Layout />,
    errorElement: <RouteError />,
    children: [
      { path: '/login', element: <LoginPage /> },
      { path: '/login/callback', element: <OidcCallbackPage /> },
      // Where the patient eID (ID-porten) returns after an invite's login; before the
      // invite route, which would otherwise take "callback" for a token.
      { path: '/join/callback', element: <JoinCallbackPage /> },
      { path: '/join/:inviteToken', element: <PrejoinPage /> },
      // The patient's own entry: log in with the patient eID on the login page, see the
      // meetings booked under one's national identity number, go on to their pre-join.
      { path: '/pasient/callback', element: <PatientCallbackPage /> },
      { path: '/pasient', element: <PatientPage /> },
      // Participants with an invitation link answer without an account.
      { path: '/survey/:consultationId', element: <SurveyPage /> },
      {
        element: <RequireAuth />,
        children: [
          { path: '/', element: <MyConsultationsPage /> },
          { path: '/consultations/new', element: <BookingPage /> },
          { path: '/consultations/:id', element: <ConsultationPage /> },
          { path: '/consultations/:id/join', element: <StaffPrejoinPage /> },
          // The dashboard (and its chart library) is loaded on demand.
          {
            path: '/reports',
            lazy: async () => ({
              Component: (await import('../features/reports/ReportsPage')).ReportsPage,
            }),
          },
        ],
      },
      { path: '*', element: <NotFound /> },
    ],
  },
];

export const createRouter = () => createBrowserRouter(routes);
