import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { usePageTitle } from '../../app/usePageTitle';
import { rememberEidInvite, saveRoomSession, useApi, useFeatureApi } from '../../api/session';
import { errorMessageKey } from '../../api/errors';
import { formatDateTime, formatTime } from '../../i18n/format';
import { patientEidName, useAuthProviders } from '../auth/useAuthProviders';
import { loadDevicePrefs, saveDevicePrefs } from './devicePrefs';
import { useInvite, type InviteState } from './useInvite';
import { useStaffSession } from './useStaffSession';
import { useMediaPreview } from './useMediaPreview';
import { useMicLevel } from './useMicLevel';
import { useNetworkCheck, type CheckState } from './useNetworkCheck';
import { canSelectSpeaker, playTestTone } from './speakerTest';
import { levelWord, rttRating } from './checks';
import { joinPreparedCall, usePrepareCall } from './usePrepareCall';
import { forcedIcePolicy } from '../../app/forcedRelay';
import { consentEndpoints } from '../consent/api';
import { prefetchConsent, prefetchedConsent } from '../consent/prefetch';
import { mustConsent } from '../consent/model';
import {
  consultationIdOf,
  isClosed,
  useLinkState,
  useMeeting,
  type ClosedState,
  type LinkMeeting,
  type LinkStateBody,
} from './linkState';
import './prejoin.css';

// LKT (lkt-data): loaded after the pre-join shows, outside the patient's first-load budget.
const PrejoinStory = lazy(() =>
  import('../lkt/PrejoinStory').then((m) => ({ default: m.PrejoinStory })),
);

/**
 * The pre-join for someone with an invite link (patient, next of kin, external staff).
 * The link's state comes first: a cancelled, ended, expired or unknown link says so in
 * plain words and never asks for the camera. Only a link that can let this person in (or
 * will soon) goes on to the exchange and the device check.
 */
export function PrejoinPage() {
  const { t } = useTranslation();
  usePageTitle(t('prejoin.title'));
  const { inviteToken = '' } = useParams();
  const link = useLinkState(inviteToken);

  if (link.status === 'checking') {
    return (
      <div className="prejoin">
        <h1>{t('prejoin.title')}</h1>
        <p role="status">{t('prejoin.checkingLink')}</p>
      </div>
    );
  }
  if (link.status === 'known' && isClosed(link.body.state)) {
    return <ClosedLink state={link.body.state} body={link.body} inviteToken={inviteToken} />;
  }
  const known = link.status === 'known' ? link.body : undefined;
  return <InvitePrejoin inviteToken={inviteToken} linkInfo={known} />;
}

function InvitePrejoin(props: { inviteToken: string; linkInfo: LinkStateBody | undefined }) {
  const { t } = useTranslation();
  const invite = useInvite(props.inviteToken);
  const session = invite.status === 'ok' ? invite.session : undefined;
  const meeting = useMeeting(
    session?.participant.consultationId ?? null,
    session?.sessionToken,
    props.linkInfo?.meeting,
  );

  // Camera and microphone are asked for only once the link is known to let this person in
  // (or to let them test before it opens): not before the eID login, which leaves the page.
  if (invite.status === 'identify') {
    return (
      <div className="prejoin">
        <h1>{t('prejoin.title')}</h1>
        {meeting && <MeetingSummary meeting={meeting} />}
        <IdentifyStep inviteToken={props.inviteToken} />
      </div>
    );
  }
  if (invite.status === 'checking') {
    return (
      <div className="prejoin">
        <h1>{t('prejoin.title')}</h1>
        {meeting && <MeetingSummary meeting={meeting} />}
        <p role="status">{t('prejoin.checkingLink')}</p>
      </div>
    );
  }
  // The exchange refused after all (cancelled or expired a moment ago, revoked, broken).
  if (invite.status === 'cancelled') {
    return <ClosedLink state="cancelled" body={props.linkInfo} inviteToken={props.inviteToken} />;
  }
  if (invite.status === 'expired') {
    return <ClosedLink state="expired" body={props.linkInfo} inviteToken={props.inviteToken} />;
  }
  if (invite.status === 'error') {
    return (
      <div className="prejoin">
        <h1>{t('prejoin.title')}</h1>
        <InviteStatus invite={invite} />
      </div>
    );
  }
  return <DeviceCheck invite={invite} meeting={meeting} entry={props.linkInfo?.entry ?? 'lobby'} />;
}

/**
 * A link that cannot bring anyone in: one plain sentence of why and what to do, the
 * meeting it was for, and after a meeting that took place the survey. No camera.
 */
