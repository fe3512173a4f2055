import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { GuidelineRef, LabelDef, LabelSchema, ProjectKind, Region } from '@labelwork/core';
import { fileUrl } from '../../api/projects.ts';
import { ImageCanvas } from '../../canvas/image-canvas.tsx';
import type { ImageLevels } from '../../canvas/image-levels.ts';
import type { Pin } from '../../editor/types.ts';
import { SpacePan } from '../../canvas/space-pan.ts';
import { handleImageKey, runImageCommand } from '../../editor/commands.ts';
import { drawingToolOf, labelHotkeys } from '../../editor/labels.ts';
import { EditorStore } from '../../editor/store.ts';
import { handleTextKey } from '../../editor/text-commands.ts';
import { useT } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { TextEditor } from '../text-editor/text-editor.tsx';
import { CheatSheet } from './cheat-sheet.tsx';
import { ClassificationPanel } from './classification-panel.tsx';
import { EditorToolbar } from './editor-toolbar.tsx';
import { controlOwnsKey, isMac, keyInput } from './keyboard.ts';
import { LabelDefinition } from './label-definition.tsx';
import { LabelPicker } from './label-picker.tsx';
import { RegionList } from './region-list.tsx';
import { SelectionPanel } from './selection-panel.tsx';
import { ToolHint } from './tool-hint.tsx';
import { useEditorState } from './use-editor-state.ts';
import { useImageLevels } from './use-image-levels.ts';
import { useLabelDefinitions } from './use-label-definitions.ts';
import './editor.css';

export interface EditorProject {
  labelSchema: LabelSchema;
  kind: ProjectKind;
  guideline?: GuidelineRef;
}

/** What the editor needs of an item: fits both the lead's `Item` and the annotator's `TaskItem`. */
export interface EditorItem {
  id: string;
  kind: 'image' | 'text';
  text?: string;
  image?: { fileId: string; width: number; height: number };
}

export interface AnnotationEditorProps {
  project: EditorProject;
  item: EditorItem;
  /** The answer to start from (a saved draft, the gold answer, an offline copy). */
  initialRegions: readonly Region[];
  /** Gold feedback or predictions: shown distinctly, not in the answer until accepted or edited. */
  prefilledRegions?: readonly Region[];
  /** The answer after every change (proposals not yet accepted left out). */
  onChange?: (regions: Region[]) => void;
  readOnly?: boolean;
  /** Page actions for the toolbar's end (save, submit, skip…). */
  actions?: ReactNode;
  /** Hands out the editor store: for autosave, submit, and applying remote changes outside undo. */
  onReady?: (store: EditorStore) => void;
  /** Already decoded image (benchmarks, tests); by default the item's file is fetched. */
  image?: ImageLevels;
  /** Per-region colours overriding the labels' (review: one colour per annotator). */
  regionColors?: ReadonlyMap<string, string>;
  /** Review comments pinned to their regions and spans (update later with `store.setPins`). */
  pins?: readonly Pin[];
}

/**
 * The annotator workspace for one item: image (boxes, polygons, keypoints) or text (spans),
 * with the label picker, document classes, region list, undo/redo and a shortcut cheat-sheet.
 * The editor state lives in an {@link EditorStore}; give each item its own editor (it is keyed by item id).
 */
export function AnnotationEditor(props: AnnotationEditorProps) {
  return <Editor key={props.item.id} {...props} />;
}

