import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionGrants, SessionParticipant } from '@samkons/shared';
import type { LiveSession } from '../../media/live-session';
import { useLiveSnapshot } from '../../media/useMediaSession';
import type { MediaSession, RemoteParticipant, SessionSnapshot } from '../../media/session';
import type { VideoDemand } from '../../media/adaptive-stream';
import { RequestError } from '../../media/signalling-client';
import type { ConsentApi } from '../consent/useConsent';
import { WithdrawConsent } from '../consent/WithdrawConsent';
import type { LineState } from '@samkons/shared';
import { AudioSink, Tile, qualityKey } from './Tile';
import { WeakLinkNotice } from './WeakLinkNotice';
import { Controls, type Panel } from './Controls';
import { ChatPanel } from './ChatPanel';
import { PeoplePanel } from './PeoplePanel';
import { AgendaBar } from '../agenda/AgendaBar';
import { useAgenda } from '../agenda/useAgenda';
import { PlanPanel } from '../agenda/PlanPanel';
import { useCareTeamOwners } from '../agenda/useCareTeamOwners';
import {
  useChat,
  useConsentRefused,
  useLineQuality,
  useLiveEvents,
  useLobby,
  useRaiseHand,
  useRoster,
} from './hooks';
import './call.css';

type T = ReturnType<typeof useTranslation>['t'];

/** "Name · role · organisation": everyone in a session must be known by all. */
export function describePerson(
  t: T,
  name: string,
  info: Pick<SessionParticipant, 'role' | 'organisation'> | undefined,
  fallbackRole?: string,
): string {
  const role = info?.role ?? fallbackRole;
  const roleText = role ? t(`roles.${role}` as 'roles.patient', { defaultValue: role }) : '';
  return [name, roleText, info?.organisation ?? ''].filter(Boolean).join(' · ');
}

/**
 * The call itself: tiles (self first), controls, and one side panel at a time (chat,
 * people with waiting room and roster, or consent). Works without a live session too
 * (development rooms): then only the media parts show.
 */