function ClosedLink(props: {
  state: ClosedState;
  body: LinkStateBody | undefined;
  inviteToken: string;
}) {
  const { t } = useTranslation();
  const meeting = props.body?.meeting;
  const consultationId = consultationIdOf(props.inviteToken);
  const heading = {
    cancelled: t('prejoin.closedCancelledTitle'),
    ended: t('prejoin.closedEndedTitle'),
    expired: t('prejoin.closedExpiredTitle'),
    revoked: t('prejoin.closedRevokedTitle'),
    invalid: t('prejoin.closedInvalidTitle'),
  }[props.state];
  const text = {
    cancelled: t('prejoin.closedCancelledText'),
    ended: t('prejoin.closedEndedText'),
    expired: t('prejoin.closedExpiredText'),
    revoked: t('prejoin.closedRevokedText'),
    invalid: t('prejoin.closedInvalidText'),
  }[props.state];
  return (
    <div className="prejoin prejoin--closed" data-testid="link-closed" data-state={props.state}>
      <h1>{heading}</h1>
      <div
        className={`alert ${props.state === 'ended' ? 'alert--info' : 'alert--warning'}`}
        role="alert"
      >
        <p>{text}</p>
      </div>
      {meeting && <MeetingSummary meeting={meeting} />}
      {props.state === 'ended' && consultationId && (
        <p>
          <a
            className="button button--large"
            href={`/survey/${consultationId}#t=${encodeURIComponent(props.inviteToken)}`}
          >
            {t('prejoin.closedSurvey')}
          </a>
        </p>
      )}
    </div>
  );
}

/** What, when and with whom: the first thing the pre-join says. */
function MeetingSummary({ meeting }: { meeting: LinkMeeting }) {
  const { t } = useTranslation();
  return (
    <section className="prejoin__meeting" aria-labelledby="meeting-heading">
      <h2 id="meeting-heading">{meeting.title ?? t('prejoin.meetingDefaultTitle')}</h2>
      <p className="prejoin__when">
        {t('prejoin.consultationAt', {
          time: `${formatDateTime(meeting.startsAt)}–${formatTime(meeting.endsAt)}`,
        })}
      </p>
      <p>
        {meeting.organiserName
          ? t('prejoin.withOrganiser', {
              name: meeting.organiserName,
              organisation: meeting.organisation,
            })
          : t('prejoin.withOrganisation', { organisation: meeting.organisation })}
      </p>
    </section>
  );
}

/**
 * The same pre-join for staff taking part, reached from the consultation page: their login
 * mints the session token, so there is no link to check, but the devices and the network
 * are checked exactly as for the patient before anyone sees or hears them.
 */
export function StaffPrejoinPage() {
  const { t } = useTranslation();
  usePageTitle(t('prejoin.title'));
  const { id = '' } = useParams();
  const state = useStaffSession(id);
  const meeting = useMeeting(id, undefined, undefined);
  if (state.status === 'checking' || state.status === 'identify') {
    return (
      <div className="prejoin">
        <h1>{t('prejoin.title')}</h1>
        <p role="status">{t('prejoin.checkingLink')}</p>
      </div>
    );
  }
  return <DeviceCheck invite={state} meeting={meeting} entry="direct" />;
}

/**
 * The person must log in with the patient eID before the link admits them: one plain
 * explanation and one button. The invite token is remembered for the way back
 * (JoinCallbackPage), then the browser goes to the provider.
 */
function IdentifyStep({ inviteToken }: { inviteToken: string }) {
  const { t } = useTranslation();
  const api = useApi();
  const name = patientEidName(useAuthProviders());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  // Back from the provider's page may restore this page as it was left ("Sender deg til
  // …"): make the button usable again.
  useEffect(() => {
    const restored = (e: PageTransitionEvent) => e.persisted && setBusy(false);
    window.addEventListener('pageshow', restored);
    return () => window.removeEventListener('pageshow', restored);
  }, []);

  const start = async () => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      rememberEidInvite(inviteToken);
      const { authorizationUrl } = await api.inviteEidStart(inviteToken);
      window.location.assign(authorizationUrl);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <section className="identify" aria-labelledby="identify-heading" data-testid="identify">
      <h2 id="identify-heading">{t('prejoin.identifyTitle', { name })}</h2>
      <p>{t('prejoin.identifyWhy', { name })}</p>
      <p id="identify-how">{t('prejoin.identifyHow', { name })}</p>
      {error !== undefined && (
        <div className="alert alert--error" role="alert">
          {t(errorMessageKey(error))}
        </div>
      )}
      <button
        type="button"
        className="button button--large"
        aria-describedby="identify-how"
        aria-disabled={busy}
        onClick={() => void start()}
      >
        {busy ? t('prejoin.identifyGoing', { name }) : t('prejoin.identifyButton', { name })}
      </button>
    </section>
  );
}