function Editor({
  project,
  item,
  initialRegions,
  prefilledRegions,
  onChange,
  readOnly,
  actions,
  onReady,
  image,
  regionColors,
  pins,
}: AnnotationEditorProps) {
  const t = useT();
  const kind: 'image' | 'text' = item.kind === 'text' || project.kind === 'text' ? 'text' : 'image';
  const [store] = useState(
    () =>
      new EditorStore({
        schema: project.labelSchema,
        image: item.image ? { width: item.image.width, height: item.image.height } : null,
        text: item.text ?? null,
        regions: initialRegions,
        prefilled: prefilledRegions ?? [],
        readOnly: readOnly ?? false,
        ...(regionColors ? { regionColors } : {}),
        ...(pins ? { pins } : {}),
      }),
  );
  const [space] = useState(() => new SpacePan());
  const [help, setHelp] = useState(false);
  const [definitionOf, setDefinitionOf] = useState<LabelDef | null>(null);
  const [defs, loadDefs] = useLabelDefinitions(project.guideline, project.labelSchema);
  const labelKeys = useMemo(() => labelHotkeys(project.labelSchema), [project.labelSchema]);
  const loaded = useImageLevels(kind === 'image' && !image && item.image ? fileUrl(item.image.fileId) : null, item.image ?? null);
  const levels = image ?? (loaded.status === 'ready' ? loaded.image : null);
  const tool = useEditorState(store, (s) => s.tool);

  useEffect(() => onReady?.(store), [onReady, store]);

  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  useEffect(
    () =>
      store.subscribe((s, p) => {
        if (s.regions !== p.regions || s.pending !== p.pending) onChangeRef.current?.(store.answer());
      }),
    [store],
  );

  const onKey = useCallback(
    (e: KeyboardEvent) => {
      if (e.defaultPrevented || controlOwnsKey(e)) return;
      if (kind === 'image' && (e.key === ' ' || e.code === 'Space') && !e.ctrlKey && !e.metaKey && !e.altKey) {
        // Space: hold to pan with the mouse; a tap places a point at the keyboard pointer (on release).
        e.preventDefault();
        if (!e.repeat) space.press();
        return;
      }
      const out =
        kind === 'image' ? handleImageKey(store, keyInput(e), isMac, labelKeys) : handleTextKey(store, keyInput(e), isMac, labelKeys);
      if (!out.handled) return;
      e.preventDefault();
      if ('ui' in out) setHelp(true);
    },
    [kind, store, space, labelKeys],
  );

  const onKeyUp = useCallback(
    (e: KeyboardEvent) => {
      if ((e.key === ' ' || e.code === 'Space') && space.release()) runImageCommand(store, e.shiftKey ? 'place.occluded' : 'place', false);
    },
    [store, space],
  );

  useEffect(() => {
    // With nothing focused (after a click on empty page space), keys still reach the editor.
    const idle = () => document.activeElement === document.body || document.activeElement === null;
    const down = (e: KeyboardEvent) => idle() && onKey(e);
    const up = (e: KeyboardEvent) => idle() && onKeyUp(e);
    const blur = () => space.release();
    document.addEventListener('keydown', down);
    document.addEventListener('keyup', up);
    window.addEventListener('blur', blur);
    return () => {
      document.removeEventListener('keydown', down);
      document.removeEventListener('keyup', up);
      window.removeEventListener('blur', blur);
    };
  }, [onKey, onKeyUp, space]);

  // Retired labels stay in the schema for the regions that use them, but are offered for no new region.
  const pickable = project.labelSchema.labels.filter(
    (l) => !l.retired && (kind === 'text' ? l.tool === 'span' : drawingToolOf(l.tool) !== null),
  );
  const openDefinition = project.guideline
    ? (l: LabelDef) => {
        loadDefs();
        setDefinitionOf(l);
      }
    : undefined;

  return (
    // Keys bubble here from every part of the editor (React order, so panels can keep their own).
    <div
      className={`annotation-editor annotation-editor--${kind}`}
      data-testid="annotation-editor"
      data-tool={tool}
      onKeyDown={(e) => onKey(e.nativeEvent)}
      onKeyUp={(e) => onKeyUp(e.nativeEvent)}
    >
      <EditorToolbar store={store} kind={kind} onHelp={() => setHelp(true)} actions={actions} />
      <div className="annotation-editor__body">
        <div className="annotation-editor__main">
          {kind === 'image' ? (
            <>
              <div className="annotation-editor__stage">
                <ImageCanvas
                  store={store}
                  image={levels}
                  space={space}
                  label={t('editor.stage', { tool: t(`editor.tool.${tool}`) })}
                  describedBy="stage-help"
                />
                {!levels && loaded.status === 'loading' && (
                  <div className="annotation-editor__veil" role="status">
                    {loaded.tiles
                      ? t('editor.preparingTiles', { percent: Math.floor((100 * loaded.tiles.done) / Math.max(1, loaded.tiles.total)) })
                      : t('editor.loadingImage')}
                  </div>
                )}
                {!levels && loaded.status === 'error' && (
                  <div className="annotation-editor__veil">
                    <ErrorAlert error={loaded.error} />
                  </div>
                )}
              </div>
              <ToolHint store={store} />
              <p id="stage-help" className="visually-hidden">
                {t('editor.stageHelp')}
              </p>
            </>
          ) : (
            <TextEditor store={store} />
          )}
        </div>
        <aside className="annotation-editor__side">
          <LabelPicker store={store} labels={pickable} {...(openDefinition ? { onDefinition: openDefinition } : {})} />
          <ClassificationPanel store={store} schema={project.labelSchema} />
          {kind === 'image' && <SelectionPanel store={store} />}
          <RegionList store={store} {...(kind === 'text' && item.text !== undefined ? { text: item.text } : {})} />
        </aside>
      </div>
      <CheatSheet store={store} kind={kind} open={help} onClose={() => setHelp(false)} />
      <LabelDefinition label={definitionOf} defs={defs} onClose={() => setDefinitionOf(null)} onRetry={loadDefs} />
    </div>
  );
}
