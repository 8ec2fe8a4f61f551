import { useEffect, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import type { Role } from '@samkons/shared';
import { useFeatureT } from '../reports/featureI18n';
import { callUiBundles } from './i18n';
import { defaultStage, gridColumns, useSteadyStage } from './stage';

export type Layout = 'speaker' | 'grid';

/** One remote participant as the layouts place them: the camera tile and a screen, if shared. */
export interface RemoteView {
  id: string;
  role: Role | undefined;
  camera: ReactNode;
  screen: ReactNode | null;
}

type Corner = 'br' | 'bl' | 'tl' | 'tr';
const CORNERS: Corner[] = ['br', 'bl', 'tl', 'tr'];

/**
 * The call's pictures in one of two layouts.
 *
 * Speaker: the active speaker large (steady: see stage.ts), or a shared screen; a booked
 * interpreter beside the stage, never hidden; everyone else in a strip; one's own picture
 * small in a corner (movable by button or by dragging). Grid: everyone the same size, as
 * large as the screen allows.
 */
export function CallStage(props: {
  layout: Layout;
  self: ReactNode;
  selfRole: Role | undefined;
  localScreen: ReactNode | null;
  remotes: readonly RemoteView[];
  activeSpeakerId: string | null;
  /** A menu on a tile is open: the stage does not switch under it. */
  menuOpen: boolean;
  label: string;
  /** Notices: laid over the stage (not the strip or the interpreter beside it). */
  overlay?: ReactNode;
}) {
  const { remotes } = props;
  const interpreters = remotes.filter((r) => r.role === 'interpreter');
  const others = remotes.filter((r) => r.role !== 'interpreter');
  const stageId = useSteadyStage({
    activeId: props.activeSpeakerId,
    candidates: others.map((r) => r.id),
    fallback: defaultStage(others, props.selfRole),
    frozen: props.menuOpen,
  });
  const sharer = remotes.find((r) => r.screen !== null);
  const [corner, setCorner] = useState<Corner>('br');
  const area = useRef<HTMLElement>(null);
  const size = useElementSize(area, props.layout);

  // Every picture is a child of one element, keyed, in every layout: moving someone to the
  // stage or switching layouts only changes where the grid puts them, so no video element
  // is made anew (no flash, and a menu open on a tile stays open).
  type Item = { key: string; node: ReactNode; place: CSSProperties; className?: string };
  const items: Item[] = [];
  let template: CSSProperties;
  let layoutName: string;
  let overlayPlace: CSSProperties = { gridColumn: '1 / -1', gridRow: '1 / -1' };

  if (props.layout === 'grid') {
    const all: { key: string; node: ReactNode }[] = [
      { key: 'self', node: props.self },
      ...(props.localScreen ? [{ key: 'local-screen', node: props.localScreen }] : []),
      ...remotes.flatMap((r) => [
        { key: r.id, node: r.camera },
        ...(r.screen ? [{ key: `${r.id}-screen`, node: r.screen }] : []),
      ]),
    ];
    const cols = gridColumns(all.length, size.width, size.height);
    const rows = Math.ceil(all.length / cols);
    template = {
      gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))`,
      gridTemplateRows: `repeat(${rows}, minmax(0, 1fr))`,
    };
    layoutName = 'layout--grid';
    all.forEach((a, i) =>
      items.push({
        ...a,
        className: 'grid__cell',
        place: { gridColumn: (i % cols) + 1, gridRow: Math.floor(i / cols) + 1 },
      }),
    );
  } else {
    // Speaker layout. Alone: one's own picture fills the stage until someone comes.
    const main = sharer ?? others.find((r) => r.id === stageId) ?? others[0] ?? interpreters[0];
    const beside = interpreters.filter((r) => r !== main || sharer === main);
    const strip: { key: string; node: ReactNode }[] = [
      ...(props.localScreen ? [{ key: 'local-screen', node: props.localScreen }] : []),
      ...others
        .filter((r) => r !== main || sharer === main)
        .map((r) => ({ key: r.id, node: r.camera })),
    ];
    const upright = size.height > size.width;
    const n = strip.length;
    layoutName = `layout--speaker${upright ? ' layout--upright' : ''}`;
    let mainPlace: CSSProperties;
    if (!upright) {
      const cols = [
        'minmax(0, 1fr)',
        ...(beside.length ? ['minmax(0, 0.42fr)'] : []),
        ...(n ? ['clamp(8rem, 18vw, 15rem)'] : []),
      ];
      template = {
        gridTemplateColumns: cols.join(' '),
        gridTemplateRows: `repeat(${Math.max(1, n, 3)}, minmax(0, 1fr))`,
      };
      mainPlace = { gridColumn: 1, gridRow: '1 / -1' };
      beside.forEach((r, i) =>
        items.push({
          key: r.id,
          node: r.camera,
          className: 'stage__beside-cell',
          place: { gridColumn: 2, gridRow: beside.length === 1 ? '1 / -1' : i + 1 },
        }),
      );
      strip.forEach((s, i) =>
        items.push({
          ...s,
          className: 'strip__cell',
          place: { gridColumn: cols.length, gridRow: i + 1 },
        }),
      );
    } else {
      template = {
        gridTemplateColumns: `repeat(${Math.max(1, n, 3)}, minmax(0, 1fr))`,
        gridTemplateRows: [
          'minmax(0, 1fr)',
          ...(beside.length ? ['minmax(0, 0.5fr)'] : []),
          ...(n ? ['auto'] : []),
        ].join(' '),
      };
      mainPlace = { gridRow: 1, gridColumn: '1 / -1' };
      beside.forEach((r, i) =>
        items.push({
          key: r.id,
          node: r.camera,
          className: 'stage__beside-cell',
          place: { gridRow: 2, gridColumn: beside.length === 1 ? '1 / -1' : i + 1 },
        }),
      );
      strip.forEach((s, i) =>
        items.push({ ...s, className: 'strip__cell', place: { gridRow: -2, gridColumn: i + 1 } }),
      );
    }
    overlayPlace = mainPlace;
    if (main) {
      items.unshift({
        key: sharer === main ? `${main.id}-screen` : main.id,
        node: sharer === main ? main.screen : main.camera,
        className: 'stage__main',
        place: mainPlace,
      });
      items.push({
        key: 'self',
        node: (
          <SelfView corner={corner} onCorner={setCorner}>
            {props.self}
          </SelfView>
        ),
        className: `selfview-slot selfview-slot--${corner}`,
        place: mainPlace,
      });
    } else {
      items.unshift({ key: 'self', node: props.self, className: 'stage__main', place: mainPlace });
    }
  }

  // Keyed and in a fixed order (by key), so React moves nothing in the DOM.
  const mainKey = items.find((i) => i.className === 'stage__main')?.key;
  const selfSmall = items.some((i) => i.className?.startsWith('selfview-slot'));
  const stageMain = props.layout === 'speaker' ? mainKey : undefined;
  const order = [...items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const mainItem = items.find((i) => i.key === stageMain);
  const mainRemote = remotes.find((r) => r.id === stageMain || `${r.id}-screen` === stageMain);
  return (
    <section
      ref={area}
      className={`call__stage-area ${layoutName}`}
      aria-label={props.label}
      data-layout={props.layout}
      data-stage-peer={mainItem ? (mainRemote?.id ?? 'self') : undefined}
      data-stage-kind={
        mainItem ? (stageMain?.endsWith('-screen') ? 'screen' : 'camera') : undefined
      }
      data-testid="stage"
      data-self-corner={selfSmall ? corner : undefined}
      style={template}
    >
      {order.map((i) => (
        <div key={i.key} className={`slot ${i.className ?? ''}`} style={i.place}>
          {i.node}
        </div>
      ))}
      {props.overlay && (
        <div className="stage__overlay" style={overlayPlace}>
          {props.overlay}
        </div>
      )}
    </section>
  );
}

/** One's own picture, small, in a corner of the call; a button or a drag moves it. */
function SelfView(props: { corner: Corner; onCorner: (c: Corner) => void; children: ReactNode }) {
  const ui = useFeatureT('callui', callUiBundles).t;
  const [drag, setDrag] = useState<{ dx: number; dy: number } | null>(null);
  const start = useRef<{ x: number; y: number } | null>(null);
  const next = CORNERS[(CORNERS.indexOf(props.corner) + 1) % CORNERS.length] ?? 'br';
  return (
    <div
      className={`selfview selfview--${props.corner}${drag ? ' selfview--dragging' : ''}`}
      data-testid="self-view"
      data-corner={props.corner}
      style={drag ? { transform: `translate(${drag.dx}px, ${drag.dy}px)` } : undefined}
      onPointerDown={(e) => {
        if ((e.target as Element).closest('button, summary, a')) return;
        start.current = { x: e.clientX, y: e.clientY };
        e.currentTarget.setPointerCapture(e.pointerId);
      }}
      onPointerMove={(e) => {
        if (!start.current) return;
        setDrag({ dx: e.clientX - start.current.x, dy: e.clientY - start.current.y });
      }}
      onPointerUp={(e) => {
        const from = start.current;
        start.current = null;
        setDrag(null);
        const box = e.currentTarget.closest('.call__stage-area')?.getBoundingClientRect();
        if (!from || !box || Math.hypot(e.clientX - from.x, e.clientY - from.y) < 8) return;
        const right = e.clientX > box.left + box.width / 2;
        const bottom = e.clientY > box.top + box.height / 2;
        props.onCorner(`${bottom ? 'b' : 't'}${right ? 'r' : 'l'}` as Corner);
      }}
      onPointerCancel={() => {
        start.current = null;
        setDrag(null);
      }}
    >
      {props.children}
      <button
        type="button"
        className="selfview__move"
        aria-label={ui('moveSelf')}
        title={ui('moveSelf')}
        onClick={() => props.onCorner(next)}
      >
        <svg viewBox="0 0 24 24" width="1em" height="1em" aria-hidden="true" focusable="false">
          <path
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
            strokeLinecap="round"
            strokeLinejoin="round"
            d="M12 3v18M3 12h18M12 3l-3 3M12 3l3 3M12 21l-3-3M12 21l3-3M3 12l3-3M3 12l3 3M21 12l-3-3M21 12l-3 3"
          />
        </svg>
      </button>
    </div>
  );
}

/** The element's content box size, kept current with a ResizeObserver. */
function useElementSize(ref: React.RefObject<HTMLElement | null>, key: string) {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver !== 'function') return;
    const observer = new ResizeObserver(([entry]) => {
      if (!entry) return;
      const { width, height } = entry.contentRect;
      setSize((s) =>
        Math.abs(s.width - width) < 1 && Math.abs(s.height - height) < 1 ? s : { width, height },
      );
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref, key]);
  return size;
}
