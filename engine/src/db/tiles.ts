/**
 * Tile pyramids of very large images (docs/tile-pyramids.md): one `pyramids` document per image
 * file (`_id` = the original's id in the `files` bucket) and the tiles in the `tiles` GridFS layout,
 * named `<fileId>/<level>/<col>_<row>`. Written only through `tilePyramids` below: the server's
 * items module queues a pyramid at import (and deletes it with its item), the workers' tile-pyramid
 * job builds it.
 */
import { Binary, type Collection, type Db, type ObjectId } from 'mongodb';
import { TILE_SIZE, needsPyramid, pyramidLevels, pyramidTileCount, type PyramidStatus } from '@labelwork/core';
import type { ItemDoc } from './documents.ts';

export interface PyramidDoc {
  /** The original image in the `files` bucket. */
  _id: ObjectId;
  schemaVersion: 1;
  projectId: ObjectId;
  itemId: ObjectId;
  status: PyramidStatus;
  width: number;
  height: number;
  tileSize: number;
  levels: number;
  format: 'jpeg' | 'png';
  done: number;
  total: number;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

/** A tile's file document, in the GridFS layout (`tiles.files`), its `_id` the tile's name. */
export interface TileFileDoc {
  _id: string;
  length: number;
  chunkSize: number;
  uploadDate: Date;
  filename: string;
  metadata: { fileId: ObjectId };
}

/** A tile's bytes: its one GridFS chunk (`tiles.chunks`), with the same `_id` as its file document. */
export interface TileChunkDoc {
  _id: string;
  files_id: string;
  n: 0;
  data: Binary;
}

/**
 * The tiles (kept out of `files`, which holds the items' originals and thumbnails) in the GridFS
 * layout, but written and read by `_id`: each tile is one chunk named like its file, so serving a
 * tile is one `_id` lookup. (FerretDB answers only `_id` lookups from an index; the driver's
 * GridFSBucket finds chunks by `files_id`, a scan of every chunk of every pyramid per tile.)
 */
export interface TileCollections {
  pyramids: Collection<PyramidDoc>;
  tileFiles: Collection<TileFileDoc>;
  tileChunks: Collection<TileChunkDoc>;
}

export function tileCollections(db: Db): TileCollections {
  return {
    pyramids: db.collection<PyramidDoc>('pyramids'),
    tileFiles: db.collection<TileFileDoc>('tiles.files'),
    tileChunks: db.collection<TileChunkDoc>('tiles.chunks'),
  };
}

export async function ensureTileIndexes(d: TileCollections): Promise<void> {
  await d.pyramids.createIndex({ itemId: 1 }, { name: 'item' });
  // Deleting a pyramid finds its tiles by image file.
  await d.tileFiles.createIndex({ 'metadata.fileId': 1 }, { name: 'file' });
}

/** Name (and `_id`) of one tile. */
export const tileName = (fileId: ObjectId, level: number, col: number, row: number) => `${fileId.toHexString()}/${level}/${col}_${row}`;

/** Every write to pyramids and tiles. */
export const tilePyramids = {
  /**
   * The queued pyramid of every raster image among these items above `minSide` (SVG draws at any size
   * without one): what an import or a restore records before its items become visible.
   */
  forItems(items: Pick<ItemDoc, '_id' | 'projectId' | 'image'>[], minSide: number, now: Date): PyramidDoc[] {
    return items.flatMap((d) =>
      d.image && d.image.mime !== 'image/svg+xml' && needsPyramid(d.image.width, d.image.height, minSide)
        ? [
            {
              _id: d.image.fileId,
              schemaVersion: 1 as const,
              projectId: d.projectId,
              itemId: d._id,
              status: 'queued' as const,
              width: d.image.width,
              height: d.image.height,
              tileSize: TILE_SIZE,
              levels: pyramidLevels(d.image.width, d.image.height).length,
              // The worker sets the real one (PNG when the image has transparency).
              format: 'jpeg' as const,
              done: 0,
              total: pyramidTileCount(d.image.width, d.image.height),
              error: null,
              createdAt: now,
              finishedAt: null,
            },
          ]
        : [],
    );
  },
  /** Queued pyramids recorded before `before` (a restore made without a server queues none itself). */
  queuedBefore: (d: TileCollections, before: Date, limit: number) =>
    d.pyramids
      .find({ status: 'queued', createdAt: { $lt: before } })
      .project<Pick<PyramidDoc, '_id'>>({ _id: 1 })
      .limit(limit)
      .toArray(),
  byFileId: (d: TileCollections, fileId: ObjectId) => d.pyramids.findOne({ _id: fileId }),
  /** State of the pyramids of these image files (those that have one), by file id. */
  async states(d: TileCollections, fileIds: ObjectId[]): Promise<Map<string, Pick<PyramidDoc, 'status' | 'done' | 'total'>>> {
    if (!fileIds.length) return new Map();
    const docs = await d.pyramids
      .find({ _id: { $in: fileIds } })
      .project<Pick<PyramidDoc, '_id' | 'status' | 'done' | 'total'>>({ status: 1, done: 1, total: 1 })
      .toArray();
    return new Map(docs.map((p) => [p._id.toHexString(), { status: p.status, done: p.done, total: p.total }]));
  },
  /** Queues pyramids for newly imported images (before their items become visible). */
  queue: async (d: TileCollections, docs: PyramidDoc[]) => {
    if (docs.length) await d.pyramids.insertMany(docs, { ordered: false });
  },
  /** The job started (again): tiles of an earlier attempt are removed first. */
  async start(d: TileCollections, fileId: ObjectId, format: PyramidDoc['format']): Promise<void> {
    await deleteTilesOf(d, fileId);
    await d.pyramids.updateOne({ _id: fileId }, { $set: { status: 'building', format, done: 0, error: null } });
  },
  progress: (d: TileCollections, fileId: ObjectId, done: number) =>
    d.pyramids.updateOne({ _id: fileId, status: 'building' }, { $set: { done } }),
  /** Stores one tile: its chunk, then its file document (`start` removed any of an earlier attempt). */
  async putTile(d: TileCollections, fileId: ObjectId, level: number, col: number, row: number, data: Buffer): Promise<void> {
    const name = tileName(fileId, level, col, row);
    await d.tileChunks.insertOne({ _id: name, files_id: name, n: 0, data: new Binary(data) });
    await d.tileFiles.insertOne({
      _id: name,
      length: data.length,
      chunkSize: data.length,
      uploadDate: new Date(),
      filename: name,
      metadata: { fileId },
    });
  },
  finish: (d: TileCollections, fileId: ObjectId, status: 'ready' | 'failed', at: Date, set: { done?: number; error?: string } = {}) =>
    d.pyramids.updateOne({ _id: fileId }, { $set: { status, finishedAt: at, ...set } }),
  /** One tile's bytes, or null. */
  async tile(d: TileCollections, fileId: ObjectId, level: number, col: number, row: number): Promise<Buffer | null> {
    const chunk = await d.tileChunks.findOne({ _id: tileName(fileId, level, col, row) });
    return chunk ? Buffer.from(chunk.data.buffer) : null;
  },
  /** Removes the pyramids (and tiles) of these image files: their items were deleted. */
  async remove(d: TileCollections, fileIds: ObjectId[]): Promise<void> {
    for (const id of fileIds) await deleteTilesOf(d, id);
    if (fileIds.length) await d.pyramids.deleteMany({ _id: { $in: fileIds } });
  },
};

async function deleteTilesOf(d: TileCollections, fileId: ObjectId): Promise<void> {
  const names = (await d.tileFiles.find({ 'metadata.fileId': fileId }, { projection: { _id: 1 } }).toArray()).map((f) => f._id);
  for (let i = 0; i < names.length; i += 500) {
    const batch = names.slice(i, i + 500);
    await d.tileChunks.deleteMany({ _id: { $in: batch } });
    await d.tileFiles.deleteMany({ _id: { $in: batch } });
  }
}
