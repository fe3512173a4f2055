import { useEffect, useId, useRef, useState } from 'react';
import type { User } from '@labelwork/core';
import { useT } from '../i18n/index.tsx';
import { useSession } from './session.tsx';

/** The signed-in user's name; opens a small menu with role, level and sign out. */
export function UserMenu({ user }: { user: User }) {
  const t = useT();
  const { signOut } = useSession();
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    document.addEventListener('pointerdown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const name = user.displayName || user.username;
  return (
    <div className="user-menu" ref={root}>
      <button
        ref={button}
        type="button"
        className="user-menu__button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-controls={menuId}
        aria-label={t('userMenu.open', { name })}
        onClick={() => setOpen((o) => !o)}
        data-testid="user-menu"
      >
        <span className="user-menu__avatar" aria-hidden="true">
          {Array.from(name)[0]?.toUpperCase()}
        </span>
        <span className="user-menu__name">{name}</span>
      </button>
      {open && (
        <div className="user-menu__panel" id={menuId}>
          <div className="user-menu__info">
            <div className="user-menu__username">{user.username}</div>
            <div>{t('userMenu.role', { role: t(`role.${user.role}`) })}</div>
            <div>{t('userMenu.level', { level: user.level })}</div>
          </div>
          <button type="button" className="btn btn--block" onClick={() => void signOut()} data-testid="sign-out">
            {t('userMenu.signOut')}
          </button>
        </div>
      )}
    </div>
  );
}
