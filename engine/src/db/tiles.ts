/**
 * Tile pyramids of very large images (docs/tile-pyramids.md): one `pyramids` document per image
 * file (`_id` = the original's id in the `files` bucket) and the tiles in the `tiles` GridFS bucket,
 * named `<fileId>/<level>/<col>_<row>`. Written only through `tilePyramids` below: the server's
 * items module queues a pyramid at import (and deletes it with its item), the workers' tile-pyramid
 * job builds it.
 */
import { GridFSBucket, type Collection, type Db, type ObjectId } from 'mongodb';
import type { PyramidStatus } from '@labelwork/core';

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

export interface TileCollections {
  pyramids: Collection<PyramidDoc>;
  /** The tiles (kept out of `files`, which holds the items' originals and thumbnails). */
  tiles: GridFSBucket;
}

export function tileCollections(db: Db): TileCollections {
  return {
    pyramids: db.collection<PyramidDoc>('pyramids'),
    tiles: new GridFSBucket(db, { bucketName: 'tiles' }),
  };
}

export async function ensureTileIndexes(d: TileCollections & { db: Db }): Promise<void> {
  await d.pyramids.createIndex({ itemId: 1 }, { name: 'item' });
  // The tile route finds a tile by name; deleting a pyramid finds its tiles by file.
  await d.db.collection('tiles.files').createIndex({ filename: 1 }, { name: 'filename' });
  await d.db.collection('tiles.files').createIndex({ 'metadata.fileId': 1 }, { name: 'file' });
}

/** GridFS name of one tile. */
export const tileName = (fileId: ObjectId, level: number, col: number, row: number) => `${fileId.toHexString()}/${level}/${col}_${row}`;

/** Every write to pyramids and tiles. */
export const tilePyramids = {
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
  /** Stores one tile (a retried job overwrites nothing: `start` removed its earlier tiles). */
  async putTile(d: TileCollections, fileId: ObjectId, level: number, col: number, row: number, data: Buffer): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const up = d.tiles.openUploadStream(tileName(fileId, level, col, row), { metadata: { fileId } });
      up.once('finish', () => resolve());
      up.once('error', reject);
      up.end(data);
    });
  },
  finish: (d: TileCollections, fileId: ObjectId, status: 'ready' | 'failed', at: Date, set: { done?: number; error?: string } = {}) =>
    d.pyramids.updateOne({ _id: fileId }, { $set: { status, finishedAt: at, ...set } }),
  /** The stored tile's id and size, or null. */
  async tile(d: TileCollections & { db: Db }, fileId: ObjectId, level: number, col: number, row: number) {
    return d.db
      .collection<{ _id: ObjectId; length: number }>('tiles.files')
      .findOne({ filename: tileName(fileId, level, col, row) }, { projection: { _id: 1, length: 1 } });
  },
  openTile: (d: TileCollections, id: ObjectId) => d.tiles.openDownloadStream(id),
  /** Removes the pyramids (and tiles) of these image files: their items were deleted. */
  async remove(d: TileCollections, fileIds: ObjectId[]): Promise<void> {
    for (const id of fileIds) await deleteTilesOf(d, id);
    if (fileIds.length) await d.pyramids.deleteMany({ _id: { $in: fileIds } });
  },
};

async function deleteTilesOf(d: TileCollections, fileId: ObjectId): Promise<void> {
  const ids = await d.tiles
    .find({ 'metadata.fileId': fileId }, { projection: { _id: 1 } })
    .map((f) => f._id)
    .toArray();
  for (const id of ids) await d.tiles.delete(id).catch(() => undefined);
}
