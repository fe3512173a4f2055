import { Router } from 'express';
import { z } from 'zod';
import { MembersInput, ProjectInput, ProjectPatch } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { idParam, me, parseBody, requireAuth, requireRole } from '../../http/middleware.ts';
import { loadProject } from '../access/index.ts';
import { labelUsage } from './projects.labels.ts';
import { projectLeads } from './projects.leads.ts';
import { addMembers, createProject, listProjects, removeMember, setProjectStatus, toProject, updateProject } from './projects.service.ts';

const StatusQuery = z.object({ status: z.enum(['active', 'archived', 'all']).default('active') });
const forbidden = () => new AppError('FORBIDDEN', 'you have no access to this project');

export function projectsRoutes(ctx: AppContext): Router {
  const r = Router();
  r.use(requireAuth);
  r.get('/', async (req, res) => {
    const { status } = parseBody(StatusQuery, req.query);
    res.json({ projects: await listProjects(ctx, me(req), status) });
  });
  r.post('/', requireRole('admin', 'lead'), async (req, res) => {
    res.status(201).json({ project: await createProject(ctx, me(req), parseBody(ProjectInput, req.body)) });
  });
  r.get('/:id', async (req, res) => {
    res.json({ project: toProject(await loadProject(ctx, me(req), idParam(req, 'id', forbidden()), 'view')) });
  });
  r.get('/:id/label-usage', requireRole('admin', 'lead'), async (req, res) => {
    res.json({ labels: await labelUsage(ctx, me(req), idParam(req, 'id', forbidden())) });
  });
  r.get('/:id/leads', async (req, res) => {
    res.json({ leads: await projectLeads(ctx, me(req), idParam(req, 'id', forbidden())) });
  });
  r.patch('/:id', requireRole('admin', 'lead'), async (req, res) => {
    res.json({ project: await updateProject(ctx, me(req), idParam(req, 'id', forbidden()), parseBody(ProjectPatch, req.body)) });
  });
  r.post('/:id/archive', requireRole('admin', 'lead'), async (req, res) => {
    res.json({ project: await setProjectStatus(ctx, me(req), idParam(req, 'id', forbidden()), 'archived') });
  });
  r.post('/:id/unarchive', requireRole('admin', 'lead'), async (req, res) => {
    res.json({ project: await setProjectStatus(ctx, me(req), idParam(req, 'id', forbidden()), 'active') });
  });
  r.put('/:id/members', requireRole('admin', 'lead'), async (req, res) => {
    const { userIds } = parseBody(MembersInput, req.body);
    res.json({ project: await addMembers(ctx, me(req), idParam(req, 'id', forbidden()), userIds) });
  });
  r.delete('/:id/members/:userId', requireRole('admin', 'lead'), async (req, res) => {
    const memberId = idParam(req, 'userId', new AppError('NOT_FOUND', 'no such member'));
    res.json({ project: await removeMember(ctx, me(req), idParam(req, 'id', forbidden()), memberId) });
  });
  return r;
}
