import type { LabelSchema, ProjectKind, Region } from '@labelwork/core';
import type { ReactNode } from 'react';
import type { Media } from '../../api/certification.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { AnnotationEditor } from '../editor/annotation-editor.tsx';
import { useImageLevels } from '../editor/use-image-levels.ts';

/** The annotation editor on a training item (practice or exam): its image comes from the certification API, not GridFS. */
export function TrainingItemEditor(props: {
  itemId: string;
  media: Media;
  imageUrl: string;
  labelSchema: LabelSchema;
  kind: ProjectKind;
  initialRegions: readonly Region[];
  prefilledRegions?: readonly Region[];
  readOnly?: boolean;
  onChange?: (regions: Region[]) => void;
  actions?: ReactNode;
}) {
  const { t } = useI18n();
  const { media } = props;
  const size = media.kind === 'image' ? { width: media.width, height: media.height } : null;
  const loaded = useImageLevels(media.kind === 'image' ? props.imageUrl : null, size);
  if (media.kind === 'image' && loaded.status === 'error') return <ErrorAlert error={loaded.error} />;
  if (media.kind === 'image' && loaded.status !== 'ready') return <p className="muted">{t('app.loading')}</p>;
  const item =
    media.kind === 'image'
      ? { id: props.itemId, kind: 'image' as const, image: { fileId: props.itemId, width: media.width, height: media.height } }
      : { id: props.itemId, kind: 'text' as const, text: media.text };
  return (
    <AnnotationEditor
      key={`${props.itemId}:${props.readOnly ? 'ro' : 'rw'}`}
      project={{ labelSchema: props.labelSchema, kind: props.kind }}
      item={item}
      initialRegions={props.initialRegions}
      {...(props.prefilledRegions ? { prefilledRegions: props.prefilledRegions } : {})}
      {...(props.readOnly ? { readOnly: true } : {})}
      {...(props.onChange ? { onChange: props.onChange } : {})}
      {...(props.actions ? { actions: props.actions } : {})}
      {...(loaded.status === 'ready' ? { image: loaded.image } : {})}
    />
  );
}
