import type { NewPlanItem, PlanItem, PlanItemPatch } from '@samkons/shared';
import type { RequestMeta } from '../../auth/auth-service.js';
import { DomainError } from '../../http/domain-error.js';
import type { ParticipantPrincipal } from '../../policy/principal.js';
import type { SocketPrincipal } from '../../signalling/authenticator.js';
import type { LiveSession, SessionMember } from '../live-session.js';
import { SessionError } from '../session-error.js';

/** What the live plan needs of the plan service (server/src/plan, lkt-data). */
export interface PlanStore {
  addItem(
    p: ParticipantPrincipal,
    consultationId: string,
    input: NewPlanItem,
    meta: RequestMeta,
  ): Promise<PlanItem>;
  updateItem(
    p: ParticipantPrincipal,
    consultationId: string,
    itemId: string,
    patch: PlanItemPatch,
    meta: RequestMeta,
  ): Promise<PlanItem>;
  removeItem(
    p: ParticipantPrincipal,
    consultationId: string,
    itemId: string,
    meta: RequestMeta,
  ): Promise<void>;
  listForSession(consultationId: string): Promise<PlanItem[]>;
}

/**
 * The plan in the call: the host's writes go to the plan service as the participant they
 * are (re-verified from their session token at every write, so a token revoked mid-call
 * writes nothing), and everyone admitted reads the plan. The broadcast after a change comes
 * from the service's `plan.changed` event (LiveSessions), so REST edits reach the call too.
 */
export class LivePlan {
  readonly #store: PlanStore;
  readonly #principalOf: (p: SocketPrincipal) => Promise<ParticipantPrincipal>;

  constructor(deps: {
    store: PlanStore;
    principalOf: (p: SocketPrincipal) => Promise<ParticipantPrincipal>;
  }) {
    this.#store = deps.store;
    this.#principalOf = deps.principalOf;
  }

  async list(session: LiveSession, member: SessionMember): Promise<PlanItem[]> {
    this.#assertAdmitted(session, member);
    // A development room is a name, not a booked consultation: it has no plan.
    if (!member.principal.session) return [];
    return this.#store.listForSession(session.consultationId);
  }

  async add(session: LiveSession, member: SessionMember, input: NewPlanItem): Promise<PlanItem> {
    const p = await this.#writer(session, member);
    return this.#store.addItem(p, session.consultationId, input, this.#meta(member));
  }

  async update(
    session: LiveSession,
    member: SessionMember,
    itemId: string,
    patch: PlanItemPatch,
  ): Promise<PlanItem> {
    const p = await this.#writer(session, member);
    return this.#store.updateItem(p, session.consultationId, itemId, patch, this.#meta(member));
  }

  async remove(session: LiveSession, member: SessionMember, itemId: string): Promise<void> {
    const p = await this.#writer(session, member);
    await this.#store.removeItem(p, session.consultationId, itemId, this.#meta(member));
  }

  /** Admitted, with the host's grant; the service then applies its own rule (`plan.write`). */
  async #writer(session: LiveSession, member: SessionMember): Promise<ParticipantPrincipal> {
    this.#assertAdmitted(session, member);
    if (!member.principal.grants.canModerate) {
      throw new DomainError('forbidden', 'Only the host writes the plan in the call');
    }
    return this.#principalOf(member.principal);
  }

  #assertAdmitted(session: LiveSession, member: SessionMember): void {
    if (!session.isAdmitted(member)) {
      throw new SessionError('forbidden', 'not_admitted', 'Waiting to be admitted');
    }
  }

  #meta(member: SessionMember): RequestMeta {
    return { clientAddress: member.principal.clientAddress ?? null };
  }
}

/**
 * The plan service's caller for a socket: its session token verified again now (still a
 * participant, invite not revoked), as the REST routes would see the same token.
 */
export function participantPrincipalOf(auth: {
  verifySessionToken(token: string): Promise<{
    participant: {
      id: string;
      consultationId: string;
      role: ParticipantPrincipal['role'];
      name: string;
    };
    assuranceLevel: ParticipantPrincipal['assuranceLevel'];
    accountId?: string | null | undefined;
    inviteId?: string | null | undefined;
  }>;
}): (p: SocketPrincipal) => Promise<ParticipantPrincipal> {
  return async (p) => {
    if (!p.session) {
      throw new DomainError('invalid_state', 'Development rooms have no plan');
    }
    const v = await auth.verifySessionToken(p.session.token);
    return {
      kind: 'participant',
      participantId: v.participant.id,
      consultationId: v.participant.consultationId,
      role: v.participant.role,
      name: v.participant.name,
      assuranceLevel: v.assuranceLevel,
      accountId: v.accountId ?? null,
      inviteId: v.inviteId ?? null,
    };
  };
}
