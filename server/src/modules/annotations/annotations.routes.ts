import { Router } from 'express';
import { z } from 'zod';
import { AnnotationPatch, Id } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { idParam, me, parseBody, requireAuth, requireRole } from '../../http/middleware.ts';
import { editAnnotation, getAnnotation, listAnnotations } from './annotations.service.ts';

const ListQuery = z.object({ itemId: Id.optional(), userId: Id.optional() });
const notFound = () => new AppError('NOT_FOUND', 'no such annotation');

export function annotationsRoutes(ctx: AppContext): Router {
  const r = Router();
  r.use(requireAuth);
  r.get('/annotations/:id', async (req, res) => {
    res.json({ annotation: await getAnnotation(ctx, me(req), idParam(req, 'id', notFound())) });
  });
  r.patch('/annotations/:id', async (req, res) => {
    res.json({ annotation: await editAnnotation(ctx, me(req), idParam(req, 'id', notFound()), parseBody(AnnotationPatch, req.body)) });
  });
  r.get('/projects/:id/annotations', requireRole('admin', 'lead'), async (req, res) => {
    const q = parseBody(ListQuery, req.query);
    res.json({
      annotations: await listAnnotations(
        ctx,
        me(req),
        idParam(req, 'id', new AppError('FORBIDDEN', 'you have no access to this project')),
        q,
      ),
    });
  });
  return r;
}
