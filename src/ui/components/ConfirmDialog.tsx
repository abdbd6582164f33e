import { Dialog } from './Dialog.tsx';
import type { ComponentChildren } from 'preact';

interface Props {
  open: boolean;
  title: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children: ComponentChildren;
  testId: string;
}

/** "Are you sure?" for destructive actions (drop, new room); Cancel has the initial focus. */
export function ConfirmDialog(p: Props) {
  return (
    <Dialog
      open={p.open}
      title={p.title}
      onClose={p.onCancel}
      testId={p.testId}
      actions={
        <>
          <button type="button" autofocus onClick={p.onCancel}>
            Cancel
          </button>
          <button type="button" class={p.danger ? 'danger-solid' : 'primary'} onClick={p.onConfirm}>
            {p.confirmLabel}
          </button>
        </>
      }
    >
      {p.children}
    </Dialog>
  );
}
