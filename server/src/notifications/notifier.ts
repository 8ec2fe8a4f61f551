import type { Consultation, NotificationKind, Participant } from '@samkons/shared';
import type { Queryable } from '../db/database.js';
import type { AuthService } from '../auth/auth-service.js';
import type { NotificationProvider } from './provider.js';
import { renderMessage, type MessageLanguage } from './messages.js';
import { shortLinkPath } from './short-links.js';

export interface NotifierSettings {
  /** The number printed in every message for questions and changes; none: line reworded. */
  contactPhone?: string | undefined;
  /** The language messages are written in (participants have no language of their own yet). */
  language?: MessageLanguage | undefined;
}

/**
 * Builds each participant's message and personal link and hands it to the notification
 * provider. Shared by booking (invite, change, cancellation), the reminder scheduler and the
 * survey after the session, so every kind of message carries the same link and wording.
 */
export class ParticipantNotifier {
  readonly #auth: Pick<AuthService, 'inviteLink' | 'inviteWindow'>;
  readonly #notify: NotificationProvider;
  readonly #publicUrl: string;
  readonly #settings: NotifierSettings;

  constructor(deps: {
    auth: Pick<AuthService, 'inviteLink' | 'inviteWindow'>;
    notifications: NotificationProvider;
    publicUrl: string;
    notifierSettings?: NotifierSettings | undefined;
  }) {
    this.#auth = deps.auth;
    this.#notify = deps.notifications;
    this.#publicUrl = deps.publicUrl;
    this.#settings = deps.notifierSettings ?? {};
  }

  /**
   * Staff join from their login (the consultation page); everyone else through a short
   * personal link (`/m/<code>`) that resolves to their invite.
   */
  async joinUrl(q: Queryable, c: Consultation, x: Participant): Promise<string> {
    if (x.accountId) return `${this.#publicUrl}/consultations/${c.id}`;
    const link = await this.#auth.inviteLink(q, c, x);
    return `${this.#publicUrl}${shortLinkPath(link.inviteId)}`;
  }

  /** Sends nothing to a participant without e-mail or mobile; returns whether it sent. */
  async notify(
    q: Queryable,
    c: Consultation,
    x: Participant,
    kind: NotificationKind,
  ): Promise<boolean> {
    const recipient = x.email ?? x.mobile;
    if (!recipient) return false;
    const channel = x.email ? 'email' : 'sms';
    const organiser = c.participants.find((p) => p.accountId === c.organiserId);
    const staff = Boolean(x.accountId);
    // After the session the same personal link leads to the survey (the pre-join of an
    // ended meeting offers it); staff answer it from their login.
    const link =
      kind === 'cancellation'
        ? null
        : kind === 'survey' && staff
          ? `${this.#publicUrl}/survey/${c.id}`
          : await this.joinUrl(q, c, x);
    const window = this.#auth.inviteWindow(c);
    const { subject, body } = renderMessage({
      kind,
      channel,
      language: this.#settings.language ?? 'nn',
      recipientName: x.name,
      organiserName: organiser?.name ?? null,
      organisation: organiser?.organisation ?? c.documentingOrganisation,
      title: c.title,
      startsAt: c.startsAt,
      endsAt: c.endsAt,
      link,
      opensMinutesBefore: Math.round((Date.parse(c.startsAt) - window.from.getTime()) / 60_000),
      contactPhone: this.#settings.contactPhone ?? null,
      cancelReason: c.cancelReason,
      staff,
    });
    await this.#notify.send(q, {
      consultationId: c.id,
      participantId: x.id,
      kind,
      channel,
      recipient,
      subject,
      body,
    });
    return true;
  }
}
