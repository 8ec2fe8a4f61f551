import { useEffect, useState, type FormEvent } from 'react';
import { useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { SessionTokenResponse } from '@samkons/shared';
import { getRoomSession } from '../../api/session';
import { usePageTitle } from '../../app/usePageTitle';
import { useLiveSession, useLocalMedia, useMediaSnapshot } from '../../media/useMediaSession';
import { loadDevicePrefs } from '../prejoin/devicePrefs';
import { useConsent, type ConsentApi } from '../consent/useConsent';
import { mustConsent } from '../consent/model';
import { ConsentStep } from '../consent/ConsentStep';
import { prefetchedConsent } from '../consent/prefetch';
import { forcedIcePolicy } from '../../app/forcedRelay';
import { prepareCall, releasePreparedCall } from '../../media/prepared-call';
import { WaitingScreen } from '../lobby/WaitingScreen';
import { CallView } from './CallView';
import { useConsentRefused } from './hooks';
import { EndScreen } from './EndScreen';
import './call.css';

/**
 * Route /room/:roomId. With a session token for this consultation (from the invite link or
 * the staff "join" button): consent step when this participant must give it, then the
 * waiting room, then the call. Without one: a development room (name from ?name=).
 */
export function RoomPage(props: { roomId?: string; displayName?: string } = {}) {
  const params = useParams();
  const roomId =
    props.roomId ?? params.roomId ?? decodeURIComponent(location.pathname.split('/')[2] ?? '');
  const session = getRoomSession(roomId);
  if (session) return <SessionRoom session={session} />;
  return <DevRoom roomId={roomId} displayName={props.displayName} />;
}

/**
 * A (re)loaded call page, called by the entry as soon as this code has loaded: a session
 * that may have to consent (its gate reads consent first) warms its call up now, before
 * the router renders; the gate's own `prepareCall` then finds it.
 */
export function warmRoom(roomId: string): void {
  const session = getRoomSession(roomId);
  if (!session?.grants.canConsent) return;
  prepareCall({
    token: session.sessionToken,
    consultationId: session.participant.consultationId,
    iceTransportPolicy: forcedIcePolicy(),
  });
}

function SessionRoom({ session }: { session: SessionTokenResponse }) {
  if (session.grants.canConsent) return <ConsentGate session={session} />;
  return <LiveRoom session={session} />;
}

/** The patient or guardian: consent first (when none is in force), and the withdraw panel. */
function ConsentGate({ session }: { session: SessionTokenResponse }) {
  // Read on the pre-join already: the gate need not wait for it on the way into the call.
  const [prefetched] = useState(() => prefetchedConsent(session.sessionToken));
  // While consent is read (a reloaded page), the call warms up alongside: socket, welcome,
  // device. The call below takes it over; a consent step leaves it warm until the call.
  const token = session.sessionToken;
  const consultationId = session.participant.consultationId;
  useState(() => prepareCall({ token, consultationId, iceTransportPolicy: forcedIcePolicy() }));
  useEffect(() => () => releasePreparedCall(token), [token]);
  const consent = useConsent(session, prefetched);
  const { t } = useTranslation();
  if (consent.loading && !consent.data) {
    return (
      <main className="call-page--plain">
        <p role="status">{t('app.loading')}</p>
      </main>
    );
  }
  if (consent.data && mustConsent(session.grants, consent.data.consents)) {
    return (
      <main className="call-page--plain">
        <ConsentStep
          consent={consent}
          consultation={consent.data.consultation}
          participantId={session.participant.id}
        />
      </main>
    );
  }
  return <LiveRoom session={session} consent={consent} />;
}

function LiveRoom({ session, consent }: { session: SessionTokenResponse; consent?: ConsentApi }) {
  const { t } = useTranslation();
  usePageTitle(t('call.title'));
  const [prefs] = useState(loadDevicePrefs);
  const [iceTransportPolicy] = useState(forcedIcePolicy);
  const local = useLocalMedia({ cameraId: prefs.cameraId, microphoneId: prefs.microphoneId });
  // Joins at once (warm from the pre-join when it came from there); the camera and
  // microphone are published when they arrive.
  const { live, snapshot } = useLiveSession({
    auth: { token: session.sessionToken, consultationId: session.participant.consultationId },
    localStream: local.stream,
    microphoneOn: prefs.microphoneOn,
    cameraOn: prefs.cameraOn,
    iceTransportPolicy,
  });
  const media = live?.media ?? null;
  const mediaSnapshot = useMediaSnapshot(media);
  const phase = snapshot.phase;
  // The session's grants (recomputed at admission) over the token's, which may predate
  // the consent that widened them.
  const grants = snapshot.grants ?? session.grants;
  // Clinicians may wait in the lobby themselves before any consent exists (no media yet).
  const [consentRefused] = useConsentRefused(live);
  // Removed, denied, ended or left: release the camera and microphone at once (the end
  // screen stays on this page, so unmounting would come too late). The stream itself stays,
  // so the live session is not made anew.
  const over = phase === 'ended';
  useEffect(() => {
    if (over) local.stream?.getTracks().forEach((t) => t.stop());
  }, [over, local.stream]);

  // Reconnecting shows where the person was: the call (with its banner) or the lobby.
  const view = phase === 'reconnecting' ? (snapshot.admitted ? 'in-call' : 'lobby') : phase;
  switch (view) {
    case 'idle':
    case 'prejoin':
    case 'joining':
      return (
        <main className="call-page--plain">
          <p role="status" data-testid="call-state">
            {t('call.stateConnecting')}
          </p>
        </main>
      );
    case 'lobby':
      return (
        <WaitingScreen
          name={session.participant.name}
          waitingForConsent={snapshot.waitingForConsent}
          heldForPart={snapshot.heldForPart}
          consentRefused={consentRefused}
          preview={local.stream}
          onLeave={() => live?.leave()}
        />
      );
    case 'in-call':
      return (
        <CallView
          media={media}
          snapshot={mediaSnapshot}
          live={live}
          selfName={session.participant.name}
          selfRole={session.participant.role}
          localStream={local.stream}
          localError={local.error}
          grants={grants}
          consent={consent}
          speakerId={prefs.speakerId}
          sessionToken={session.sessionToken}
          onLeave={() => live?.leave()}
        />
      );
    default:
      return (
        <EndScreen
          snapshot={snapshot}
          session={{
            consultationId: session.participant.consultationId,
            sessionToken: session.sessionToken,
          }}
        />
      );
  }
}

function DevRoom({
  roomId,
  displayName: given,
}: {
  roomId: string;
  displayName?: string | undefined;
}) {
  const [displayName, setDisplayName] = useState(
    given ?? new URLSearchParams(location.search).get('name') ?? '',
  );
  if (!displayName) return <NameForm onName={setDisplayName} />;
  return <DevCall roomId={roomId} displayName={displayName} />;
}

function DevCall({ roomId, displayName }: { roomId: string; displayName: string }) {
  const local = useLocalMedia();
  const { live } = useLiveSession({
    auth: { room: roomId, displayName },
    localStream: local.stream,
    microphoneOn: true,
    cameraOn: true,
  });
  const snapshot = useMediaSnapshot(live?.media ?? null);
  return (
    <CallView
      media={live?.media ?? null}
      snapshot={snapshot}
      live={live}
      selfName={displayName}
      localStream={local.stream}
      localError={local.error}
      grants={null}
      onLeave={() => live?.leave()}
    />
  );
}

function NameForm({ onName }: { onName: (name: string) => void }) {
  const { t } = useTranslation();
  const [value, setValue] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) onName(value.trim());
  };
  return (
    <main className="call-page--plain">
      <form onSubmit={submit}>
        <label htmlFor="dev-name">{t('call.rosterName')}</label>
        <input id="dev-name" value={value} onChange={(e) => setValue(e.target.value)} />
        <button type="submit" className="button">
          {t('call.rejoin')}
        </button>
      </form>
    </main>
  );
}
