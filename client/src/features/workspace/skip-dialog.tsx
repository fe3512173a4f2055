import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useT } from '../../i18n/index.tsx';
import { Modal } from '../editor/modal.tsx';

const PRESETS = ['unclear', 'unsure', 'outOfScope', 'broken'] as const;
type Preset = (typeof PRESETS)[number];
const MAX = 500;

interface SkipDialogProps {
  open: boolean;
  busy: boolean;
  onClose: () => void;
  /** Resolves true when the skip went through (the dialog then closes). */
  onSkip: (reason: string) => Promise<boolean>;
}

/** Asks why the task is skipped (a common reason, or one's own words) before giving it back for good. */
export function SkipDialog({ open, busy, onClose, onSkip }: SkipDialogProps) {
  const t = useT();
  const id = useId();
  const [preset, setPreset] = useState<Preset | null>(null);
  const [text, setText] = useState('');
  const [error, setError] = useState(false);
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!open) return;
    setPreset(null);
    setText('');
    setError(false);
    requestAnimationFrame(() => first.current?.focus());
  }, [open]);

  const reason = [preset ? t(`work.skip.preset.${preset}`) : '', text.trim()].filter(Boolean).join(t('work.skip.joiner')).slice(0, MAX);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!reason) return setError(true);
    if (await onSkip(reason)) onClose();
  };

  return (
    <Modal open={open} onClose={onClose} title={t('work.skip.title')} testId="skip-dialog">
      <form className="skip-form" onSubmit={(e) => void submit(e)}>
        <p className="muted small">{t('work.skip.intro')}</p>
        <fieldset className="skip-form__presets">
          <legend>{t('work.skip.reason')}</legend>
          {PRESETS.map((p, i) => (
            <label key={p} className="skip-form__preset">
              <input
                ref={i === 0 ? first : undefined}
                type="radio"
                name={`${id}-preset`}
                value={p}
                checked={preset === p}
                data-testid="skip-preset"
                onChange={() => {
                  setPreset(p);
                  setError(false);
                }}
              />
              {t(`work.skip.preset.${p}`)}
            </label>
          ))}
        </fieldset>
        <label htmlFor={`${id}-text`}>{t('work.skip.details')}</label>
        <textarea
          id={`${id}-text`}
          rows={3}
          maxLength={MAX}
          value={text}
          data-testid="skip-reason"
          aria-invalid={error || undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(e) => {
            setText(e.target.value);
            setError(false);
          }}
          onKeyDown={(e) => {
            // Ctrl/Cmd+Enter in the text skips, like the task's submit.
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit(e);
          }}
        />
        {error && (
          <p className="field__error" id={`${id}-error`} role="alert" data-testid="skip-error">
            {t('work.skip.required')}
          </p>
        )}
        <div className="form-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn--primary" disabled={busy} data-testid="skip-confirm">
            {busy ? t('work.skip.busy') : t('work.skip.confirm')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
