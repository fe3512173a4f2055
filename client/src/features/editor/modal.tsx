import { useEffect, useRef, type ReactNode } from 'react';
import { useT } from '../../i18n/index.tsx';

interface ModalProps {
  open: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
  testId?: string;
  wide?: boolean;
}

/** A native modal <dialog>: focus moves in and back out, Escape closes, the page behind is inert. */
export function Modal({ open, onClose, title, children, testId, wide }: ModalProps) {
  const t = useT();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={`modal${wide ? ' modal--wide' : ''}`}
      aria-labelledby={testId ? `${testId}-title` : undefined}
      data-testid={testId}
      onClose={onClose}
      onKeyDown={(e) => e.stopPropagation()}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
    >
      {open && (
        <div className="modal__inner">
          <header className="modal__head">
            <h2 className="modal__title" id={testId ? `${testId}-title` : undefined}>
              {title}
            </h2>
            <button
              type="button"
              className="btn btn--ghost btn--small"
              onClick={onClose}
              data-testid={testId ? `${testId}-close` : undefined}
            >
              {t('editor.close')}
            </button>
          </header>
          <div className="modal__body">{children}</div>
        </div>
      )}
    </dialog>
  );
}
