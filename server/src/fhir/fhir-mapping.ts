import {
  isStaffRole,
  roleLabelNo,
  type CareTeamMember,
  type Consent,
  type Consultation,
  type ConsultationStatus,
  type Participant,
  type PlanItem,
} from '@samkons/shared';

/**
 * A consultation as FHIR R4 resources for the EPJ (issue 11 item 7). Pure: the service
 * loads and authorises, this maps. The mapping is documented in the README ("FHIR export").
 *
 * Identity: resources are identified by samkons ids (`urn:samkons:*` systems). The national
 * identity number is never stored, so it appears only when an entitled caller supplies it
 * and it matches the stored keyed hash (`patientNationalId`).
 */

export type FhirResource = { resourceType: string; id: string } & Record<string, unknown>;

export type FhirBundle = {
  resourceType: 'Bundle';
  id: string;
  type: 'collection';
  timestamp: string;
  entry: { fullUrl: string; resource: FhirResource }[];
};

export interface ExportInput {
  consultation: Consultation;
  /** Every consent of the consultation, oldest first. */
  consents: Consent[];
  patientRecordId: string | null;
  careTeam: CareTeamMember[];
  plan: PlanItem[];
  /** Set only for an entitled caller whose number matched the record's keyed hash. */
  patientNationalId?: string;
  now: Date;
}

export const SYSTEMS = {
  consultation: 'urn:samkons:consultation',
  participant: 'urn:samkons:participant',
  account: 'urn:samkons:account',
  patientRecord: 'urn:samkons:patient-record',
  careTeamMember: 'urn:samkons:care-team-member',
  careTeamRole: 'urn:samkons:care-team-role',
  planItem: 'urn:samkons:plan-item',
  consultationKind: 'urn:samkons:consultation-kind',
  /** Norwegian fødselsnummer and D-number (Direktoratet for e-helse OIDs). */
  fnr: 'urn:oid:2.16.578.1.12.4.1.4.1',
  dnr: 'urn:oid:2.16.578.1.12.4.1.4.2',
} as const;

const ref = (resource: FhirResource, display?: string) => ({
  reference: `urn:uuid:${resource.id}`,
  ...(display ? { display } : {}),
});

const APPOINTMENT_STATUS: Record<ConsultationStatus, string> = {
  booked: 'booked',
  in_progress: 'arrived',
  completed: 'fulfilled',
  cancelled: 'cancelled',
  no_show: 'noshow',
};

const KIND_TEXT: Record<Consultation['kind'], string> = {
  co_consultation: 'Digital samkonsultasjon',
  guidance: 'Rettleiing mellom helsepersonell',
  discharge_meeting: 'Samarbeidsmøte før utskriving',
  follow_up: 'Oppfølging',
};

/** A D-number has 4-7 as its first digit (day + 40). */
const isDNumber = (n: string) => Number(n[0]) >= 4;

function telecom(m: { phone?: string | null; email?: string | null }) {
  const out: { system: string; value: string; use?: string }[] = [];
  if (m.phone) out.push({ system: 'phone', value: m.phone, use: 'work' });
  if (m.email) out.push({ system: 'email', value: m.email, use: 'work' });
  return out.length > 0 ? { telecom: out } : {};
}

