import { useEffect, useRef, useState, type CSSProperties, type FormEvent } from 'react';
import { useLocalMedia, useMediaSession } from '../../media/useMediaSession';
import type { RemoteParticipant } from '../../media/session';

/**
 * The in-call page (route /room/:roomId, display name from ?name=). Proves the media path:
 * local preview, every other participant's video with their name, and their audio.
 */
export function RoomPage(props: { roomId?: string; displayName?: string } = {}) {
  const roomId = props.roomId ?? decodeURIComponent(location.pathname.split('/')[2] ?? '');
  const [displayName, setDisplayName] = useState(
    props.displayName ?? new URLSearchParams(location.search).get('name') ?? '',
  );
  if (!displayName) return <NameForm onName={setDisplayName} />;
  return <Call roomId={roomId} displayName={displayName} />;
}

function Call({ roomId, displayName }: { roomId: string; displayName: string }) {
  const local = useLocalMedia();
  const snapshot = useMediaSession({
    room: roomId,
    displayName,
    localStream: local.stream,
    enabled: local.done,
  });
  const { state, participants, activeSpeakerId, error } = snapshot;

  return (
    <main style={styles.page} data-testid="room-page" data-state={state}>
      <header style={styles.header}>
        <strong>{roomId}</strong>
        <span data-testid="call-state">{stateLabel[state]}</span>
        <span>{participants.length + 1} i samtalen</span>
      </header>
      {error && <p role="alert">{error}</p>}
      {local.error && <p role="status">Kamera eller mikrofon er ikkje tilgjengeleg.</p>}
      <section style={styles.grid}>
        <Tile
          name={`${displayName} (deg)`}
          track={local.stream?.getVideoTracks()[0]}
          mirrored
          testId="local-video"
        />
        {participants.map((p) => (
          <RemoteTile key={p.id} participant={p} speaking={p.id === activeSpeakerId} />
        ))}
      </section>
    </main>
  );
}

function RemoteTile({
  participant,
  speaking,
}: {
  participant: RemoteParticipant;
  speaking: boolean;
}) {
  const label = participant.role
    ? `${participant.displayName} · ${participant.role}`
    : participant.displayName;
  return (
    <>
      <Tile
        name={label}
        track={participant.video}
        speaking={speaking}
        peerId={participant.id}
        testId="remote-participant"
      />
      {participant.audio && <AudioSink track={participant.audio} />}
    </>
  );
}

function Tile(props: {
  name: string;
  track: MediaStreamTrack | undefined;
  testId: string;
  peerId?: string;
  mirrored?: boolean;
  speaking?: boolean;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.srcObject = props.track ? new MediaStream([props.track]) : null;
  }, [props.track]);
  return (
    <figure
      style={{ ...styles.tile, outline: props.speaking ? '3px solid #2f7d32' : 'none' }}
      data-testid={props.testId}
      data-peer-id={props.peerId}
    >
      <video
        ref={ref}
        autoPlay
        playsInline
        muted
        style={{ ...styles.video, transform: props.mirrored ? 'scaleX(-1)' : undefined }}
      />
      <figcaption style={styles.caption}>{props.name}</figcaption>
    </figure>
  );
}

function AudioSink({ track }: { track: MediaStreamTrack }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.srcObject = new MediaStream([track]);
  }, [track]);
  return <audio ref={ref} autoPlay />;
}

function NameForm({ onName }: { onName: (name: string) => void }) {
  const [value, setValue] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) onName(value.trim());
  };
  return (
    <main style={styles.page}>
      <form onSubmit={submit}>
        <label>
          Namnet ditt <input value={value} onChange={(e) => setValue(e.target.value)} autoFocus />
        </label>
        <button type="submit">Bli med</button>
      </form>
    </main>
  );
}

const stateLabel = {
  idle: 'Startar',
  connecting: 'Koplar til',
  joined: 'I samtale',
  reconnecting: 'Koplar til på nytt',
  closed: 'Avslutta',
} as const;

const styles = {
  page: {
    fontFamily: 'system-ui, sans-serif',
    padding: 16,
    background: '#111',
    color: '#eee',
    minHeight: '100vh',
  },
  header: { display: 'flex', gap: 16, alignItems: 'baseline', marginBottom: 12 },
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(280px, 1fr))', gap: 12 },
  tile: {
    margin: 0,
    position: 'relative',
    background: '#222',
    borderRadius: 8,
    overflow: 'hidden',
  },
  video: { width: '100%', aspectRatio: '16 / 9', objectFit: 'cover', display: 'block' },
  caption: {
    position: 'absolute',
    left: 8,
    bottom: 8,
    background: 'rgba(0,0,0,.6)',
    padding: '2px 8px',
    borderRadius: 4,
  },
} satisfies Record<string, CSSProperties>;
