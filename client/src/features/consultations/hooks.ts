import { useCallback, useMemo } from 'react';
import type {
  Consent,
  Consultation,
  CreateConsultationRequest,
  Participant,
} from '@samkons/shared';
import { useApi } from '../../api/session';
import { useQuery } from '../../api/useQuery';
import { saveBlob } from '../../app/download';

const DAY = 86400_000;
/** How far ahead "upcoming" looks. */
export const UPCOMING_DAYS = 60;

export function startOfDay(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

/** Splits into today and later, each sorted by start time. */
export function splitByDay(list: readonly Consultation[], now: Date) {
  const tomorrow = new Date(startOfDay(now).getTime() + DAY);
  const sorted = [...list].sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  return {
    today: sorted.filter((c) => Date.parse(c.startsAt) < tomorrow.getTime()),
    upcoming: sorted.filter((c) => Date.parse(c.startsAt) >= tomorrow.getTime()),
  };
}

export function useMyConsultations() {
  const api = useApi();
  const query = useQuery(
    async (signal) => {
      const from = startOfDay(new Date());
      const to = new Date(from.getTime() + UPCOMING_DAYS * DAY);
      return (await api.listConsultations(from, to, signal)).consultations;
    },
    [api],
  );
  const split = useMemo(() => splitByDay(query.data ?? [], new Date()), [query.data]);
  return { ...query, ...split };
}

export function useConsultation(id: string) {
  const api = useApi();
  const query = useQuery(
    async (signal) => {
      const [consultation, consents] = await Promise.all([
        api.getConsultation(id, signal),
        api.consents(id, signal).then((r) => r.consents),
      ]);
      return { consultation, consents };
    },
    [api, id],
  );
  const { data, setData } = query;

  const reschedule = useCallback(
    async (startsAt: Date, endsAt: Date) => {
      const consultation = await api.reschedule(id, {
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
      });
      if (data) setData({ ...data, consultation });
    },
    [api, id, data, setData],
  );
  const cancel = useCallback(async () => {
    const consultation = await api.cancel(id, {});
    if (data) setData({ ...data, consultation });
  }, [api, id, data, setData]);

  const inviteUrl = useCallback(
    async (participantId: string) => {
      const link = await api.inviteLink(id, participantId);
      return new URL(link.joinUrl, window.location.origin).toString();
    },
    [api, id],
  );

  const downloadIcs = useCallback(
    async (participant: Participant) => {
      const blob = await api.ics(id, participant.id);
      saveBlob(blob, `samkons-${id.slice(0, 8)}-${participant.role}.ics`);
    },
    [api, id],
  );

  /** The organiser names (or un-names) a staff participant as co-organiser (delegate). */
  const setDelegate = useCallback(
    async (participantId: string, delegate: boolean) => {
      const updated = await api.setDelegate(id, participantId, delegate);
      if (!data) return;
      const participants = data.consultation.participants.map((p) =>
        p.id === updated.id ? updated : p,
      );
      setData({ ...data, consultation: { ...data.consultation, participants } });
    },
    [api, id, data, setData],
  );

  return { ...query, reschedule, cancel, inviteUrl, downloadIcs, setDelegate };
}

export function useCreateConsultation() {
  const api = useApi();
  return useCallback(
    (request: CreateConsultationRequest) => api.createConsultation(request),
    [api],
  );
}

export type ConsentState =
  | { kind: 'given'; consent: Consent }
  | { kind: 'withdrawn'; consent: Consent }
  | { kind: 'missing' }
  | { kind: 'not_needed' };

/** The consent that currently applies to one participant's presence. */
export function consentStateFor(
  participant: Participant,
  consultation: Consultation,
  consents: readonly Consent[],
): ConsentState {
  if (!consultation.participants.some((p) => p.role === 'patient')) return { kind: 'not_needed' };
  // The consent is the patient's own (given by them or their guardian): it always covers the
  // patient and whoever gave it, whether or not they ticked themselves in the list.
  const covers = (c: Consent) =>
    participant.role === 'patient' ||
    c.givenByParticipantId === participant.id ||
    c.coveredParticipantIds.includes(participant.id);
  const covering = consents
    .filter((c) => covers(c) && !c.supersededAt)
    .sort((a, b) => Date.parse(b.givenAt) - Date.parse(a.givenAt));
  const active = covering.find((c) => !c.withdrawnAt);
  if (active) return { kind: 'given', consent: active };
  const withdrawn = covering.find((c) => c.withdrawnAt);
  if (withdrawn) return { kind: 'withdrawn', consent: withdrawn };
  return { kind: 'missing' };
}
