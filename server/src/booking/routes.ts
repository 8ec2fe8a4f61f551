import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import rateLimit from '@fastify/rate-limit';
import { z } from 'zod';
import {
  AddParticipantRequest,
  AuditList,
  AuthProviders,
  CancelRequest,
  Consent,
  ConsentList,
  ConsentRefusal,
  Consultation,
  ConsultationList,
  CreateConsultationRequest,
  GiveConsentRequest,
  InviteExchangeRequest,
  InviteLink,
  InviteOidcStartRequest,
  InviteState,
  InviteStateRequest,
  ListConsultationsQuery,
  LoginRequest,
  MeResponse,
  OidcStartResponse,
  OutboxList,
  Participant,
  RefreshRequest,
  RefuseConsentRequest,
  RescheduleRequest,
  SessionTokenResponse,
  StaffSearchQuery,
  StaffSearchResponse,
  TokenResponse,
  UpdateConsultationRequest,
  UpdateParticipantRequest,
  WithdrawConsentRequest,
} from '@samkons/shared';
import { DomainError } from '../http/domain-error.js';
import { authRateLimiter } from '../http/auth-rate-limit.js';
import {
  bearerSecurity,
  errorResponses,
  OidcCallbackQuery,
  requestMeta,
} from '../http/route-kit.js';
import { registerPatientRoutes } from './patient-routes.js';
import type { DomainServices } from './services.js';
import type { LinkLookup } from '../auth/auth-service.js';
import { entryOf } from '../policy/policy.js';

const ConsultationParams = z.object({ id: z.uuid() });
const inviteToken = (req: FastifyRequest) => (req.body as { token?: string }).token;
const ParticipantParams = z.object({ id: z.uuid(), participantId: z.uuid() });
const ConsentParams = z.object({ id: z.uuid(), consentId: z.uuid() });

/**
 * REST routes for identity, booking, consent and audit. Every route declares zod schemas
 * (OpenAPI is generated from them); authorisation happens in the services via the policy.
 */
