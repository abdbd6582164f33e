import { useState } from 'preact/hooks';

interface Props {
  text: string;
  label: string;
  /** What the button shows; defaults to the label. */
  children?: preact.ComponentChildren;
  class?: string;
  testId?: string;
}

/**
 * Copies `text` to the clipboard and says so. Without clipboard permission (or outside a secure
 * context) it says that instead; the text stays visible to copy by hand.
 */
export function CopyButton({ text, label, children, class: cls, testId }: Props) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      type="button"
      class={cls ?? 'small'}
      title={`${label}: ${text}`}
      aria-label={label}
      data-testid={testId}
      onClick={() => {
        navigator.clipboard.writeText(text).then(
          () => setState('copied'),
          () => setState('failed'),
        );
        setTimeout(() => setState('idle'), 2_000);
      }}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy blocked' : (children ?? label)}
    </button>
  );
}
