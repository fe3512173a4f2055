import type { DatasetFormat, DatasetFormatId } from './types.ts';
import { cocoFormat } from './coco.ts';
import { conllFormat } from './conll.ts';
import { csvFormat } from './csv.ts';
import { jsonlFormat } from './jsonl.ts';
import { labelStudioFormat } from './labelstudio.ts';
import { yoloFormat } from './yolo.ts';
import { vocFormat } from './voc.ts';
import { cvatFormat } from './cvat.ts';

export * from './types.ts';

/**
 * Every dataset format by id. One entry per format module in this folder; the CLI (`labelwork
 * convert`), the export jobs and the import preview all look formats up here.
 */
export const DATASET_FORMAT_REGISTRY: Partial<Record<DatasetFormatId, DatasetFormat>> = {
  yolo: yoloFormat,
  voc: vocFormat,
  cvat: cvatFormat,
  coco: cocoFormat,
  labelstudio: labelStudioFormat,
  conll: conllFormat,
  jsonl: jsonlFormat,
  csv: csvFormat,
};
