/**
 * Icons drawn as SVG: an emoji renders as an empty box where the system has no emoji font
 * (many nursing-home PCs, Debian's Chromium). Decorative: the text next to them says it.
 */
export function HandIcon({ size = '1em' }: { size?: string }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      aria-hidden="true"
      focusable="false"
    >
      <path
        fill="currentColor"
        d="M12.5 2a1.5 1.5 0 0 1 1.5 1.5V11h.5V4.5a1.5 1.5 0 0 1 3 0V12h.5V7.5a1.5 1.5 0 0 1 3 0V15c0 3.9-3.1 7-7 7h-1.2c-2 0-3.8-.8-5.1-2.3l-4.2-4.8a1.6 1.6 0 0 1 2.3-2.2L7 14.8V5.5a1.5 1.5 0 0 1 3 0V11h1V3.5A1.5 1.5 0 0 1 12.5 2Z"
      />
    </svg>
  );
}

export function CloseIcon() {
  return (
    <svg
      className="icon"
      width="1em"
      height="1em"
      viewBox="0 0 24 24"
      aria-hidden="true"
      focusable="false"
    >
      <path
        d="M6 6l12 12M18 6L6 18"
        stroke="currentColor"
        strokeWidth="2.5"
        strokeLinecap="round"
        fill="none"
      />
    </svg>
  );
}