export function CallView(props: {
  media: MediaSession | null;
  snapshot: SessionSnapshot;
  live: LiveSession | null;
  selfName: string;
  selfRole?: string | undefined;
  localStream: MediaStream | null;
  localError: string | null;
  grants: SessionGrants | null;
  consent?: ConsentApi | undefined;
  speakerId?: string | undefined;
  /** The live-session token (the plan panel reads the care team with it). */
  sessionToken?: string | undefined;
  onLeave: () => void;
}) {
  const { t } = useTranslation();
  const { media, snapshot, live, grants } = props;
  const liveSnap = useLiveSnapshot(live);
  const lines = useLineQuality(media, liveSnap.phase);
  const [panel, setPanel] = useState<Panel | null>(null);
  const chat = useChat(live, panel === 'chat');
  const lobby = useLobby(live);
  const roster = useRoster(live);
  const hand = useRaiseHand(live);
  const agenda = useAgenda(live);
  const canWritePlan = (grants?.canModerate ?? false) && live !== null;
  const owners = useCareTeamOwners(grants?.consultationId, props.sessionToken, canWritePlan);
  // The plan shows in the part that agrees it, and whenever it has items.
  const showPlan =
    live !== null && (agenda?.current?.agreesPlan === true || liveSnap.plan.length > 0);
  const [failure, setFailure] = useState<string | null>(null);
  const panelHeadingRef = useRef<HTMLHeadingElement>(null);

  const byId = new Map(liveSnap.participants.map((p) => [p.id, p]));
  const self = liveSnap.selfId ? byId.get(liveSnap.selfId) : undefined;
  const announcement = useLiveEvents(live, (e) => {
    switch (e.type) {
      case 'chat':
        return e.message.fromParticipantId === liveSnap.selfId
          ? null
          : t('call.newMessage', { name: e.message.fromDisplayName });
      case 'handRaised': {
        const who = byId.get(e.participantId);
        return who && who.id !== liveSnap.selfId
          ? t('call.handRaised', { name: who.displayName })
          : null;
      }
      case 'unmuteRequested':
        return t('call.askedToUnmute');
      case 'mutedByHost':
        return t('call.mutedByHost');
      case 'consentRefused':
        // Shown as a lasting alert below (announced by its role), not a passing note.
        return null;
    }
  });
  const [consentRefused, dismissConsentRefused] = useConsentRefused(live);

  // A newly seen lobby entry is announced to hosts (they may have the panel closed).
  const [lobbyNote, setLobbyNote] = useState('');
  const seenLobby = useRef(new Set<string>());
  useEffect(() => {
    for (const e of lobby.lobby) {
      if (seenLobby.current.has(e.participantId)) continue;
      seenLobby.current.add(e.participantId);
      setLobbyNote(t('lobby.someoneWaiting', { name: e.displayName }));
    }
  }, [lobby.lobby, t]);

  useEffect(() => {
    if (panel) panelHeadingRef.current?.focus();
  }, [panel]);

  // Failures in plain words: the consent gate by name, anything else by its error code.
  const showFailure = (err: unknown) => {
    const e = err instanceof RequestError ? err : undefined;
    if (e?.reason === 'consent_required') return setFailure(t('lobby.waitingConsent'));
    setFailure(
      t(`errors.${e?.code ?? 'internal'}` as 'errors.internal', {
        defaultValue: t('errors.internal'),
      }),
    );
  };
  const act = (p: Promise<unknown> | undefined) => void p?.catch(showFailure);
  // In a private part only the people of one's own media group are shown (the server sends
  // nothing of the others).
  const visible = agenda
    ? snapshot.participants.filter((p) => agenda.groupOf(p.id) === agenda.selfGroup)
    : snapshot.participants;

  const hasAudio = (props.localStream?.getAudioTracks().length ?? 0) > 0;
  const hasVideo = (props.localStream?.getVideoTracks().length ?? 0) > 0;
  const local = snapshot.local;
  const selfLabel = t('call.you', {
    name: describePerson(t, props.selfName, self, props.selfRole),
  });
  const canModerate = grants?.canModerate ?? false;
  const patientSide = self?.role === 'patient' || self?.role === 'next_of_kin';
  const count = visible.length + 1;
  const panelTitle =
    panel === 'chat' ? t('call.chat') : panel === 'people' ? t('call.people') : t('call.consent');

  return (
    <main className="call" data-testid="room-page" data-state={liveSnap.phase}>
      <header className="call__header">
        <h1 className="visually-hidden">{t('call.title')}</h1>
        <span data-testid="call-state" className={`call__state call__state--${liveSnap.phase}`}>
          {t(stateKey[liveSnap.phase])}
        </span>
        <span>{t('call.inMeeting', { n: count })}</span>
        {local.audioOnly && <span className="badge">{t('call.audioOnlyActive')}</span>}
        <span className="call__line" role="status" data-testid="line-self" data-line={lines.self}>
          {/* While the whole call reconnects, the call state above says so already. */}
          {lines.self && !(lines.self === 'reconnecting' && liveSnap.phase === 'reconnecting') && (
            <span className={`badge badge--q-${lines.self}`}>
              {lines.self === 'lost'
                ? t('call.lineLostSelf')
                : lines.self === 'reconnecting'
                  ? t('call.lineReconnectingSelf')
                  : t('call.lineSelf', { quality: t(qualityKey[lines.self]) })}
            </span>
          )}
        </span>
      </header>
      {snapshot.downlink.audioOnly && !local.audioOnly && <WeakLinkNotice />}
      {agenda && (
        <AgendaBar
          agenda={agenda}
          participants={liveSnap.participants}
          selfId={liveSnap.selfId}
          canMove={canModerate}
          onError={showFailure}
        />
      )}
      {showPlan && live && (
        <PlanPanel
          items={liveSnap.plan}
          canWrite={canWritePlan}
          owners={owners}
          onAdd={(item) => live.planAdd(item)}
          onRemove={(id) => live.planRemove(id)}
          onError={showFailure}
        />
      )}
      <div className="visually-hidden" aria-live="polite">
        {announcement} {lobbyNote}
      </div>
      {snapshot.error && <p role="alert">{snapshot.error}</p>}
      {failure && (
        <p className="call__alert" role="alert">
          {failure}
        </p>
      )}
      {consentRefused && (
        <div className="call__alert" role="alert" data-testid="consent-refused">
          <p>{t('call.consentRefused')}</p>
          <button type="button" className="button" onClick={dismissConsentRefused}>
            {t('call.close')}
          </button>
        </div>
      )}
      {props.localError && (
        <p className="call__alert" role="status">
          {t('call.noDevices')}
        </p>
      )}
      <div className={panel ? 'call__body call__body--panel' : 'call__body'}>
        <section className="call__grid" aria-label={t('call.people')}>
          <Tile
            label={selfLabel}
            track={props.localStream?.getVideoTracks()[0]}
            mirrored
            testId="local-video"
            muted={!local.microphoneOn}
            cameraOff={!local.cameraOn || local.audioOnly}
            handRaised={hand.raised}
            speaking={snapshot.activeSpeakerId === liveSnap.selfId && liveSnap.selfId !== null}
          />
          {local.screenSharing && media?.screenTrack && (
            <Tile label={props.selfName} track={media.screenTrack} testId="local-screen" screen />
          )}
          {visible.map((p) => (
            <RemoteTiles
              key={p.id}
              participant={p}
              info={byId.get(p.id)}
              speaking={p.id === snapshot.activeSpeakerId}
              quality={lines.peers.get(p.id)}
              audioOnly={local.audioOnly || snapshot.downlink.audioOnly}
              onDemand={
                media
                  ? (source, demand) => void media.setVideoDemand(p.id, source, demand)
                  : undefined
              }
              speakerId={props.speakerId}
              host={
                canModerate && live
                  ? {
                      mute: () => act(live.mute(p.id)),
                      askToUnmute: () => act(live.askToUnmute(p.id)),
                      remove: () => act(live.remove(p.id)),
                    }
                  : undefined
              }
            />
          ))}
        </section>
        {panel && (
          <aside id="call-panel" className="call__panel" aria-labelledby="call-panel-heading">
            <div className="call__panel-head">
              <h2 id="call-panel-heading" ref={panelHeadingRef} tabIndex={-1}>
                {panelTitle}
              </h2>
              <button
                type="button"
                className="button button--secondary button--small"
                onClick={() => setPanel(null)}
              >
                {t('call.close')}
              </button>
            </div>
            {panel === 'chat' && (
              <ChatPanel messages={chat.messages} selfId={chat.selfId} onSend={chat.send} />
            )}
            {panel === 'people' && (
              <PeoplePanel
                participants={liveSnap.participants}
                selfId={liveSnap.selfId}
                lobby={lobby.lobby}
                canAdmit={grants?.canAdmit ?? false}
                onAdmit={(id) => act(lobby.admit(id))}
                onDeny={(id) => act(lobby.deny(id))}
                lines={lines.peers}
                roster={roster.roster}
                rosterEditable={patientSide}
                onRoster={roster.save}
              />
            )}
            {panel === 'consent' && props.consent && <WithdrawConsent consent={props.consent} />}
          </aside>
        )}
      </div>
      <Controls
        local={local}
        hasMicrophone={hasAudio}
        hasCamera={hasVideo}
        canShareScreen={
          !!media &&
          typeof navigator.mediaDevices?.getDisplayMedia === 'function' &&
          (grants?.canPublishSources.includes('screen') ?? true)
        }
        sessionFeatures={live !== null}
        canConsent={!!props.consent}
        canEnd={grants?.canEnd ?? false}
        handRaised={hand.raised}
        unread={chat.unread}
        panel={panel}
        onPanel={setPanel}
        onMicrophone={(on) => act(media?.setMicrophoneEnabled(on))}
        onCamera={(on) => act(media?.setCameraEnabled(on))}
        onScreen={(on) => act(on ? media?.startScreenShare() : media?.stopScreenShare())}
        onAudioOnly={(on) => act(media?.setAudioOnly(on))}
        onHand={() => act(hand.toggle())}
        onLeave={props.onLeave}
        onEndForAll={() => act(live?.endForAll())}
      />
    </main>
  );
}

