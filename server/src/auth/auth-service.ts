import { randomUUID } from 'node:crypto';
import type {
  AssuranceLevel,
  Consultation,
  InviteLink,
  InviteLinkState,
  Participant,
  SessionGrants,
  SessionTokenResponse,
  TokenResponse,
} from '@samkons/shared';
import type { Database, Queryable } from '../db/database.js';
import { accountsRepo, sessionsRepo, type AccountRow } from '../db/accounts-repo.js';
import { consultationsRepo } from '../db/consultations-repo.js';
import { consentsRepo } from '../db/consents-repo.js';
import { invitesRepo } from '../db/invites-repo.js';
import { appendAudit } from '../audit/audit-log.js';
import { actorOf } from '../audit/actor.js';
import { DomainError } from '../http/domain-error.js';
import { computeGrants, entryOf, originOf } from '../policy/policy.js';
import type { ParticipantPrincipal, Principal, StaffPrincipal } from '../policy/principal.js';
import { hashPassword, verifyDummy, verifyPassword } from './passwords.js';
import {
  AccessClaims,
  bearerToken,
  InviteClaims,
  SessionClaims,
  TokenSigner,
  randomToken,
  sha256,
} from './tokens.js';

export interface AuthSettings {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  inviteOpensMinutesBefore: number;
  /** Base URL for join links, e.g. https://samkons.example.no */
  publicUrl: string;
}

export interface RequestMeta {
  clientAddress: string | null;
}

/** What `verifySessionToken` returns: who the bearer is and what they may do right now. */
export interface VerifiedSession {
  participant: Pick<Participant, 'id' | 'consultationId' | 'role' | 'name' | 'organisation'>;
  /** Recomputed from current consultation state and consent, not copied from the token. */
  grants: SessionGrants;
  assuranceLevel: AssuranceLevel;
  /** The staff account behind the token, or null for an invite link. */
  accountId: string | null;
  inviteId: string | null;
  /** The consultation's status now (the live session refuses a cancelled one). */
  consultationStatus: Consultation['status'];
  /** Whether a consent is in force for the consultation now. */
  consentInForce: boolean;
}

/** What a signed invite link names. */
export interface InviteRef {
  inviteId: string;
  participantId: string;
  consultationId: string;
}

/** What `linkState` found; the route turns it into the public `InviteState`. */
export interface LinkLookup {
  state: InviteLinkState;
  consultation?: Consultation;
  participant?: Participant;
  window?: { from: Date; until: Date };
}

/** Session tokens outlive the scheduled end a little: meetings overrun. */
const SESSION_GRACE_SECONDS = 30 * 60;

const unauthenticated = (msg = 'Invalid or expired credentials') =>
  new DomainError('unauthenticated', msg);

export class AuthService {
  readonly #db: Database;
  readonly #signer: TokenSigner;
  readonly #s: AuthSettings;

  constructor(db: Database, signer: TokenSigner, settings: AuthSettings) {
    this.#db = db;
    this.#signer = signer;
    this.#s = settings;
  }

  async createAccount(
    q: Queryable,
    a: Omit<AccountRow, 'passwordHash' | 'id'> & {
      id?: string;
      password?: string;
      oidc?: { issuer: string; subject: string };
    },
  ): Promise<string> {
    const id = a.id ?? randomUUID();
    await accountsRepo.insert(q, {
      id,
      username: a.username,
      name: a.name,
      role: a.role,
      organisation: a.organisation,
      passwordHash: a.password ? await hashPassword(a.password) : null,
      ...(a.oidc ? { oidc: a.oidc } : {}),
    });
    return id;
  }

  async login(username: string, password: string, meta: RequestMeta): Promise<TokenResponse> {
    const account = await accountsRepo.byUsername(this.#db, username);
    const ok = account?.passwordHash
      ? await verifyPassword(password, account.passwordHash)
      : (await verifyDummy(password), false);
    if (!account || !ok) {
      await appendAuditTx(this.#db, {
        actor: {
          type: 'anonymous',
          id: null,
          name: username.slice(0, 100),
          role: null,
          assuranceLevel: null,
        },
        action: 'auth.login_failed',
        consultationId: null,
        clientAddress: meta.clientAddress,
      });
      throw unauthenticated('Wrong username or password');
    }
    // A local password is a single factor: the lowest assurance level.
    return this.startSession(account, 'password', 'low', meta);
  }

