import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role, SessionGrants, SessionParticipant } from '@samkons/shared';
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
import { CallStage, type Layout, type RemoteView } from './CallStage';
import { NoticeStack, WaitingPrompt } from './Notices';
import { useNotices } from './notices';
import { useWaitingAlert } from './waitingAlert';
import { callUiBundles } from './i18n';
import { useFeatureT } from '../reports/featureI18n';
import { COMPACT_CALL_QUERY, Controls, type Panel } from './Controls';
import { useMediaQuery } from '../../app/useMediaQuery';
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
import { MoreIcon } from './icons';
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
  const { t: ui, lang } = useFeatureT('callui', callUiBundles);
  const notices = useNotices();
  const canModerate = grants?.canModerate ?? false;
  const canAdmit = grants?.canAdmit ?? false;
  const hasAudio = (props.localStream?.getAudioTracks().length ?? 0) > 0;
  const hasVideo = (props.localStream?.getVideoTracks().length ?? 0) > 0;

  // Host actions and happenings: a visible notice, and the same words in the live region.
  const announcement = useLiveEvents(live, (e) => {
    switch (e.type) {
      case 'chat': {
        if (e.message.fromParticipantId === liveSnap.selfId) return null;
        const text = t('call.newMessage', { name: e.message.fromDisplayName });
        // With the chat open, the message itself is on screen.
        if (panel !== 'chat') {
          notices.show({
            kind: 'info',
            text,
            detail: clip(e.message.text),
            key: `chat-${e.message.fromParticipantId}`,
            action: { label: ui('openChat'), run: () => setPanel('chat') },
          });
        }
        return text;
      }
      case 'handRaised': {
        const who = byId.get(e.participantId);
        if (!who || who.id === liveSnap.selfId) return null;
        notices.show({
          kind: 'info',
          text: ui('handRaised', { name: who.displayName }),
          key: `hand-${who.id}`,
        });
        return t('call.handRaised', { name: who.displayName });
      }
      case 'unmuteRequested': {
        const text = ui('askedToUnmute', { name: e.byDisplayName });
        notices.show({
          kind: 'request',
          text,
          key: 'unmute',
          action:
            hasAudio && media
              ? {
                  label: ui('unmuteNow'),
                  run: () => act(media.setMicrophoneEnabled(true)),
                }
              : undefined,
        });
        return text;
      }
      case 'mutedByHost':
        notices.show({
          kind: 'status',
          text: ui('mutedByHost'),
          detail: ui('mutedByHostHint'),
          key: 'unmute',
        });
        return t('call.mutedByHost');
      case 'consentRefused':
        // Shown as a lasting alert below (announced by its role), not a passing note.
        return null;
    }
  });
  const [consentRefused, dismissConsentRefused] = useConsentRefused(live);

  // Someone waits: the prompt (with the People panel closed), a chime, the count on the
  // People button and in the tab title, and the live region (the panel may be closed).
  const [lobbyNote, setLobbyNote] = useState('');
  const seenLobby = useRef(new Set<string>());
  useEffect(() => {
    for (const e of lobby.lobby) {
      if (seenLobby.current.has(e.participantId)) continue;
      seenLobby.current.add(e.participantId);
      setLobbyNote(t('lobby.someoneWaiting', { name: e.displayName }));
    }
  }, [lobby.lobby, t]);
  const [snoozed, setSnoozed] = useState<ReadonlySet<string>>(new Set());
  const waitingCount = canAdmit ? lobby.lobby.length : 0;
  const promptShown =
    canAdmit && panel !== 'people' && lobby.lobby.some((e) => !snoozed.has(e.participantId));
  const baseTitle = t('app.pageTitle', { page: t('call.title') });
  const titleWith = useCallback(
    (n: number) => ui('titleWaiting', { n, title: baseTitle }),
    // `ui` is made anew each render; the language decides its texts.
    [baseTitle, lang],
  );
  useWaitingAlert({ lobby: lobby.lobby, enabled: canAdmit, baseTitle, titleWith });

  // Unmuted (by the notice's button or the control bar): the host's request is answered.
  const micOn = snapshot.local.microphoneOn;
  const { dismissKey } = notices;
  useEffect(() => {
    if (micOn) dismissKey('unmute');
  }, [micOn, dismissKey]);

  // Layout: speaker (default) or grid; a screen shared by someone else goes large.
  const [layout, setLayout] = useState<Layout>('speaker');
  const compact = useMediaQuery(COMPACT_CALL_QUERY);
  const sharerId = snapshot.participants.find((p) => p.screen)?.id ?? null;
  useEffect(() => {
    if (sharerId) setLayout('speaker');
  }, [sharerId]);
  const [openMenus, setOpenMenus] = useState<ReadonlySet<string>>(new Set());
  const onMenu = useCallback((id: string, open: boolean) => {
    setOpenMenus((prev) => {
      if (prev.has(id) === open) return prev;
      const next = new Set(prev);
      if (open) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);

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
  // The tiles are memoised (a render of the call must not redo every tile): what they are
  // handed stays the same object from render to render; failures go to the latest handler.
  const failureRef = useRef(showFailure);
  failureRef.current = showFailure;
  const hostActions = useMemo(
    () =>
      canModerate && live
        ? {
            mute: (id: string) => void live.mute(id).catch(failureRef.current),
            askToUnmute: (id: string) => void live.askToUnmute(id).catch(failureRef.current),
            remove: (id: string) => void live.remove(id).catch(failureRef.current),
          }
        : undefined,
    [canModerate, live],
  );
  // The control bar is memoised too: its handlers stay the same functions.
  const onMicrophone = useStableCallback((on: boolean) => act(media?.setMicrophoneEnabled(on)));
  const onCamera = useStableCallback((on: boolean) => act(media?.setCameraEnabled(on)));
  const onScreen = useStableCallback((on: boolean) =>
    act(on ? media?.startScreenShare() : media?.stopScreenShare()),
  );
  const onAudioOnly = useStableCallback((on: boolean) => act(media?.setAudioOnly(on)));
  const onHand = useStableCallback(() => act(hand.toggle()));
  const onLeave = useStableCallback(() => props.onLeave());
  const onEndForAll = useStableCallback(() => act(live?.endForAll()));
  const onDemand = useMemo(
    () =>
      media
        ? (peerId: string, source: 'camera' | 'screen', demand: VideoDemand) =>
            void media.setVideoDemand(peerId, source, demand)
        : undefined,
    [media],
  );
  // In a private part only the people of one's own media group are shown (the server sends
  // nothing of the others).
  const visible = agenda
    ? snapshot.participants.filter((p) => agenda.groupOf(p.id) === agenda.selfGroup)
    : snapshot.participants;

  const local = snapshot.local;
  const selfRole = (self?.role ?? props.selfRole ?? undefined) as Role | undefined;
  const selfLabel = t('call.you', {
    name: describePerson(t, props.selfName, self, props.selfRole),
  });
  const patientSide = self?.role === 'patient' || self?.role === 'next_of_kin';
  const count = visible.length + 1;
  const panelTitle =
    panel === 'chat' ? t('call.chat') : panel === 'people' ? t('call.people') : t('call.consent');

  const selfTile = (
    <Tile
      label={selfLabel}
      name={t('call.you', { name: props.selfName })}
      roleText={roleText(t, selfRole)}
      organisation={self?.organisation}
      role={selfRole}
      track={props.localStream?.getVideoTracks()[0]}
      mirrored
      testId="local-video"
      muted={!local.microphoneOn}
      cameraOff={!local.cameraOn || local.audioOnly}
      handRaised={hand.raised}
      speaking={snapshot.activeSpeakerId === liveSnap.selfId && liveSnap.selfId !== null}
    />
  );
  const localScreen =
    local.screenSharing && media?.screenTrack ? (
      <Tile label={props.selfName} track={media.screenTrack} testId="local-screen" screen />
    ) : null;
  const remotes: RemoteView[] = visible.map((p) => {
    const info = byId.get(p.id);
    const role = (info?.role ?? p.role ?? undefined) as Role | undefined;
    return {
      id: p.id,
      role,
      camera: (
        <RemoteTile
          participant={p}
          info={info}
          role={role}
          speaking={p.id === snapshot.activeSpeakerId}
          quality={lines.peers.get(p.id)}
          audioOnly={local.audioOnly || snapshot.downlink.audioOnly}
          onDemand={onDemand}
          host={hostActions}
          onMenu={onMenu}
        />
      ),
      screen:
        p.screen && !local.audioOnly && !snapshot.downlink.audioOnly ? (
          <Tile
            label={info?.displayName ?? p.displayName}
            track={p.screen}
            peerId={p.id}
            testId="remote-screen"
            screen
            onDemand={
              media ? (demand) => void media.setVideoDemand(p.id, 'screen', demand) : undefined
            }
          />
        ) : null,
    };
  });

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
        {/* Compact: the layout is chosen in the control bar's "Meir" sheet. */}
        {!compact && (
          <div className="call__layout" role="group" aria-label={ui('layoutLabel')}>
            {(['speaker', 'grid'] as const).map((l) => (
              <button
                key={l}
                type="button"
                className="button button--small call__layout-button"
                aria-pressed={layout === l}
                data-layout={l}
                onClick={() => setLayout(l)}
              >
                {l === 'speaker' ? ui('layoutSpeaker') : ui('layoutGrid')}
              </button>
            ))}
          </div>
        )}
      </header>
      {snapshot.downlink.audioOnly && !local.audioOnly && <WeakLinkNotice />}
      {agenda && (
        <AgendaBar
          agenda={agenda}
          participants={liveSnap.participants}
          selfId={liveSnap.selfId}
          canMove={canModerate}
          compact={compact}
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
      <div className="visually-hidden" aria-live="polite" data-testid="call-announcer">
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
        <div className="call__media">
          <CallStage
            layout={layout}
            self={selfTile}
            selfRole={selfRole}
            localScreen={localScreen}
            remotes={remotes}
            activeSpeakerId={snapshot.activeSpeakerId}
            menuOpen={openMenus.size > 0}
            label={t('call.people')}
            overlay={
              <NoticeStack notices={notices.notices} onDismiss={notices.dismiss}>
                {promptShown && (
                  <WaitingPrompt
                    lobby={lobby.lobby}
                    onAdmit={(id) => act(lobby.admit(id))}
                    onDeny={(id) => act(lobby.deny(id))}
                    onShowAll={() => setPanel('people')}
                    onLater={() => setSnoozed(new Set(lobby.lobby.map((e) => e.participantId)))}
                  />
                )}
              </NoticeStack>
            }
          />
        </div>
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
                canAdmit={canAdmit}
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
      {visible.map((p) =>
        p.audio ? <AudioSink key={p.id} track={p.audio} sinkId={props.speakerId} /> : null,
      )}
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
        waiting={waitingCount}
        panel={panel}
        onPanel={setPanel}
        compact={compact}
        layout={layout}
        onLayout={setLayout}
        onMicrophone={onMicrophone}
        onCamera={onCamera}
        onScreen={onScreen}
        onAudioOnly={onAudioOnly}
        onHand={onHand}
        onLeave={onLeave}
        onEndForAll={onEndForAll}
      />
    </main>
  );
}

/** The same function on every render, calling the latest `fn` (for memoised children). */
function useStableCallback<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  const ref = useRef(fn);
  ref.current = fn;
  return useCallback((...args: A) => ref.current(...args), []);
}

/** The role in words ("fastlege"), or nothing. */
function roleText(t: T, role: string | undefined): string | undefined {
  return role ? t(`roles.${role}` as 'roles.patient', { defaultValue: role }) : undefined;
}

/** A chat message's start, for the notice (the whole message is in the chat). */
function clip(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
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

/** Memoised: every prop is a value or an object kept the same while it does not change. */
const RemoteTile = memo(function RemoteTile(props: {
  participant: RemoteParticipant;
  info: SessionParticipant | undefined;
  role: Role | undefined;
  speaking: boolean;
  quality: LineState | undefined;
  audioOnly: boolean;
  /** Adaptive stream: what each participant's video tiles need. */
  onDemand?:
    ((peerId: string, source: 'camera' | 'screen', demand: VideoDemand) => void) | undefined;
  /** Host actions, by participant id. */
  host?:
    | {
        mute: (id: string) => void;
        askToUnmute: (id: string) => void;
        remove: (id: string) => void;
      }
    | undefined;
  onMenu: (id: string, open: boolean) => void;
}) {
  const { t } = useTranslation();
  const ui = useFeatureT('callui', callUiBundles).t;
  const p = props.participant;
  const { onMenu } = props;
  const name = props.info?.displayName ?? p.displayName;
  const label = describePerson(t, name, props.info, p.role);
  const interpreter = props.role === 'interpreter';
  const menu = useRef<HTMLDetailsElement>(null);
  // The stage holds still while a menu is open, and while the pointer is on its button
  // (about to open it): a tile must not move away under the click.
  const [menuOpen, setMenuOpen] = useState(false);
  const [aiming, setAiming] = useState(false);
  useEffect(() => onMenu(p.id, menuOpen || aiming), [onMenu, p.id, menuOpen, aiming]);
  // An action closes the menu (the stage may move again).
  const run = (action: (id: string) => void) => () => {
    if (menu.current) menu.current.open = false;
    action(p.id);
  };
  const { onDemand } = props;
  // Made again only when the participant or the handler changes (Tile's demand hook keeps
  // the latest anyway).
  const onCameraDemand = useMemo(
    () => onDemand && ((d: VideoDemand) => onDemand(p.id, 'camera', d)),
    [onDemand, p.id],
  );
  // A tile that goes away with its menu open must not hold the stage still.
  useEffect(() => () => onMenu(p.id, false), [onMenu, p.id]);
  return (
    <Tile
      label={label}
      name={name}
      roleText={roleText(t, props.role)}
      organisation={props.info?.organisation}
      role={props.role}
      tag={interpreter ? ui('interpreter') : undefined}
      className={interpreter ? 'tile--interpreter' : undefined}
      track={props.audioOnly ? undefined : p.video}
      speaking={props.speaking}
      peerId={p.id}
      testId="remote-participant"
      muted={p.audioMuted ?? false}
      cameraOff={p.videoPaused ?? false}
      videoHeld={props.audioOnly}
      handRaised={props.info?.handRaised ?? false}
      quality={props.quality}
      onDemand={onCameraDemand}
    >
      {props.host && (
        <details
          ref={menu}
          className="tile__host"
          onToggle={(e) => setMenuOpen((e.currentTarget as HTMLDetailsElement).open)}
          onPointerEnter={() => setAiming(true)}
          onPointerLeave={() => setAiming(false)}
        >
          <summary
            aria-label={t('call.hostActions', { name })}
            title={t('call.hostActions', { name })}
          >
            <MoreIcon vertical size="1.4em" />
          </summary>
          <div className="tile__host-actions">
            <button type="button" className="button button--small" onClick={run(props.host.mute)}>
              {t('call.hostMute', { name })}
            </button>
            <button
              type="button"
              className="button button--small"
              onClick={run(props.host.askToUnmute)}
            >
              {t('call.hostAskUnmute', { name })}
            </button>
            <button
              type="button"
              className="button button--small button--danger"
              onClick={run(props.host.remove)}
            >
              {t('call.hostRemove', { name })}
            </button>
          </div>
        </details>
      )}
    </Tile>
  );
});
