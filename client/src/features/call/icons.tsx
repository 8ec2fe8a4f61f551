import type { ReactNode } from 'react';

/**
 * Icons drawn as SVG: an emoji renders as an empty box where the system has no emoji font
 * (many nursing-home PCs, Debian's Chromium). Decorative: the text next to them says it.
 */
/** The frame every icon shares: a 24-unit square, sized by the text around it, decorative. */
function Svg({ size, children }: { size: string; children: ReactNode }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

export function HandIcon({ size = '1em' }: { size?: string }) {
  return (
    <Svg size={size}>
      <path
        fill="currentColor"
        d="M12.5 2a1.5 1.5 0 0 1 1.5 1.5V11h.5V4.5a1.5 1.5 0 0 1 3 0V12h.5V7.5a1.5 1.5 0 0 1 3 0V15c0 3.9-3.1 7-7 7h-1.2c-2 0-3.8-.8-5.1-2.3l-4.2-4.8a1.6 1.6 0 0 1 2.3-2.2L7 14.8V5.5a1.5 1.5 0 0 1 3 0V11h1V3.5A1.5 1.5 0 0 1 12.5 2Z"
      />
    </Svg>
  );
}

export const CloseIcon = () => (
  <Svg size="1em">
    <path
      d="M6 6l12 12M18 6L6 18"
      stroke="currentColor"
      strokeWidth="2.5"
      strokeLinecap="round"
      fill="none"
    />
  </Svg>
);

/** A control-bar icon: a stroked path. */
const StrokeIcon = ({ d, size = '1.5em' }: { d: string; size?: string }) => (
  <Svg size={size}>
    <path
      d={d}
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
    />
  </Svg>
);

const MIC = 'M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3ZM5 11a7 7 0 0 0 14 0M12 18v3';
const CAMERA = 'M3 7h12v10H3zM15 10.5l6-3.5v10l-6-3.5';
const SLASH = 'M3 3l18 18';

export const MicIcon = ({ off }: { off?: boolean }) => (
  <StrokeIcon d={off ? `${MIC}${SLASH}` : MIC} />
);
export const CameraIcon = ({ off }: { off?: boolean }) => (
  <StrokeIcon d={off ? `${CAMERA}${SLASH}` : CAMERA} />
);
/** Three dots: more actions ("Meir" in a row, the host's menu on a tile standing up). */
export const MoreIcon = ({ vertical, size = '1.5em' }: { vertical?: boolean; size?: string }) => (
  <Svg size={size}>
    {[5, 12, 19].map((at) => (
      <circle
        key={at}
        cx={vertical ? 12 : at}
        cy={vertical ? at : 12}
        r={vertical ? 2.2 : 2}
        fill="currentColor"
      />
    ))}
  </Svg>
);
/** A receiver put down: leaving the call. */
export const LeaveIcon = () => (
  <StrokeIcon d="M3 14.5c5-4.7 13-4.7 18 0l-2.2 2.6-3.6-1.6v-2.6a9 9 0 0 0-6.4 0v2.6l-3.6 1.6z" />
);
export const ShareIcon = () => (
  <StrokeIcon d="M3 5h18v11H3zM8 20h8M12 16v4M12 13V8M9.5 10.5 12 8l2.5 2.5" />
);
/** Headphones: sound without pictures. */
export const AudioOnlyIcon = () => (
  <StrokeIcon d="M4 17v-4a8 8 0 0 1 16 0v4M4 15h3v5H4zM17 15h3v5h-3z" />
);
export const ChatIcon = () => <StrokeIcon d="M4 5h16v11H9l-5 4zM8 9h8M8 12h5" />;
export const PeopleIcon = () => (
  <StrokeIcon d="M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7ZM2.5 20a6.5 6.5 0 0 1 13 0M16 4.3a3.5 3.5 0 0 1 0 6.4M18 14.5a6.5 6.5 0 0 1 3.5 5.5" />
);
/** A sheet with a tick: the consent. */
export const ConsentIcon = () => <StrokeIcon d="M6 3h9l4 4v14H6zM15 3v4h4M9 14l2.5 2.5L16 12" />;
/** A square: the meeting stops (for everyone). */
export const EndIcon = () => <StrokeIcon d="M6 6h12v12H6z" />;