/** "Identifisert med ID-porten" once the session came from an eID login. */
function IdentifiedNote() {
  const { t } = useTranslation();
  const name = patientEidName(useAuthProviders());
  return (
    <p className="prejoin__identified" data-testid="identified">
      {t('prejoin.identified', { name })}
    </p>
  );
}

type ReadyInvite = Exclude<InviteState, { status: 'checking' } | { status: 'identify' }>;

function DeviceCheck(props: {
  invite: ReadyInvite;
  meeting: LinkMeeting | undefined;
  /** `direct`: a staff login goes straight in; `lobby`: a link waits for the host. */
  entry: 'direct' | 'lobby';
}) {
  const { invite } = props;
  const { t } = useTranslation();
  const navigate = useNavigate();
  const api = useApi();
  const consentApi = useFeatureApi(consentEndpoints);

  const [prefs] = useState(loadDevicePrefs);
  const media = useMediaPreview({ cameraId: prefs.cameraId, microphoneId: prefs.microphoneId });
  const [speakerId, setSpeakerId] = useState(prefs.speakerId ?? '');
  const [cameraOn, setCameraOn] = useState(prefs.cameraOn);
  const [microphoneOn, setMicrophoneOn] = useState(prefs.microphoneOn);
  const session = invite.status === 'ok' ? invite.session : null;
  const network = useNetworkCheck(api, session?.sessionToken ?? null);

  // Fetch the call page's code while the person checks their devices, so joining is quick
  // on a slow line; after the round-trip check, which a download in flight would inflate.
  const rttChecked = network.result.rtt.status !== 'checking';
  useEffect(() => {
    if (session && rttChecked) void import('../call/RoomPage').catch(() => undefined);
  }, [session, rttChecked]);
  // And what the call page's consent gate reads, so it need not wait on the way in.
  useEffect(() => {
    if (session && rttChecked) prefetchConsent(consentApi, session);
  }, [consentApi, session, rttChecked]);
  // Warm the call up then too (socket, device, ICE servers): joining is one round trip.
  usePrepareCall(
    session && rttChecked
      ? { token: session.sessionToken, consultationId: session.participant.consultationId }
      : null,
  );

  const join = () => {
    if (!session) return;
    // The diagnostic ?relay=1 (force TURN, see RoomPage) carries over from the pre-join.
    const iceTransportPolicy = forcedIcePolicy();
    // Join now, first (before anything here renders), not once the call page has: unless
    // its consent gate may stop there. A person who may consent joins early only when the
    // consent read on this page (the gate starts from it) shows one in force.
    const consent = session.grants.canConsent ? prefetchedConsent(session.sessionToken) : null;
    if (consent !== undefined && (!consent || !mustConsent(session.grants, consent.consents))) {
      joinPreparedCall(session.sessionToken, {
        microphoneOn,
        cameraOn,
        ...(iceTransportPolicy ? { iceTransportPolicy } : {}),
      });
    }
    saveDevicePrefs({
      cameraId: media.cameraId,
      microphoneId: media.microphoneId,
      speakerId: speakerId || undefined,
      cameraOn,
      microphoneOn,
    });
    saveRoomSession(session);
    // Free the camera for the call page.
    media.stop();
    // The call page reads the session token with getRoomSession(consultationId); `name`
    // is what it shows for this participant until it reads the token's participant.
    const name = encodeURIComponent(session.participant.name);
    const relay = iceTransportPolicy === 'relay' ? '&relay=1' : '';
    void navigate(`/room/${session.participant.consultationId}?name=${name}${relay}`);
  };

  // Everything fine: the checks fold away under one line; a problem opens them.
  const { server, rtt, turn } = network.result;
  const networkProblem = [server, rtt, turn].some((c) => c.status === 'failed');
  const checking = [server, rtt].some((c) => c.status === 'checking') || !media.stream;
  const problem = Boolean(media.error) || networkProblem;
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (problem) setOpen(true);
  }, [problem]);
  const summary = problem
    ? t('prejoin.checksProblem')
    : checking
      ? t('prejoin.checksRunning')
      : t('prejoin.checksFine');

  return (
    <div className="prejoin">
      <h1>{t('prejoin.title')}</h1>

      <InviteStatus invite={invite} />

      <div className="prejoin__top">
        <div className="prejoin__info">
          {props.meeting && <MeetingSummary meeting={props.meeting} />}
          {session && (
            <div>
              <p className="prejoin__identity">
                {t('prejoin.youAre')}
                <strong>
                  {session.participant.name}, {t(`roles.${session.participant.role}`)}
                </strong>
              </p>
              {session.assuranceLevel !== 'low' && <IdentifiedNote />}
            </div>
          )}

          {media.error && (
            <div className="alert alert--error" role="alert">
              <p>
                {media.error === 'permission'
                  ? t('prejoin.permissionDenied')
                  : t('prejoin.deviceError')}
              </p>
              <button type="button" className="button" onClick={media.retry}>
                {t('prejoin.tryAgain')}
              </button>
            </div>
          )}

          {session && (
            <div className="prejoin__join">
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={cameraOn}
                  onChange={(e) => setCameraOn(e.target.checked)}
                />
                {t('prejoin.cameraOn')}
              </label>
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={microphoneOn}
                  onChange={(e) => setMicrophoneOn(e.target.checked)}
                />
                {t('prejoin.micOn')}
              </label>
              <p id="join-hint" data-entry={props.entry}>
                {props.entry === 'direct' ? t('prejoin.joinHintDirect') : t('prejoin.joinHint')}
              </p>
              <button
                type="button"
                className="button button--large"
                aria-describedby="join-hint"
                onClick={join}
              >
                {t('prejoin.join')}
              </button>
            </div>
          )}
        </div>

        <div className="prejoin__self">
          <CameraPreview
            stream={media.stream}
            name={session?.participant.name ?? t('prejoin.you')}
          />
        </div>
      </div>

      <details
        className="prejoin__checks"
        open={open}
        onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}
        data-testid="device-checks"
      >
        <summary>
          <span className="prejoin__checks-title">{t('prejoin.deviceCheck')}</span>{' '}
          <span
            className={problem ? 'check--failed' : checking ? undefined : 'check--ok'}
            role="status"
          >
            {summary}
          </span>
        </summary>
        <div className="prejoin__grid">
          <section aria-labelledby="camera-heading">
            <h2 id="camera-heading">{t('prejoin.camera')}</h2>
            {media.devices.cameras.length === 0 && media.stream && <p>{t('prejoin.noCamera')}</p>}
            <DeviceSelect
              id="camera-select"
              label={t('prejoin.chooseCamera')}
              devices={media.devices.cameras}
              value={media.cameraId ?? ''}
              onChange={media.setCameraId}
            />
          </section>

          <section aria-labelledby="mic-heading">
            <h2 id="mic-heading">{t('prejoin.microphone')}</h2>
            <DeviceSelect
              id="mic-select"
              label={t('prejoin.chooseMicrophone')}
              devices={media.devices.microphones}
              value={media.microphoneId ?? ''}
              onChange={media.setMicrophoneId}
            />
            <MicMeter stream={media.stream} />
          </section>

          <section aria-labelledby="speaker-heading">
            <h2 id="speaker-heading">{t('prejoin.speaker')}</h2>
            <SpeakerCheck
              speakers={media.devices.speakers}
              speakerId={speakerId}
              onSpeakerId={setSpeakerId}
            />
          </section>

          <section aria-labelledby="network-heading">
            <h2 id="network-heading">{t('prejoin.network')}</h2>
            <NetworkChecks result={network.result} onRecheck={network.recheck} />
          </section>
        </div>
      </details>

      {/* LKT (lkt-data): "min historie" for the patient or a guardian, before the meeting. */}
      {session && (
        <Suspense fallback={null}>
          <PrejoinStory
            consultationId={session.participant.consultationId}
            sessionToken={session.sessionToken}
          />
        </Suspense>
      )}
    </div>
  );
}