export function toFhirBundle(input: ExportInput, ids: () => string): FhirBundle {
  const c = input.consultation;
  const resources: FhirResource[] = [];
  const add = <T extends FhirResource>(r: T): T => {
    resources.push(r);
    return r;
  };

  // Patient.
  const patientP = c.participants.find((p) => p.role === 'patient');
  const patient = patientP
    ? add({
        resourceType: 'Patient',
        id: ids(),
        identifier: [
          ...(input.patientRecordId
            ? [{ use: 'secondary', system: SYSTEMS.patientRecord, value: input.patientRecordId }]
            : []),
          ...(input.patientNationalId
            ? [
                {
                  use: 'official',
                  system: isDNumber(input.patientNationalId) ? SYSTEMS.dnr : SYSTEMS.fnr,
                  value: input.patientNationalId,
                },
              ]
            : []),
        ],
        name: [{ text: patientP.name }],
        ...(patientP.birthDate ? { birthDate: patientP.birthDate } : {}),
        ...telecom({ phone: patientP.mobile, email: patientP.email }),
      })
    : undefined;

  // One resource per participant: Practitioner for health personnel, RelatedPerson for
  // next of kin (needs the patient). Interpreters are named on the appointment only.
  const byParticipant = new Map<string, FhirResource>();
  for (const p of c.participants) {
    if (p.role === 'patient' && patient) {
      byParticipant.set(p.id, patient);
    } else if (isStaffRole(p.role)) {
      byParticipant.set(p.id, add(practitioner(ids(), p)));
    } else if (p.role === 'next_of_kin' && patient) {
      byParticipant.set(p.id, add(relatedPerson(ids(), p, patient)));
    }
  }

  // Appointment.
  add({
    resourceType: 'Appointment',
    id: ids(),
    identifier: [{ system: SYSTEMS.consultation, value: c.id }],
    status: APPOINTMENT_STATUS[c.status],
    ...(c.cancelReason ? { cancelationReason: { text: c.cancelReason } } : {}),
    serviceType: [
      { coding: [{ system: SYSTEMS.consultationKind, code: c.kind, display: KIND_TEXT[c.kind] }] },
    ],
    appointmentType: { text: 'Videokonsultasjon' },
    description: c.title ?? KIND_TEXT[c.kind],
    start: c.startsAt,
    end: c.endsAt,
    created: c.createdAt,
    comment: `Dokumenterande verksemd: ${c.documentingOrganisation}`,
    participant: c.participants.map((p) => {
      const actor = byParticipant.get(p.id);
      return {
        type: [{ text: roleLabelNo[p.role] }],
        actor: actor ? ref(actor, p.name) : { display: p.name },
        required: 'required',
        status: 'accepted',
      };
    }),
  });

  // Consent: the one in force, else the latest (withdrawn or superseded: inactive).
  const consent =
    input.consents.find((x) => !x.withdrawnAt && !x.supersededAt) ?? input.consents.at(-1);
  if (consent && patient) {
    const givenBy = byParticipant.get(consent.givenByParticipantId);
    add({
      resourceType: 'Consent',
      id: ids(),
      status: consent.withdrawnAt || consent.supersededAt ? 'inactive' : 'active',
      scope: {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/consentscope',
            code: 'patient-privacy',
          },
        ],
      },
      category: [
        { coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] },
      ],
      patient: ref(patient),
      dateTime: consent.givenAt,
      performer: givenBy ? [ref(givenBy)] : [ref(patient)],
      policyRule: {
        text:
          consent.method === 'verbal'
            ? 'Munnleg samtykke, registrert av helsepersonell'
            : 'Samtykke gitt i samkons',
      },
      verification: [
        {
          verified: true,
          ...(givenBy ? { verifiedWith: ref(givenBy) } : {}),
          verificationDate: consent.givenAt,
        },
      ],
      provision: {
        type: 'permit',
        period: {
          start: consent.givenAt,
          ...((consent.withdrawnAt ?? consent.supersededAt)
            ? { end: consent.withdrawnAt ?? consent.supersededAt }
            : {}),
        },
        // Who may take part in the consultation.
        actor: consent.coveredParticipantIds
          .map((id) => byParticipant.get(id))
          .filter((r): r is FhirResource => r !== undefined)
          .map((r) => ({
            role: {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
                  code: 'IRCP',
                  display: 'information recipient',
                },
              ],
            },
            reference: ref(r),
          })),
        action: [
          {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'access' },
            ],
          },
        ],
        // Sharing health information across care levels (shareHealthInfo).
        provision: [
          {
            type: consent.shareHealthInfo ? 'permit' : 'deny',
            action: [
              {
                coding: [
                  {
                    system: 'http://terminology.hl7.org/CodeSystem/consentaction',
                    code: 'disclose',
                  },
                ],
                text: 'Deling av helseopplysningar mellom omsorgsnivå',
              },
            ],
          },
        ],
      },
    });
  }

  // CareTeam: members as Practitioner (health personnel, others) or RelatedPerson (next of kin).
  let careTeam: FhirResource | undefined;
  const byMember = new Map<string, FhirResource>();
  if (patient && input.careTeam.length > 0) {
    for (const m of input.careTeam) {
      byMember.set(
        m.id,
        add(
          m.role === 'next_of_kin'
            ? {
                resourceType: 'RelatedPerson',
                id: ids(),
                identifier: [{ system: SYSTEMS.careTeamMember, value: m.id }],
                patient: ref(patient),
                relationship: m.title ? [{ text: m.title }] : [],
                name: [{ text: m.name }],
                ...telecom(m),
              }
            : {
                resourceType: 'Practitioner',
                id: ids(),
                identifier: [
                  { system: SYSTEMS.careTeamMember, value: m.id },
                  ...(m.accountId ? [{ system: SYSTEMS.account, value: m.accountId }] : []),
                ],
                name: [{ text: m.name }],
                ...telecom(m),
              },
        ),
      );
    }
    careTeam = add({
      resourceType: 'CareTeam',
      id: ids(),
      identifier: input.patientRecordId
        ? [{ system: SYSTEMS.patientRecord, value: input.patientRecordId }]
        : [],
      status: 'active',
      name: 'Aktørkart',
      subject: ref(patient),
      participant: input.careTeam.map((m) => ({
        role: [
          {
            coding: [
              { system: SYSTEMS.careTeamRole, code: m.role },
              ...(m.isCoordinator
                ? [{ system: SYSTEMS.careTeamRole, code: 'coordinator', display: 'Koordinator' }]
                : []),
            ],
            text:
              [m.title, m.isCoordinator ? 'Koordinator' : null].filter(Boolean).join(', ') ||
              m.role,
          },
        ],
        member: ref(byMember.get(m.id)!, m.name),
        ...(m.organisation ? { onBehalfOf: { display: m.organisation } } : {}),
      })),
    });
  }

  // CarePlan: the agreed plan; each item an activity.
  if (patient && input.plan.length > 0) {
    const performer = (item: PlanItem) => {
      if (item.owner.kind === 'patient') return ref(patient, item.ownerName);
      const r = byMember.get(item.owner.memberId);
      return r ? ref(r, item.ownerName) : { display: item.ownerName };
    };
    const allDone = input.plan.every((x) => x.status === 'done');
    add({
      resourceType: 'CarePlan',
      id: ids(),
      identifier: [{ system: SYSTEMS.consultation, value: c.id }],
      status: allDone ? 'completed' : 'active',
      intent: 'plan',
      title: 'Plan for samarbeid',
      description: `Avtalt i ${c.title ?? KIND_TEXT[c.kind]} ${c.startsAt.slice(0, 10)}`,
      subject: ref(patient),
      created: input.plan[0]!.createdAt,
      ...(careTeam ? { careTeam: [ref(careTeam)] } : {}),
      activity: input.plan.map((item) => ({
        ...(item.notes.length > 0
          ? {
              progress: item.notes.map((n) => ({
                authorString: `${n.authorName} (${n.authorRole})`,
                time: n.createdAt,
                text: n.text,
              })),
            }
          : {}),
        detail: {
          status: item.status === 'done' ? 'completed' : 'not-started',
          description: item.what,
          performer: [performer(item)],
          ...(item.dueDate ? { scheduledPeriod: { end: item.dueDate } } : {}),
        },
      })),
    });
  }

  return {
    resourceType: 'Bundle',
    id: ids(),
    type: 'collection',
    timestamp: input.now.toISOString(),
    entry: resources.map((r) => ({ fullUrl: `urn:uuid:${r.id}`, resource: r })),
  };
}

function practitioner(id: string, p: Participant): FhirResource {
  return {
    resourceType: 'Practitioner',
    id,
    identifier: [
      { system: SYSTEMS.participant, value: p.id },
      ...(p.accountId ? [{ system: SYSTEMS.account, value: p.accountId }] : []),
    ],
    name: [{ text: p.name }],
    ...telecom({ phone: p.mobile, email: p.email }),
    qualification: [{ code: { text: roleLabelNo[p.role] } }],
  };
}

function relatedPerson(id: string, p: Participant, patient: FhirResource): FhirResource {
  return {
    resourceType: 'RelatedPerson',
    id,
    identifier: [{ system: SYSTEMS.participant, value: p.id }],
    patient: ref(patient),
    relationship: [{ text: p.isGuardian ? 'Føresett' : 'Pårørande' }],
    name: [{ text: p.name }],
    ...telecom({ phone: p.mobile, email: p.email }),
  };
}
