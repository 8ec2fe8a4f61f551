import type { Principal } from '../policy/principal.js';
import type { AuditActor } from './audit-log.js';

export function actorOf(p: Principal | undefined): AuditActor {
  if (!p) return { type: 'anonymous', id: null, name: null, role: null, assuranceLevel: null };
  if (p.kind === 'staff') {
    return {
      type: 'staff',
      id: p.accountId,
      name: p.name,
      role: p.role,
      assuranceLevel: p.assuranceLevel,
    };
  }
  return {
    type: 'participant',
    id: p.participantId,
    name: p.name,
    role: p.role,
    assuranceLevel: p.assuranceLevel,
  };
}

export const SYSTEM_ACTOR: AuditActor = {
  type: 'system',
  id: null,
  name: 'samkons',
  role: null,
  assuranceLevel: null,
};