function InviteStatus({ invite }: { invite: InviteState }) {
  const { t } = useTranslation();
  switch (invite.status) {
    case 'checking':
      return <p role="status">{t('prejoin.checkingLink')}</p>;
    case 'identify':
      return null;
    case 'ok':
      return (
        <p role="status" className="visually-hidden">
          {t('prejoin.ok')}
        </p>
      );
    case 'not_open':
      return (
        <div className="alert alert--info" role="status">
          {invite.opensAt
            ? t('prejoin.linkNotOpen', { time: formatDateTime(invite.opensAt) })
            : t('prejoin.linkNotOpenYet')}
        </div>
      );
    case 'cancelled':
      return (
        <div className="alert alert--warning" role="alert">
          {t('prejoin.linkCancelled')}
        </div>
      );
    case 'expired':
      return (
        <div className="alert alert--error" role="alert">
          {t('prejoin.linkExpired')}
        </div>
      );
    case 'error':
      return (
        <div className="alert alert--error" role="alert">
          <strong>{t('prejoin.linkProblem')}</strong> {t(errorMessageKey(invite.error))}
        </div>
      );
  }
}

function CameraPreview({ stream, name }: { stream: MediaStream | null; name: string }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    video.srcObject = stream && stream.getVideoTracks().length > 0 ? stream : null;
  }, [stream]);
  return (
    <div className="preview">
      <video ref={ref} autoPlay muted playsInline aria-label={t('prejoin.cameraPreview')} />
      <span className="preview__name" aria-hidden="true">
        {name}
      </span>
    </div>
  );
}