const stateKey = {
  idle: 'call.stateIdle',
  prejoin: 'call.stateConnecting',
  joining: 'call.stateConnecting',
  lobby: 'call.stateConnecting',
  'in-call': 'call.stateJoined',
  reconnecting: 'call.stateReconnecting',
  ended: 'call.stateClosed',
} as const;

function RemoteTiles(props: {
  participant: RemoteParticipant;
  info: SessionParticipant | undefined;
  speaking: boolean;
  quality: LineState | undefined;
  audioOnly: boolean;
  /** Adaptive stream: what each of this participant's video tiles needs. */
  onDemand?: ((source: 'camera' | 'screen', demand: VideoDemand) => void) | undefined;
  speakerId?: string | undefined;
  host?: { mute: () => void; askToUnmute: () => void; remove: () => void } | undefined;
}) {
  const { t } = useTranslation();
  const p = props.participant;
  const name = props.info?.displayName ?? p.displayName;
  const label = describePerson(t, name, props.info, p.role);
  return (
    <>
      <Tile
        label={label}
        track={props.audioOnly ? undefined : p.video}
        speaking={props.speaking}
        peerId={p.id}
        testId="remote-participant"
        muted={p.audioMuted ?? false}
        cameraOff={(p.videoPaused ?? false) || props.audioOnly}
        handRaised={props.info?.handRaised ?? false}
        quality={props.quality}
        onDemand={props.onDemand && ((d) => props.onDemand?.('camera', d))}
      >
        {props.host && (
          <details className="tile__host">
            <summary>{t('call.hostActions', { name })}</summary>
            <div className="tile__host-actions">
              <button type="button" className="button button--small" onClick={props.host.mute}>
                {t('call.hostMute', { name })}
              </button>
              <button
                type="button"
                className="button button--small"
                onClick={props.host.askToUnmute}
              >
                {t('call.hostAskUnmute', { name })}
              </button>
              <button
                type="button"
                className="button button--small button--danger"
                onClick={props.host.remove}
              >
                {t('call.hostRemove', { name })}
              </button>
            </div>
          </details>
        )}
      </Tile>
      {p.screen && !props.audioOnly && (
        <Tile
          label={name}
          track={p.screen}
          peerId={p.id}
          testId="remote-screen"
          screen
          onDemand={props.onDemand && ((d) => props.onDemand?.('screen', d))}
        />
      )}
      {p.audio && <AudioSink track={p.audio} sinkId={props.speakerId} />}
    </>
  );
}
