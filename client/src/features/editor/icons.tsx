/** Small line icons (no emoji: annotation machines often lack an emoji font). */
const paths = {
  eye: 'M1.5 8s2.5-4.5 6.5-4.5S14.5 8 14.5 8 12 12.5 8 12.5 1.5 8 1.5 8Z M8 6a2 2 0 1 0 0 4 2 2 0 0 0 0-4Z',
  eyeOff: 'M1.5 8s2.5-4.5 6.5-4.5S14.5 8 14.5 8 12 12.5 8 12.5 1.5 8 1.5 8Z M2.5 2.5l11 11',
  lock: 'M4 7h8v6.5H4Z M5.5 7V5a2.5 2.5 0 0 1 5 0v2',
  unlock: 'M4 7h8v6.5H4Z M5.5 7V5a2.5 2.5 0 0 1 4.9-.7',
  trash: 'M2.5 4h11 M6 4V2.5h4V4 M4 4l.7 9.5h6.6L12 4 M6.8 6.5v4.5 M9.2 6.5v4.5',
  check: 'M3 8.5l3.2 3L13 4.5',
  cross: 'M3.5 3.5l9 9 M12.5 3.5l-9 9',
  info: 'M8 1.75a6.25 6.25 0 1 0 0 12.5 6.25 6.25 0 0 0 0-12.5Z M8 7.2v4 M8 4.6v.4',
} as const;

export type IconName = keyof typeof paths;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg
      className="icon"
      width="16"
      height="16"
      viewBox="0 0 16 16"
      aria-hidden="true"
      focusable="false"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.4"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d={paths[name]} />
    </svg>
  );
}
