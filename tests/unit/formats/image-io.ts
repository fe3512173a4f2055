import { writeDataset, type Dataset, type DatasetFormat, type InputFile, type ReadOptions } from '../../../core/src/index.ts';

/**
 * Writes a dataset and returns what a reader of the written directory gets: the text files as input
 * files, and the images' paths (where the writer placed them) with their sizes.
 */
export function writeImageDataset(format: DatasetFormat, d: Dataset) {
  const { files, warnings } = writeDataset(format, d);
  const w = format.writer('image');
  w.begin(d.labels);
  const images: Record<string, string> = {};
  for (const it of d.items) {
    w.item(it);
    images[it.name] = w.imagePath?.(it) ?? it.name;
  }
  const inputFiles: InputFile[] = [...files].map(([path, text]) => ({ path, text }));
  const sizes = new Map<string, { width: number; height: number }>();
  for (const it of d.items) if (it.width && it.height) sizes.set(images[it.name]!, { width: it.width, height: it.height });
  const readOptions: ReadOptions = { imageSizes: sizes, imageNames: Object.values(images) };
  return { files, warnings, images, inputFiles, readOptions };
}
