import { useState } from 'preact/hooks';
import { DEFAULT_CONFIG } from '../../lake/config.ts';
import { bytes, display, duration } from '../format.ts';
import { configUrl, overridesOf, parseSetting, SETTINGS, type SettingDef } from '../state/settings.ts';
import type { UiStore } from '../state/UiStore.ts';

function human(def: SettingDef, v: unknown): string {
  if (def.kind === 'ms') return duration(v as number);
  if (def.kind === 'bytes') return bytes(v as number);
  if (def.kind === 'json') return JSON.stringify(v);
  return String(v);
}

/**
 * The node's configuration (DESIGN §14 and ours) with effective values and defaults. Changes
 * apply by reloading with `?config=` (only the changed keys), the same mechanism a link can carry;
 * the room and this node's data are kept.
 */
export function SettingsPane({
  store,
  buildId,
  navigate,
}: {
  store: UiStore;
  buildId: string;
  navigate: (url: string) => void;
}) {
  const effective = store.lake.config;
  const [draft, setDraft] = useState<Record<string, string | boolean>>(() =>
    Object.fromEntries(
      SETTINGS.map((s) => [
        s.key,
        s.kind === 'bool'
          ? (effective[s.key] as boolean)
          : s.kind === 'json'
            ? JSON.stringify(effective[s.key])
            : display(effective[s.key]),
      ]),
    ),
  );
  const [error, setError] = useState<string | undefined>();
  const overridden = overridesOf(effective);
  const apply = (reset: boolean) => {
    setError(undefined);
    try {
      const values: Record<string, unknown> = {};
      if (!reset) for (const s of SETTINGS) values[s.key] = parseSetting(s, draft[s.key]!);
      navigate(configUrl(new URL(location.href), values));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const row = (s: SettingDef) => {
    const id = `cfg-${s.key}`;
    const isOverridden = s.key in overridden;
    const value = draft[s.key]!;
    const set = (v: string | boolean) => setDraft({ ...draft, [s.key]: v });
    return (
      <tr data-setting={s.key}>
        <th scope="row">
          <label for={id}>{s.label}</label>
          <code class="key">{s.key}</code>
        </th>
        <td>
          {s.kind === 'bool' ? (
            <input
              id={id}
              type="checkbox"
              checked={value as boolean}
              onChange={(e) => set(e.currentTarget.checked)}
            />
          ) : s.kind === 'enum' ? (
            <select id={id} value={value as string} onChange={(e) => set(e.currentTarget.value)}>
              {s.options!.map((o) => (
                <option value={o}>{o}</option>
              ))}
            </select>
          ) : (
            <input
              id={id}
              type="text"
              inputMode={s.kind === 'json' ? 'text' : 'numeric'}
              spellcheck={false}
              value={value as string}
              onInput={(e) => set(e.currentTarget.value)}
            />
          )}
          <p class="hint">{s.help}</p>
        </td>
        <td class="effective" data-testid={`effective-${s.key}`}>
          {human(s, effective[s.key])}
          {isOverridden ? <span class="badge warn-badge">overridden</span> : null}
        </td>
        <td class="muted">{human(s, DEFAULT_CONFIG[s.key])}</td>
      </tr>
    );
  };
  const table = (spec: boolean, caption: string) => (
    <table class="settings">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Setting</th>
          <th scope="col">New value</th>
          <th scope="col">Effective</th>
          <th scope="col">Default</th>
        </tr>
      </thead>
      <tbody>{SETTINGS.filter((s) => s.spec === spec).map(row)}</tbody>
    </table>
  );
  return (
    <section class="panel" aria-labelledby="settings-h">
      <header class="panel-head">
        <h2 id="settings-h">Settings</h2>
        <span class="muted">build {buildId}</span>
      </header>
      <p class="hint">
        Applying reloads this tab with <code>?config=</code> in the address (only changed keys). The room,
        this node and its data stay. The same parameter works in any link.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          apply(false);
        }}
      >
        {table(true, 'Room and node (DESIGN §14)')}
        {table(false, 'Limits and network')}
        {error ? (
          <p class="error" role="alert" data-testid="settings-error">
            {error}
          </p>
        ) : null}
        <div class="form-actions">
          <button type="submit" class="primary" data-testid="apply-settings">
            Apply and reload
          </button>
          <button type="button" onClick={() => apply(true)} disabled={Object.keys(overridden).length === 0}>
            Reset to defaults
          </button>
        </div>
      </form>
    </section>
  );
}