function DeviceSelect(props: {
  id: string;
  label: string;
  devices: MediaDeviceInfo[];
  value: string;
  onChange: (id: string) => void;
}) {
  const { t } = useTranslation();
  if (props.devices.length === 0) return null;
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.devices.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {d.label || t('prejoin.deviceN', { n: i + 1 })}
          </option>
        ))}
      </select>
    </div>
  );
}

function MicMeter({ stream }: { stream: MediaStream | null }) {
  const { t } = useTranslation();
  const level = useMicLevel(stream);
  const word = t(`prejoin.${levelWord(level)}`);
  return (
    <>
      <p id="mic-hint">{t('prejoin.micHint')}</p>
      <div
        className="meter"
        role="meter"
        aria-label={t('prejoin.micLevel')}
        aria-describedby="mic-hint"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(level * 100)}
        aria-valuetext={word}
      >
        <div className="meter__fill" style={{ transform: `scaleX(${level})` }} />
      </div>
      <p aria-hidden="true">{word}</p>
    </>
  );
}

function SpeakerCheck(props: {
  speakers: MediaDeviceInfo[];
  speakerId: string;
  onSpeakerId: (id: string) => void;
}) {
  const { t } = useTranslation();
  const [playing, setPlaying] = useState(false);
  const selectable = canSelectSpeaker() && props.speakers.length > 0;
  const play = async () => {
    setPlaying(true);
    try {
      await playTestTone(props.speakerId || undefined);
    } finally {
      setPlaying(false);
    }
  };
  return (
    <>
      {selectable ? (
        <div className="field">
          <label htmlFor="speaker-select">{t('prejoin.chooseSpeaker')}</label>
          <select
            id="speaker-select"
            value={props.speakerId}
            onChange={(e) => props.onSpeakerId(e.target.value)}
          >
            <option value="">{t('prejoin.speakerDefault')}</option>
            {props.speakers
              .filter((d) => d.deviceId !== 'default')
              .map((d, i) => (
                <option key={d.deviceId} value={d.deviceId}>
                  {d.label || t('prejoin.deviceN', { n: i + 1 })}
                </option>
              ))}
          </select>
        </div>
      ) : (
        <p>{t('prejoin.speakerNotSelectable')}</p>
      )}
      <p id="tone-hint">{t('prejoin.testSoundHint')}</p>
      <button
        type="button"
        className="button button--secondary"
        aria-describedby="tone-hint"
        aria-disabled={playing}
        onClick={() => !playing && void play()}
      >
        {playing ? t('prejoin.playingTestSound') : t('prejoin.playTestSound')}
      </button>
    </>
  );
}

function CheckValue({ state, ok }: { state: CheckState<unknown>; ok?: string }) {
  const { t } = useTranslation();
  switch (state.status) {
    case 'checking':
      return <span>{t('prejoin.checking')}</span>;
    case 'ok':
      return <span className="check--ok">{ok ?? t('prejoin.ok')}</span>;
    case 'failed':
      return <span className="check--failed">{t('prejoin.failed')}</span>;
    case 'not_configured':
      return <span>{t('prejoin.notConfigured')}</span>;
  }
}

function NetworkChecks(props: {
  result: ReturnType<typeof useNetworkCheck>['result'];
  onRecheck: () => void;
}) {
  const { t } = useTranslation();
  const { server, rtt, turn } = props.result;
  const rttText =
    rtt.status === 'ok' ? t(`prejoin.${rttRating(rtt.value)}`, { ms: rtt.value }) : undefined;
  return (
    <>
      <ul className="checks" aria-live="polite">
        <li>
          <span>{t('prejoin.server')}</span>
          <CheckValue state={server} />
        </li>
        <li>
          <span>{t('prejoin.roundTrip')}</span>
          <CheckValue state={rtt} {...(rttText ? { ok: rttText } : {})} />
        </li>
        <li>
          <span>{t('prejoin.turn')}</span>
          <CheckValue state={turn} />
        </li>
      </ul>
      <button type="button" className="button button--secondary" onClick={props.onRecheck}>
        {t('prejoin.checkNetwork')}
      </button>
    </>
  );
}