export function domainRoutes(services: DomainServices) {
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<ZodTypeProvider>();
    const { auth, booking, consent, audit, oidc, inviteIdentification } = services;
    const principal = (req: FastifyRequest) => auth.authenticate(req.headers.authorization);

    await app.register(rateLimit, { global: false });
    const limit = authRateLimiter(app, services.authRateLimits);

    // --- identity -------------------------------------------------------------------
    app.post(
      '/api/auth/login',
      {
        preHandler: limit((req) => (req.body as { username?: string }).username),
        schema: {
          tags: ['auth'],
          body: LoginRequest,
          response: { 200: TokenResponse, ...errorResponses },
        },
      },
      (req) => auth.login(req.body.username, req.body.password, requestMeta(req)),
    );
    app.post(
      '/api/auth/refresh',
      {
        preHandler: limit((req) => (req.body as { refreshToken?: string }).refreshToken),
        schema: {
          tags: ['auth'],
          body: RefreshRequest,
          response: { 200: TokenResponse, ...errorResponses },
        },
      },
      (req) => auth.refresh(req.body.refreshToken),
    );
    app.post(
      '/api/auth/logout',
      {
        schema: {
          tags: ['auth'],
          security: bearerSecurity,
          response: { 200: z.object({ loggedOut: z.literal(true) }), ...errorResponses },
        },
      },
      async (req) => {
        await auth.logout(await principal(req), requestMeta(req));
        return { loggedOut: true as const };
      },
    );
    app.get(
      '/api/auth/me',
      {
        schema: {
          tags: ['auth'],
          security: bearerSecurity,
          response: { 200: MeResponse, ...errorResponses },
        },
      },
      async (req) => {
        const p = await principal(req);
        if (p.kind === 'staff') {
          return {
            kind: 'staff' as const,
            assuranceLevel: p.assuranceLevel,
            account: {
              id: p.accountId,
              username: p.username,
              name: p.name,
              role: p.role,
              organisation: p.organisation,
            },
          };
        }
        return {
          kind: 'participant' as const,
          participantId: p.participantId,
          consultationId: p.consultationId,
          role: p.role,
          name: p.name,
          assuranceLevel: p.assuranceLevel,
        };
      },
    );
    app.get(
      '/api/auth/providers',
      { schema: { tags: ['auth'], response: { 200: AuthProviders } } },
      async () => ({
        password: true,
        oidc: oidc !== undefined,
        ...(oidc ? { oidcName: oidc.displayName } : {}),
        patientOidc: inviteIdentification !== undefined,
        ...(inviteIdentification ? { patientOidcName: inviteIdentification.displayName } : {}),
      }),
    );
    app.get(
      '/api/auth/oidc/start',
      {
        preHandler: limit(),
        schema: { tags: ['auth'], response: { 200: OidcStartResponse, ...errorResponses } },
      },
      async () => {
        if (!oidc) throw new DomainError('not_found', 'OpenID Connect login is not configured');
        return { authorizationUrl: await oidc.start() };
      },
    );
    app.get(
      '/api/auth/oidc/callback',
      {
        preHandler: limit(),
        schema: {
          tags: ['auth'],
          querystring: OidcCallbackQuery,
          response: { 200: TokenResponse, ...errorResponses },
        },
      },
      async (req) => {
        if (!oidc) throw new DomainError('not_found', 'OpenID Connect login is not configured');
        return oidc.callback(req.query, requestMeta(req));
      },
    );
    app.post(
      '/api/invites/exchange',
      {
        preHandler: limit(inviteToken),
        schema: {
          tags: ['auth'],
          description: 'Exchange an invite link token for a session token (no account needed).',
          body: InviteExchangeRequest,
          response: { 200: SessionTokenResponse, ...errorResponses },
        },
      },
      (req) => auth.exchangeInvite(req.body.token, requestMeta(req)),
    );
    app.post(
      '/api/invites/state',
      {
        preHandler: limit(inviteToken),
        schema: {
          tags: ['auth'],
          description:
            'What an invite link leads to now (open, not yet open, cancelled, ended, expired, ' +
            'revoked), opening nothing: the pre-join asks before the camera.',
          body: InviteStateRequest,
          response: { 200: InviteState, ...errorResponses },
        },
      },
      async (req) => inviteStateOf(await auth.linkState(req.body.token)),
    );
    const eid = () => {
      if (!inviteIdentification) {
        throw new DomainError(
          'not_found',
          'Identification with an electronic ID is not configured',
        );
      }
      return inviteIdentification;
    };
    app.post(
      '/api/invites/oidc/start',
      {
        preHandler: limit(inviteToken),
        schema: {
          tags: ['auth'],
          description:
            'Begin the eID (ID-porten) login for the person an invite link names. The provider ' +
            'returns the browser to /join/callback, whose query goes to /api/invites/oidc/callback.',
          body: InviteOidcStartRequest,
          response: { 200: OidcStartResponse, ...errorResponses },
        },
      },
      async (req) => ({ authorizationUrl: await eid().start(req.body.token) }),
    );
    app.get(
      '/api/invites/oidc/callback',
      {
        preHandler: limit(),
        schema: {
          tags: ['auth'],
          description:
            'Finish the eID login: admitted only when the eID is the invited person. ' +
            'The session token carries the eID assurance level.',
          querystring: OidcCallbackQuery,
          response: { 200: SessionTokenResponse, ...errorResponses },
        },
      },
      (req) => eid().callback(req.query, requestMeta(req)),
    );
    registerPatientRoutes(app, services.patientPortal, limit());

    // --- booking --------------------------------------------------------------------
    const tags = ['booking'];
    app.post(
      '/api/consultations',
      {
        schema: {
          tags,
          security: bearerSecurity,
          body: CreateConsultationRequest,
          response: { 201: Consultation, ...errorResponses },
        },
      },
      async (req, reply) => {
        const c = await booking.create(await principal(req), req.body, requestMeta(req));
        return reply.code(201).send(c);
      },
    );
    app.get(
      '/api/consultations',
      {
        schema: {
          tags,
          security: bearerSecurity,
          querystring: ListConsultationsQuery,
          response: { 200: ConsultationList, ...errorResponses },
        },
      },
      async (req) => ({
        consultations: await booking.list(
          await principal(req),
          req.query.from,
          req.query.to,
          requestMeta(req),
        ),
      }),
    );
    app.get(
      '/api/staff/search',
      {
        schema: {
          tags,
          security: bearerSecurity,
          description:
            'Staff accounts by name or organisation, to book them with their account (staff ' +
            'logins only; name, role and organisation, at most 20).',
          querystring: StaffSearchQuery,
          response: { 200: StaffSearchResponse, ...errorResponses },
        },
      },
      async (req) => ({ staff: await booking.searchStaff(await principal(req), req.query) }),
    );
    app.get(
      '/api/consultations/:id',
      {
        schema: {
          tags,
          security: bearerSecurity,
          params: ConsultationParams,
          response: { 200: Consultation, ...errorResponses },
        },
      },
      async (req) => booking.get(await principal(req), req.params.id, requestMeta(req)),
    );
    app.patch(
      '/api/consultations/:id',
      {
        schema: {
          tags,
          security: bearerSecurity,
          params: ConsultationParams,
          body: UpdateConsultationRequest,
          response: { 200: Consultation, ...errorResponses },
        },
      },
      async (req) =>
        booking.update(await principal(req), req.params.id, req.body, requestMeta(req)),
    );
    app.post(
      '/api/consultations/:id/reschedule',
      {
        schema: {
          tags,
          security: bearerSecurity,
          params: ConsultationParams,
          body: RescheduleRequest,
          response: { 200: Consultation, ...errorResponses },
        },
      },
      async (req) =>
        booking.reschedule(await principal(req), req.params.id, req.body, requestMeta(req)),
    );
    app.post(
      '/api/consultations/:id/cancel',
      {
        schema: {
          tags,
          security: bearerSecurity,
          params: ConsultationParams,
          body: CancelRequest,
          response: { 200: Consultation, ...errorResponses },
        },
      },
      async (req) =>
        booking.cancel(await principal(req), req.params.id, req.body.reason, requestMeta(req)),
    );
    app.post(
      '/api/consultations/:id/participants',
      {
        schema: {
          tags,
          security: bearerSecurity,
          params: ConsultationParams,
          body: AddParticipantRequest,
          response: { 201: Participant, ...errorResponses },
        },
      },
      async (req, reply) => {
        const p = await booking.addParticipant(
          await principal(req),
          req.params.id,
          req.body,
          requestMeta(req),
        );
        return reply.code(201).send(p);
      },
    );
    app.delete(
      '/api/consultations/:id/participants/:participantId',
      {
        schema: {
          tags,
          security: bearerSecurity,
          params: ParticipantParams,
          response: { 200: z.object({ removed: z.literal(true) }), ...errorResponses },
        },
      },
      async (req) => {
        await booking.removeParticipant(
          await principal(req),
          req.params.id,
          req.params.participantId,
          requestMeta(req),
        );
        return { removed: true as const };
      },
    );
    app.patch(
      '/api/consultations/:id/participants/:participantId',
      {
        schema: {
          tags,
          security: bearerSecurity,
          description:
            'The organiser names a staff participant (booked with their account) as delegate: ' +
            'they may then change the booking and see the links as the organiser does.',
          params: ParticipantParams,
          body: UpdateParticipantRequest,
          response: { 200: Participant, ...errorResponses },
        },
      },
      async (req) =>
        booking.setDelegate(
          await principal(req),
          req.params.id,
          req.params.participantId,
          req.body.delegate,
          requestMeta(req),
        ),
    );
    app.post(
      '/api/consultations/:id/participants/:participantId/invite',
      {
        schema: {
          tags,
          security: bearerSecurity,
          description: "The participant's active invite link (created when there is none).",
          params: ParticipantParams,
          response: { 200: InviteLink, ...errorResponses },
        },
      },
      async (req) =>
        booking.invite(
          await principal(req),
          req.params.id,
          req.params.participantId,
          requestMeta(req),
        ),
    );
    app.post(
      '/api/consultations/:id/participants/:participantId/invite/revoke',
      {
        schema: {
          tags,
          security: bearerSecurity,
          params: ParticipantParams,
          response: { 200: z.object({ revoked: z.number().int() }), ...errorResponses },
        },
      },
      async (req) => ({
        revoked: await booking.revokeInvites(
          await principal(req),
          req.params.id,
          req.params.participantId,
          requestMeta(req),
        ),
      }),
    );
    app.get(
      '/api/consultations/:id/participants/:participantId/invite.ics',
      {
        schema: {
          tags,
          security: bearerSecurity,
          description: "Calendar invitation (text/calendar) carrying the participant's join link.",
          params: ParticipantParams,
        },
      },
      async (req, reply) => {
        const ics = await booking.ics(
          await principal(req),
          req.params.id,
          req.params.participantId,
          requestMeta(req),
        );
        return reply
          .header('content-type', 'text/calendar; charset=utf-8')
          .header('content-disposition', 'attachment; filename="samkons.ics"')
          .send(ics);
      },
    );
    app.post(
      '/api/consultations/:id/session',
      {
        schema: {
          tags,
          security: bearerSecurity,
          description: "A staff participant's session token for the live session.",
          params: ConsultationParams,
          response: { 200: SessionTokenResponse, ...errorResponses },
        },
      },
      async (req) => booking.staffSession(await principal(req), req.params.id, requestMeta(req)),
    );
    app.get(
      '/api/consultations/:id/outbox',
      {
        schema: {
          tags: ['notifications'],
          security: bearerSecurity,
          description: 'Notifications recorded by the development transport.',
          params: ConsultationParams,
          response: { 200: OutboxList, ...errorResponses },
        },
      },
      async (req) => ({
        messages: await booking.outbox(await principal(req), req.params.id, requestMeta(req)),
      }),
    );

    // --- consent --------------------------------------------------------------------
    app.get(
      '/api/consultations/:id/consents',
      {
        schema: {
          tags: ['consent'],
          security: bearerSecurity,
          params: ConsultationParams,
          response: { 200: ConsentList, ...errorResponses },
        },
      },
      async (req) => ({
        consents: await consent.list(await principal(req), req.params.id, requestMeta(req)),
      }),
    );
    app.post(
      '/api/consultations/:id/consents',
      {
        schema: {
          tags: ['consent'],
          security: bearerSecurity,
          params: ConsultationParams,
          body: GiveConsentRequest,
          response: { 201: Consent, ...errorResponses },
        },
      },
      async (req, reply) => {
        const c = await consent.give(
          await principal(req),
          req.params.id,
          req.body,
          requestMeta(req),
        );
        return reply.code(201).send(c);
      },
    );
    // A separate route, not a `decision` on the one above: a refusal creates no consent row
    // (nothing covered, nothing shared) and never replaces the consent in force.
    app.post(
      '/api/consultations/:id/consents/refuse',
      {
        schema: {
          tags: ['consent'],
          security: bearerSecurity,
          description:
            'The patient (16+) or guardian refuses consent in the app, or a clinician taking part ' +
            'records a refusal said out loud (method verbal); audited, the consent in force is unchanged.',
          params: ConsultationParams,
          body: RefuseConsentRequest,
          response: { 201: ConsentRefusal, ...errorResponses },
        },
      },
      async (req, reply) => {
        const r = await consent.refuse(
          await principal(req),
          req.params.id,
          req.body,
          requestMeta(req),
        );
        return reply.code(201).send(r);
      },
    );
    app.post(
      '/api/consultations/:id/consents/:consentId/withdraw',
      {
        schema: {
          tags: ['consent'],
          security: bearerSecurity,
          params: ConsentParams,
          body: WithdrawConsentRequest,
          response: { 200: Consent, ...errorResponses },
        },
      },
      async (req) =>
        consent.withdraw(
          await principal(req),
          req.params.id,
          req.params.consentId,
          req.body,
          requestMeta(req),
        ),
    );

    // --- audit ----------------------------------------------------------------------
    app.get(
      '/api/consultations/:id/audit',
      {
        schema: {
          tags: ['audit'],
          security: bearerSecurity,
          description:
            'Who accessed or changed this consultation (the patient or guardian reads it).',
          params: ConsultationParams,
          response: { 200: AuditList, ...errorResponses },
        },
      },
      async (req) => ({
        entries: await audit.forConsultation(await principal(req), req.params.id, requestMeta(req)),
      }),
    );
  };
}

/** The public answer: the meeting and whom the link names, never other participants. */
function inviteStateOf(found: LinkLookup): InviteState {
  const { state, consultation: c, participant: p, window: w } = found;
  if (!c || !w) return { state };
  const organiser = c.participants.find((x) => x.accountId === c.organiserId);
  return {
    state,
    opensAt: w.from.toISOString(),
    meeting: {
      title: c.title,
      startsAt: c.startsAt,
      endsAt: c.endsAt,
      organiserName: organiser?.name ?? null,
      organisation: c.documentingOrganisation,
    },
    ...(p
      ? {
          participantName: p.name,
          entry: entryOf(p, 'link'),
          identification: p.strongIdentification ? ('eid' as const) : ('link' as const),
        }
      : {}),
  };
}
