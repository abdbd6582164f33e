import type { ComponentChildren } from 'preact';

/** The designed empty / loading / error state of a pane: an icon, a line, and what to do next. */
export function Empty({
  kind = 'empty',
  title,
  children,
}: {
  kind?: 'empty' | 'loading' | 'error';
  title: string;
  children?: ComponentChildren;
}) {
  return (
    <div
      class={`empty-state ${kind}`}
      role={kind === 'error' ? 'alert' : undefined}
      aria-busy={kind === 'loading' || undefined}
    >
      <span class="empty-icon" aria-hidden="true">
        {kind === 'loading' ? <span class="spinner" /> : kind === 'error' ? '!' : '∅'}
      </span>
      <p class="empty-title">{title}</p>
      {children ? <div class="empty-body">{children}</div> : null}
    </div>
  );
}
