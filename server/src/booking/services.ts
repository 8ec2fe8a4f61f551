import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { AuditService } from '../audit/audit-service.js';
import { AuthService } from '../auth/auth-service.js';
import { IdentityHasher } from '../auth/identity-hash.js';
import { InviteIdentification } from '../auth/invite-identification.js';
import { PatientPortal } from '../auth/patient-portal.js';
import { StaffOidcLogin } from '../auth/staff-oidc-login.js';
import { TokenSigner } from '../auth/tokens.js';
import { ConsentService } from '../consent/consent-service.js';
import { EventBus, type DomainEventBus, type DomainEvents } from '../consent/events.js';
import { OutboxTransport, type NotificationProvider } from '../notifications/provider.js';
import { createLktServices, type LktServices } from '../lkt/index.js';
import type { AuthRateLimits } from '../http/auth-rate-limit.js';
import { BookingService } from './booking-service.js';

/** Everything the booking, consent, identity and audit routes need; built once in main. */
export interface DomainServices {
  db: Database;
  auth: AuthService;
  /** Staff login through HelseID, when configured. */
  oidc: StaffOidcLogin | undefined;
  /** Patients and next of kin identifying with ID-porten on their invite link, when configured. */
  inviteIdentification: InviteIdentification | undefined;
  /** The patient's own entry with the same eID (/pasient), when configured. */
  patientPortal: PatientPortal | undefined;
  booking: BookingService;
  consent: ConsentService;
  audit: AuditService;
  /** Subscribe here for consent withdrawals and booking changes (see consent/events.ts). */
  events: DomainEventBus;
  /** LKT collaboration: agenda, story, care team, plan (server/src/lkt). */
  lkt: LktServices;
  /** Login, refresh, invite exchange and eID attempts (http/auth-rate-limit.ts). */
  authRateLimits: AuthRateLimits;
}

/** The patient entry's token: long enough to pick a meeting, short on a shared computer. */
const PATIENT_TOKEN_TTL_SECONDS = 30 * 60;

export function publicUrlOf(config: Pick<Config, 'http'>): string {
  return (config.http.publicUrl ?? `http://localhost:${config.http.port}`).replace(/\/$/, '');
}

export function createDomainServices(
  config: Pick<Config, 'http' | 'auth'> & Partial<Pick<Config, 'notifications'>>,
  db: Database,
  opts: {
    notifications?: NotificationProvider;
    onEventError?: (err: unknown, name: keyof DomainEvents) => void;
  } = {},
): DomainServices {
  const publicUrl = publicUrlOf(config);
  const signer = new TokenSigner(config.auth.jwtSecret);
  const events: DomainEventBus = new EventBus<DomainEvents>(opts.onEventError);
  const auth = new AuthService(db, signer, {
    accessTokenTtlSeconds: config.auth.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: config.auth.refreshTokenTtlSeconds,
    inviteOpensMinutesBefore: config.auth.inviteOpensMinutesBefore,
    publicUrl,
  });
  const oidcCfg = config.auth.oidc;
  const oidc =
    oidcCfg?.clientId !== undefined
      ? new StaffOidcLogin(
          {
            issuer: oidcCfg.issuer,
            clientId: oidcCfg.clientId,
            clientSecret: oidcCfg.clientSecret,
            redirectUri: `${publicUrl}/login/callback`,
            displayName: oidcCfg.displayName,
          },
          db,
          auth,
        )
      : undefined;
  const patientCfg = config.auth.patientOidc;
  const identityHasher = patientCfg && new IdentityHasher(patientCfg.identityHashSecret);
  const patientProvider = patientCfg && {
    issuer: patientCfg.issuer,
    clientId: patientCfg.clientId,
    clientSecret: patientCfg.clientSecret,
    displayName: patientCfg.displayName,
    minAssurance: patientCfg.minAssurance,
  };
  const inviteIdentification =
    patientProvider && identityHasher
      ? new InviteIdentification(
          { ...patientProvider, redirectUri: `${publicUrl}/join/callback` },
          db,
          auth,
          identityHasher,
        )
      : undefined;
  const patientPortal =
    patientProvider && identityHasher
      ? new PatientPortal(
          {
            ...patientProvider,
            redirectUri: `${publicUrl}/pasient/callback`,
            tokenTtlSeconds: PATIENT_TOKEN_TTL_SECONDS,
          },
          db,
          auth,
          identityHasher,
          signer,
        )
      : undefined;
  const lkt = createLktServices(db, events, {
    identityHasher,
    patientTokens: patientPortal ? signer : undefined,
  });
  return {
    db,
    auth,
    oidc,
    inviteIdentification,
    patientPortal,
    booking: new BookingService({
      db,
      auth,
      notifications: opts.notifications ?? new OutboxTransport(),
      events,
      publicUrl,
      notifierSettings: config.notifications,
      identityHasher,
      lkt,
    }),
    consent: new ConsentService(db, events),
    audit: new AuditService(db),
    events,
    lkt,
    authRateLimits: {
      perCredentialPerMinute: config.auth.loginRateLimitPerMinute,
      perAddressPerMinute: config.auth.loginRateLimitPerAddressPerMinute,
    },
  };
}
