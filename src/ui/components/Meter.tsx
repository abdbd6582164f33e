/** A labelled bar (0..1), or an indeterminate one without a value. */
export function Bar({ value, label, tone }: { value?: number; label: string; tone?: 'ok' | 'bad' | 'warn' }) {
  const v = value === undefined ? undefined : Math.max(0, Math.min(1, value));
  return (
    <div
      class={`bar ${tone ?? ''} ${v === undefined ? 'indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={v === undefined ? undefined : Math.round(v * 100)}
    >
      <span style={v === undefined ? undefined : { width: `${v * 100}%` }} />
    </div>
  );
}
