import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';

export interface TabDef<K extends string> {
  key: K;
  label: ComponentChildren;
  /** A count or marker shown beside the label (alerts, peers). */
  badge?: ComponentChildren;
}

interface Props<K extends string> {
  tabs: TabDef<K>[];
  active: K;
  onChange: (key: K) => void;
  label: string;
  idPrefix: string;
  class?: string;
}

/**
 * ARIA tabs (WAI-ARIA Authoring Practices): one tab stop, arrow keys and Home/End move between
 * tabs, the panel is labelled by its tab. Panels render `id={`${idPrefix}-panel-${key}`}`.
 */
export function Tabs<K extends string>({ tabs, active, onChange, label, idPrefix, class: cls }: Props<K>) {
  const list = useRef<HTMLDivElement>(null);
  const focus = (i: number) => {
    const n = tabs.length;
    const t = tabs[((i % n) + n) % n]!;
    onChange(t.key);
    list.current?.querySelector<HTMLButtonElement>(`#${idPrefix}-tab-${t.key}`)?.focus();
  };
  const at = tabs.findIndex((t) => t.key === active);
  return (
    <div
      ref={list}
      role="tablist"
      aria-label={label}
      class={`tabs ${cls ?? ''}`}
      onKeyDown={(e) => {
        if (e.key === 'ArrowRight') focus(at + 1);
        else if (e.key === 'ArrowLeft') focus(at - 1);
        else if (e.key === 'Home') focus(0);
        else if (e.key === 'End') focus(tabs.length - 1);
        else return;
        e.preventDefault();
      }}
    >
      {tabs.map((t) => (
        <button
          type="button"
          role="tab"
          id={`${idPrefix}-tab-${t.key}`}
          aria-selected={t.key === active}
          aria-controls={`${idPrefix}-panel-${t.key}`}
          tabIndex={t.key === active ? 0 : -1}
          class="tab"
          onClick={() => onChange(t.key)}
        >
          {t.label}
          {t.badge !== undefined && t.badge !== null ? <span class="tab-badge">{t.badge}</span> : null}
        </button>
      ))}
    </div>
  );
}

/** The panel of one tab. */
export function TabPanel({
  idPrefix,
  tab,
  children,
  hidden,
}: {
  idPrefix: string;
  tab: string;
  children: ComponentChildren;
  /** Kept in the DOM but not shown (the workspace keeps its state while other views show). */
  hidden?: boolean;
}) {
  return (
    <div
      role="tabpanel"
      id={`${idPrefix}-panel-${tab}`}
      aria-labelledby={`${idPrefix}-tab-${tab}`}
      class="tabpanel"
      hidden={hidden}
    >
      {children}
    </div>
  );
}