  /** Opens a login session for an already authenticated account (password or OIDC). */
  async startSession(
    account: AccountRow,
    method: 'password' | 'oidc',
    assuranceLevel: AssuranceLevel,
    meta: RequestMeta,
  ): Promise<TokenResponse> {
    const sessionId = randomUUID();
    const refreshToken = randomToken();
    await this.#db.transaction(async (tx) => {
      await sessionsRepo.insert(tx, {
        id: sessionId,
        accountId: account.id,
        method,
        assuranceLevel,
      });
      await sessionsRepo.insertRefresh(tx, sha256(refreshToken), sessionId, this.#refreshExpiry());
      await appendAudit(tx, {
        actor: {
          type: 'staff',
          id: account.id,
          name: account.name,
          role: account.role,
          assuranceLevel,
        },
        action: `auth.login.${method}`,
        consultationId: null,
        clientAddress: meta.clientAddress,
      });
    });
    return this.#tokenResponse(account, sessionId, assuranceLevel, refreshToken);
  }

  /** Rotates a refresh token. Presenting a used one revokes the whole login session (theft). */
  async refresh(refreshToken: string): Promise<TokenResponse> {
    const result = await this.#db.transaction(async (tx) => {
      const taken = await sessionsRepo.takeRefresh(tx, sha256(refreshToken));
      if (!taken) return { error: 'Invalid refresh token' } as const;
      const session = await sessionsRepo.byId(tx, taken.sessionId);
      if (!session || session.revokedAt) return { error: 'Session ended' } as const;
      if (taken.reused) {
        await sessionsRepo.revoke(tx, session.id);
        return { error: 'Refresh token reused; session revoked' } as const;
      }
      if (taken.expired) return { error: 'Refresh token expired' } as const;
      const account = await accountsRepo.byId(tx, session.accountId);
      if (!account) return { error: 'Account gone' } as const;
      const next = randomToken();
      await sessionsRepo.insertRefresh(tx, sha256(next), session.id, this.#refreshExpiry());
      return { account, session, next } as const;
    });
    if ('error' in result) throw unauthenticated(result.error);
    return this.#tokenResponse(
      result.account,
      result.session.id,
      result.session.assuranceLevel,
      result.next,
    );
  }

  async logout(principal: Principal, meta: RequestMeta): Promise<void> {
    if (principal.kind !== 'staff') return;
    await this.#db.transaction(async (tx) => {
      await sessionsRepo.revoke(tx, principal.loginSessionId);
      await appendAudit(tx, {
        actor: actorOf(principal),
        action: 'auth.logout',
        consultationId: null,
        clientAddress: meta.clientAddress,
      });
    });
  }

  /** Resolves an `Authorization: Bearer` value to a principal, checking revocation. */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    const token = bearerToken(authorization);
    const aud = TokenSigner.audienceOf(token);
    if (aud === 'access') return this.#staffPrincipal(token);
    if (aud === 'session') {
      const v = await this.verifySessionToken(token);
      const p: ParticipantPrincipal = {
        kind: 'participant',
        participantId: v.participant.id,
        consultationId: v.participant.consultationId,
        role: v.participant.role,
        name: v.participant.name,
        assuranceLevel: v.assuranceLevel,
        accountId: v.accountId,
        inviteId: v.inviteId,
      };
      return p;
    }
    throw unauthenticated('Invalid token');
  }

  async #staffPrincipal(token: string): Promise<StaffPrincipal> {
    const claims = this.#signer.verify('access', token, AccessClaims);
    const session = await sessionsRepo.byId(this.#db, claims.sid);
    if (!session || session.revokedAt || session.accountId !== claims.sub)
      throw unauthenticated('Session ended');
    const account = await accountsRepo.byId(this.#db, claims.sub);
    if (!account) throw unauthenticated('Account gone');
    return {
      kind: 'staff',
      accountId: account.id,
      username: account.username,
      role: account.role,
      name: account.name,
      organisation: account.organisation,
      assuranceLevel: session.assuranceLevel,
      loginSessionId: session.id,
    };
  }

  /**
   * THE function the live session uses to admit a socket: verifies signature and expiry,
   * checks that the participant is still part of the consultation and the invite was not
   * revoked, and returns grants recomputed from the current consultation and consent.
   * Throws DomainError('unauthenticated') otherwise.
   */
  async verifySessionToken(token: string): Promise<VerifiedSession> {
    const claims = this.#signer.verify('session', token, SessionClaims);
    // The three reads need only the claims: asked together (a join waits for them).
    const [consultation, invite, consent] = await Promise.all([
      consultationsRepo.byId(this.#db, claims.cid),
      claims.inv ? invitesRepo.byId(this.#db, claims.inv) : undefined,
      consentsRepo.active(this.#db, claims.cid),
    ]);
    const participant = consultation?.participants.find((p) => p.id === claims.sub);
    if (!consultation || !participant) throw unauthenticated('No longer a participant');
    if (claims.inv && (!invite || invite.revoked)) throw unauthenticated('Invitation revoked');
    if (claims.acc && participant.accountId !== claims.acc)
      throw unauthenticated('No longer a participant');
    return {
      participant: {
        id: participant.id,
        consultationId: consultation.id,
        role: participant.role,
        name: participant.name,
        organisation: participant.organisation,
      },
      grants: computeGrants(participant, consultation, consent, originOf(participant, claims.acc)),
      assuranceLevel: claims.asr,
      accountId: claims.acc,
      inviteId: claims.inv,
      consultationStatus: consultation.status,
      consentInForce: consent !== undefined,
    };
  }

  /** The invite window: from `inviteOpensMinutesBefore` before the start until the end. */
  inviteWindow(c: Pick<Consultation, 'startsAt' | 'endsAt'>): { from: Date; until: Date } {
    return {
      from: new Date(Date.parse(c.startsAt) - this.#s.inviteOpensMinutesBefore * 60_000),
      until: new Date(c.endsAt),
    };
  }

  /** Returns the participant's active invite link, creating one when there is none. */
  async inviteLink(q: Queryable, c: Consultation, p: Participant): Promise<InviteLink> {
    let inviteId = await invitesRepo.activeForParticipant(q, p.id);
    if (!inviteId) {
      inviteId = randomUUID();
      await invitesRepo.insert(q, { id: inviteId, consultationId: c.id, participantId: p.id });
    }
    // The window is checked against the consultation at exchange time, so a reschedule
    // moves it without new links; the signature binds consultation, participant and invite.
    const token = this.#signer.sign('invite', { sub: p.id, cid: c.id, inv: inviteId });
    const w = this.inviteWindow(c);
    return {
      inviteId,
      participantId: p.id,
      consultationId: c.id,
      token,
      joinUrl: `${this.#s.publicUrl}/join/${token}`,
      validFrom: w.from.toISOString(),
      validUntil: w.until.toISOString(),
    };
  }

  /**
   * The signed token of one given invite, revoked or not (short links, server/src/
   * notifications/short-links.ts): the pre-join then asks for the link's state and says
   * "cancelled" or "no longer valid" instead of "unknown link".
   */
  inviteTokenFor(ref: InviteRef): string {
    return this.#signer.sign('invite', {
      sub: ref.participantId,
      cid: ref.consultationId,
      inv: ref.inviteId,
    });
  }

  /** Checks an invite link's signature and returns what it names (nothing is opened yet). */
  verifyInviteToken(token: string): InviteRef {
    const claims = this.#signer.verify('invite', token, InviteClaims);
    return { inviteId: claims.inv, participantId: claims.sub, consultationId: claims.cid };
  }

  /**
   * What a link leads to now, opening nothing (POST /api/invites/state; the pre-join asks
   * before the camera). A cancelled booking reads `cancelled` although cancelling revoked
   * its links; a consultation that took place reads `ended`.
   */
  async linkState(token: string, now = new Date()): Promise<LinkLookup> {
    let ref: InviteRef;
    try {
      ref = this.verifyInviteToken(token);
    } catch {
      return { state: 'invalid' };
    }
    const invite = await invitesRepo.byId(this.#db, ref.inviteId);
    if (
      !invite ||
      invite.participantId !== ref.participantId ||
      invite.consultationId !== ref.consultationId
    ) {
      return { state: 'invalid' };
    }
    const c = await consultationsRepo.byId(this.#db, ref.consultationId);
    if (!c) return { state: 'invalid' };
    const p = c.participants.find((x) => x.id === ref.participantId);
    const w = this.inviteWindow(c);
    const found = { consultation: c, window: w };
    if (c.status === 'cancelled') return { state: 'cancelled', ...found };
    if (invite.revoked || !p) return { state: 'revoked' };
    if (c.status === 'completed' || c.status === 'no_show') {
      return { state: 'ended', ...found, participant: p };
    }
    if (now < w.from) return { state: 'not_yet_open', ...found, participant: p };
    if (now >= w.until) return { state: 'expired', ...found, participant: p };
    return { state: 'open', ...found, participant: p };
  }

  /**
   * The invite as it stands now: not revoked, still naming that participant, the
   * consultation not cancelled and inside the link's window. Every way in through a link
   * (plain exchange, eID identification) passes here.
   */
  async openInvite(
    ref: InviteRef,
    now = new Date(),
  ): Promise<{ consultation: Consultation; participant: Participant }> {
    const invite = await invitesRepo.byId(this.#db, ref.inviteId);
    if (
      !invite ||
      invite.participantId !== ref.participantId ||
      invite.consultationId !== ref.consultationId
    ) {
      throw unauthenticated('Invitation revoked or unknown');
    }
    const c = await consultationsRepo.byId(this.#db, ref.consultationId);
    // Cancelling revokes every link first: a link of a cancelled meeting says "cancelled"
    // (the pre-join's "Møtet er avlyst"), not "revoked or unknown".
    if (c?.status === 'cancelled')
      throw new DomainError('invalid_state', 'The consultation was cancelled');
    if (invite.revoked) throw unauthenticated('Invitation revoked or unknown');
    const p = c?.participants.find((x) => x.id === ref.participantId);
    if (!c || !p) throw unauthenticated('No longer a participant');
    const w = this.inviteWindow(c);
    if (now < w.from) {
      throw new DomainError('forbidden', `The invitation opens at ${w.from.toISOString()}`);
    }
    if (now >= w.until) throw unauthenticated('The invitation has expired');
    return { consultation: c, participant: p };
  }

  /**
   * Exchanges an invite link for a session token carrying only that participant's grants.
   * Someone booked with a national identity number must identify with the eID instead
   * (`identification_required`): the link alone proves only possession of the link.
   */
  async exchangeInvite(
    token: string,
    meta: RequestMeta,
    now = new Date(),
  ): Promise<SessionTokenResponse> {
    const ref = this.verifyInviteToken(token);
    const { consultation: c, participant: p } = await this.openInvite(ref, now);
    if (p.strongIdentification) {
      throw new DomainError(
        'identification_required',
        'This invitation asks you to log in with your electronic ID before joining',
      );
    }
    return this.admitInvitee(c, p, 'low', ref.inviteId, 'invite.exchange', meta, now);
  }

  /** Issues the session token for someone who came in through an invite link, audited. */
  async admitInvitee(
    c: Consultation,
    p: Participant,
    assuranceLevel: AssuranceLevel,
    inviteId: string,
    action: 'invite.exchange' | 'invite.exchange.eid',
    meta: RequestMeta,
    now = new Date(),
  ): Promise<SessionTokenResponse> {
    const res = await this.issueSessionToken(
      c,
      p,
      assuranceLevel,
      { accountId: null, inviteId },
      now,
    );
    await appendAuditTx(this.#db, {
      actor: { type: 'participant', id: p.id, name: p.name, role: p.role, assuranceLevel },
      action,
      consultationId: c.id,
      clientAddress: meta.clientAddress,
    });
    return res;
  }

  async issueSessionToken(
    c: Consultation,
    p: Participant,
    assuranceLevel: AssuranceLevel,
    minted: { accountId: string | null; inviteId: string | null },
    now = new Date(),
  ): Promise<SessionTokenResponse> {
    const consent = await consentsRepo.active(this.#db, c.id);
    const origin = originOf(p, minted.accountId);
    const grants = computeGrants(p, c, consent, origin, now);
    const expiresAt = new Date(Date.parse(c.endsAt) + SESSION_GRACE_SECONDS * 1000);
    const ttl = Math.max(60, (expiresAt.getTime() - now.getTime()) / 1000);
    const sessionToken = this.#signer.sign(
      'session',
      {
        sub: p.id,
        cid: c.id,
        role: p.role,
        name: p.name,
        asr: assuranceLevel,
        acc: minted.accountId,
        inv: minted.inviteId,
        grants,
      },
      ttl,
    );
    return {
      entry: entryOf(p, origin),
      sessionToken,
      expiresAt: new Date(now.getTime() + Math.floor(ttl) * 1000).toISOString(),
      grants,
      participant: { id: p.id, consultationId: c.id, role: p.role, name: p.name },
      assuranceLevel,
    };
  }

  #refreshExpiry(): Date {
    return new Date(Date.now() + this.#s.refreshTokenTtlSeconds * 1000);
  }

  #tokenResponse(
    account: AccountRow,
    sessionId: string,
    assuranceLevel: AssuranceLevel,
    refreshToken: string,
  ): TokenResponse {
    const accessToken = this.#signer.sign(
      'access',
      { sub: account.id, sid: sessionId, role: account.role, asr: assuranceLevel },
      this.#s.accessTokenTtlSeconds,
    );
    return {
      tokenType: 'Bearer',
      accessToken,
      expiresIn: this.#s.accessTokenTtlSeconds,
      refreshToken,
      refreshExpiresIn: this.#s.refreshTokenTtlSeconds,
      assuranceLevel,
      account: {
        id: account.id,
        username: account.username,
        name: account.name,
        role: account.role,
        organisation: account.organisation,
      },
    };
  }
}

async function appendAuditTx(db: Database, rec: Parameters<typeof appendAudit>[1]): Promise<void> {
  await db.transaction((tx) => appendAudit(tx, rec));
}
