import { useMemo } from 'react';
import { hotkeysByLabel, labelHotkeys } from '../../editor/labels.ts';
import { chordLabel, GESTURES, SHORTCUTS, shadowedCommands, type ShortcutGroup } from '../../editor/shortcuts.ts';
import type { EditorStore } from '../../editor/store.ts';
import { useT } from '../../i18n/index.tsx';
import { isMac } from './keyboard.ts';
import { Modal } from './modal.tsx';

const GROUPS: readonly ShortcutGroup[] = ['general', 'tools', 'selection', 'drawing', 'vertices', 'view', 'text'];

/** The shortcut cheat-sheet (`?`), drawn from the same table the key handler uses. */
export function CheatSheet({
  store,
  kind,
  open,
  onClose,
}: {
  store: EditorStore;
  kind: 'image' | 'text';
  open: boolean;
  onClose: () => void;
}) {
  const t = useT();
  const labelKeys = useMemo(() => labelHotkeys(store.schema), [store]);
  const shadowed = useMemo(() => shadowedCommands(labelKeys), [labelKeys]);
  const byLabel = useMemo(() => hotkeysByLabel(store.schema), [store]);
  const shortcuts = SHORTCUTS.filter((s) => s.scope === 'all' || s.scope === kind);
  const gestures = GESTURES.filter((g) => g.scope === 'all' || g.scope === kind);
  return (
    <Modal open={open} onClose={onClose} title={t('editor.cheatSheet')} testId="cheat-sheet" wide>
      <div className="cheat-sheet">
        {GROUPS.map((g) => {
          const rows = shortcuts.filter((s) => s.group === g);
          if (rows.length === 0) return null;
          return (
            <table key={g} className="cheat-sheet__table">
              <caption>{t(`editor.group.${g}`)}</caption>
              <tbody>
                {rows.map((s) => {
                  const taken = shadowed.get(s.command);
                  return (
                    <tr key={s.command} className={taken ? 'is-shadowed' : undefined} data-command={s.command}>
                      <td className="cheat-sheet__keys">
                        {s.keys.map((c, i) => (
                          <kbd key={i}>{chordLabel(c, isMac)}</kbd>
                        ))}
                      </td>
                      <td>
                        {t(`editor.cmd.${s.command}`)}
                        {taken && <span className="small muted"> — {t('editor.cheatSheet.shadowed', { label: taken })}</span>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          );
        })}
        {gestures.length > 0 && (
          <table className="cheat-sheet__table">
            <caption>{t('editor.cheatSheet.mouse')}</caption>
            <tbody>
              {gestures.map((g) => (
                <tr key={g.id}>
                  <td className="cheat-sheet__keys">
                    <kbd>{t(`editor.gestureKey.${g.id}`)}</kbd>
                  </td>
                  <td>{t(`editor.gesture.${g.id}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <table className="cheat-sheet__table">
          <caption>{t('editor.cheatSheet.labelKeys')}</caption>
          <tbody>
            {store.schema.labels.map((l) => (
              <tr key={l.name}>
                <td className="cheat-sheet__keys">
                  {(byLabel.get(l.name) ?? []).map((k) => (
                    <kbd key={k}>{k.toUpperCase()}</kbd>
                  ))}
                </td>
                <td>
                  <span className="swatch" style={{ background: l.color }} aria-hidden="true" /> {l.name}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="small muted cheat-sheet__note">{t('editor.cheatSheet.labelKeysNote')}</p>
      </div>
    </Modal>
  );
}
