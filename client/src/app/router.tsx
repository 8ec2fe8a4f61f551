import type { ComponentType } from 'react';
import { createBrowserRouter, type RouteObject } from 'react-router-dom';
import { Layout } from './Layout';
import { RequireAuth } from './RequireAuth';
import { NotFound, RouteError } from './NotFound';
import { PageLoading } from './PageLoading';

/**
 * Every page is its own chunk, fetched when its route is entered: a patient opening an
 * invite link on a weak line downloads the shell and the pre-join only, never the staff
 * pages, the evaluation charts or (until the pre-join is on screen) the media stack.
 * The budget is checked on the build output by tests/integration/client-bundle.test.ts.
 */
const page =
  <M,>(load: () => Promise<M>, pick: (module: M) => ComponentType) =>
  async () => ({ Component: pick(await load()) });

/** Also called by the pre-join page to fetch the call page while the user checks devices. */
export const loadRoomPage = () => import('../features/call/RoomPage');

export const routes: RouteObject[] = [
  {
    // Shown while the first page's chunk loads (React Router warns without one).
    HydrateFallback: PageLoading,
    errorElement: <RouteError />,
    children: [
      // The call page owns the whole screen: no site header.
      { path: '/room/:roomId', lazy: page(loadRoomPage, (m) => m.RoomPage) },
      {
        element: <Layout />,
        children: [
          {
            path: '/login',
            lazy: page(
              () => import('../features/auth/LoginPage'),
              (m) => m.LoginPage,
            ),
          },
          {
            path: '/login/callback',
            lazy: page(
              () => import('../features/auth/OidcCallbackPage'),
              (m) => m.OidcCallbackPage,
            ),
          },
          // Where the patient eID (ID-porten) returns after an invite's login; before the
          // invite route, which would otherwise take "callback" for a token.
          {
            path: '/join/callback',
            lazy: page(
              () => import('../features/prejoin/JoinCallbackPage'),
              (m) => m.JoinCallbackPage,
            ),
          },
          {
            path: '/join/:inviteToken',
            lazy: page(
              () => import('../features/prejoin/PrejoinPage'),
              (m) => m.PrejoinPage,
            ),
          },
          // The patient's own entry: log in with the patient eID on the login page, see the
          // meetings booked under one's national identity number, go on to their pre-join.
          {
            path: '/pasient/callback',
            lazy: page(
              () => import('../features/patient/PatientCallbackPage'),
              (m) => m.PatientCallbackPage,
            ),
          },
          {
            path: '/pasient',
            lazy: page(
              () => import('../features/patient/PatientPage'),
              (m) => m.PatientPage,
            ),
          },
          // Participants with an invitation link answer without an account.
          {
            path: '/survey/:consultationId',
            lazy: page(
              () => import('../features/survey/SurveyPage'),
              (m) => m.SurveyPage,
            ),
          },
          // The summary after a session: staff by login, participants by their session,
          // the patient entry by the eID login.
          {
            path: '/summary/:consultationId',
            lazy: page(
              () => import('../features/summary/SummaryPage'),
              (m) => m.SummaryPage,
            ),
          },
          {
            element: <RequireAuth />,
            children: [
              {
                path: '/',
                lazy: page(
                  () => import('../features/consultations/MyConsultationsPage'),
                  (m) => m.MyConsultationsPage,
                ),
              },
              {
                path: '/consultations/new',
                lazy: page(
                  () => import('../features/consultations/BookingPage'),
                  (m) => m.BookingPage,
                ),
              },
              {
                path: '/consultations/:id',
                lazy: page(
                  () => import('../features/consultations/ConsultationPage'),
                  (m) => m.ConsultationPage,
                ),
              },
              {
                path: '/consultations/:id/join',
                lazy: page(
                  () => import('../features/prejoin/PrejoinPage'),
                  (m) => m.StaffPrejoinPage,
                ),
              },
              {
                path: '/reports',
                lazy: page(
                  () => import('../features/reports/ReportsPage'),
                  (m) => m.ReportsPage,
                ),
              },
            ],
          },
          { path: '*', element: <NotFound /> },
        ],
      },
    ],
  },
];

export const createRouter = () => createBrowserRouter(routes);
