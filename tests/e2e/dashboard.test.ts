import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, newContext, screenshot, signIn } from '../support/browser.ts';
import { setUpProject, signedInUser } from '../support/project-setup.ts';

/**
 * The lead's dashboard beyond the tiles: label confusion matrices (between annotators and against
 * consensus, per annotator), the per-annotator page with its history, and outliers linking to the
 * items behind the number. Five annotators label a single-class text project with overlap 2; one of
 * them always picks the other class and takes twelve times as long, which makes them an outlier.
 * Everything is set up through the API; expected counts come from what the test itself submitted.
 */
const url = inject('appUrl');
const run = randomUUID().slice(0, 6);
const schema = {
  labels: [
    { name: 'pos', color: '#3cb44b', hotkey: 'p', tool: 'class-single' },
    { name: 'neg', color: '#e6194b', hotkey: 'n', tool: 'class-single' },
    { name: '中性', color: '#4363d8', hotkey: 'm', tool: 'class-single' },
  ],
};
const ITEMS = 16;
/** The odd annotator's items: more than the ten an outlier lists before "and N more". */
const ODD_ITEMS = 12;

interface Person {
  id: string;
  name: string;
  api: ApiClient;
}
interface Submitted {
  userId: string;
  itemId: string;
  label: string;
}

let browser: Browser;
let lead: Person;
let goods: Person[];
let odd: Person;
let projectId = '';
let spanProjectId = '';
const submitted: Submitted[] = [];
let page: Page;

async function user(admin: ApiClient, name: string, role: string, lang = 'zh-CN'): Promise<Person> {
  const u = await signedInUser(admin, { name, role, level: role === 'lead' ? 'L2' : 'L4', lang });
  return { id: u.id, name, api: u.client };
}

/** Draws and submits one task; the good annotators answer what the text says, the odd one the opposite. Null when nothing is left for them. */
async function annotateOne(p: Person, contrary: boolean, durationMs: number): Promise<Submitted | null> {
  const n = await p.api.post(`/api/projects/${projectId}/tasks/next`);
  if (n.status === 404) return null;
  if (n.status !== 200) throw new Error(`next: ${JSON.stringify(n.body)}`);
  const truth = (n.body.task.item.text as string).includes('好') ? 'pos' : 'neg';
  const label = contrary ? (truth === 'pos' ? 'neg' : 'pos') : truth;
  const s = await p.api.post(`/api/tasks/${n.body.task.leaseId}/submit`, {
    submissionId: randomUUID().replace(/-/g, ''),
    durationMs,
    regions: [{ id: 'c', type: 'class', label }],
  });
  if (s.status !== 201) throw new Error(`submit: ${JSON.stringify(s.body)}`);
  const row = { userId: p.id, itemId: n.body.task.item.id as string, label };
  submitted.push(row);
  return row;
}

type Matrix = Record<string, Record<string, number>>;
const bump = (m: Matrix, a: string, b: string) => ((m[a] ??= {})[b] = (m[a]![b] ?? 0) + 1);

/** What the matrices must show, from the test's own submissions (two annotators per item; a tie has no consensus). */
function expected(): { between: Matrix; vsConsensus: Matrix; by: Record<string, Matrix> } {
  const between: Matrix = {};
  const vsConsensus: Matrix = {};
  const by: Record<string, Matrix> = {};
  const perItem = new Map<string, Submitted[]>();
  for (const s of submitted) perItem.set(s.itemId, [...(perItem.get(s.itemId) ?? []), s]);
  for (const [, [a, b]] of perItem) {
    bump(between, a!.label, b!.label);
    bump(between, b!.label, a!.label);
    if (a!.label === b!.label) {
      for (const s of [a!, b!]) {
        bump(vsConsensus, s.label, a!.label);
        bump((by[s.userId] ??= {}), s.label, a!.label);
      }
    }
  }
  return { between, vsConsensus, by };
}

async function cells(p: Page, table: string): Promise<Matrix> {
  const m: Matrix = {};
  for (const c of await p.locator(`[data-testid=${table}] [data-testid=confusion-cell]`).all()) {
    const v = Number(await c.getAttribute('data-value'));
    expect(await c.textContent()).toBe(String(v));
    if (v) (m[(await c.getAttribute('data-row'))!] ??= {})[(await c.getAttribute('data-col'))!] = v;
  }
  return m;
}

beforeAll(async () => {
  const admin = new ApiClient(url);
  await admin.login('admin', inject('adminPassword'));
  lead = await user(admin, `dlead-${run}`, 'lead', 'zh-CN');
  goods = await Promise.all([0, 1, 2, 3].map((i) => user(admin, `good${i}-${run}`, 'annotator')));
  odd = await user(admin, `odd-${run}`, 'annotator');
  const lines = Array.from({ length: ITEMS }, (_, i) =>
    JSON.stringify({ id: `r${i}`, text: i % 2 === 0 ? `第 ${i} 条：服务很好` : `第 ${i} 条：体验很差` }),
  );
  projectId = await setUpProject(lead.api, {
    name: `看板 ${run}`,
    kind: 'text',
    labelSchema: schema,
    overlap: 2,
    members: [...goods, odd].map((u) => u.id),
    text: { name: 'reviews.jsonl', data: lines.join('\n') },
    queue: true,
  });

  // The odd annotator takes twelve items first (60 s each), then the four others take turns
  // (4–6 s each) until the queue is empty: every item ends with two different annotators.
  for (let i = 0; i < ODD_ITEMS; i++) expect(await annotateOne(odd, true, 60_000)).not.toBeNull();
  for (let active = [...goods]; active.length;) {
    const still: Person[] = [];
    for (const g of active) if (await annotateOne(g, false, [4000, 5000, 5000, 6000][goods.indexOf(g)]!)) still.push(g);
    active = still;
  }
  expect(submitted).toHaveLength(ITEMS * 2);

  // The quality worker completes every item; the (debounced) project agreement sees them all.
  for (let deadline = Date.now() + 90_000; ;) {
    const d = (await lead.api.get(`/api/projects/${projectId}/dashboard`)).body;
    if (d.progress.done === ITEMS && d.pairs.reduce((s: number, x: { items: number }) => s + x.items, 0) === ITEMS) break;
    if (Date.now() > deadline) throw new Error(`items not completed: ${JSON.stringify(d.progress)}`);
    await new Promise((r) => setTimeout(r, 500));
  }

  // A project with span labels only: nothing to confuse.
  const sp = await lead.api.post('/api/projects', {
    name: `实体 ${run}`,
    kind: 'text',
    labelSchema: { labels: [{ name: 'PER', color: '#e6194b', tool: 'span' }] },
    overlap: 1,
    goldRate: 0,
    minLevel: 'L5',
  });
  spanProjectId = sp.body.project.id;

  browser = await launchBrowser();
  page = await (await newContext(browser, url, 'zh-CN')).newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  await signIn(page, lead.name, `${lead.name}-password`);
}, 240_000);
afterAll(async () => {
  await browser?.close();
});

describe('lead dashboard: confusion, annotator page, outliers', () => {
  it('shows the label confusion between annotators and against consensus, in the right cells (zh-CN)', async () => {
    const want = expected();
    await page.goto(`/projects/${projectId}/dashboard`);
    await page.getByTestId('confusion-between').waitFor();
    // Schema label names head the rows and columns, in schema order.
    expect(
      await page
        .locator('[data-testid=confusion-between] thead th[data-label]')
        .evaluateAll((ths) => ths.map((th) => th.getAttribute('data-label'))),
    ).toEqual(['pos', 'neg', '中性']);
    expect(await page.locator('[data-testid=confusion-between] thead th[data-label="中性"]').textContent()).toBe('中性');
    expect(await cells(page, 'confusion-between')).toEqual(want.between);
    expect(await page.locator('[data-testid=confusion-between] [data-testid=confusion-total]').getAttribute('data-value')).toBe(
      String(ITEMS * 2),
    );
    // Symmetric, so row totals equal column totals.
    for (const l of ['pos', 'neg']) {
      const row = await page
        .locator(`[data-testid=confusion-between] [data-testid=confusion-row-total][data-row="${l}"]`)
        .getAttribute('data-value');
      expect(
        await page.locator(`[data-testid=confusion-between] [data-testid=confusion-col-total][data-col="${l}"]`).getAttribute('data-value'),
      ).toBe(row);
    }
    // The odd annotator's twelve items are all disagreements; the four items two good annotators shared are the diagonal.
    const diagonal = (want.between.pos?.pos ?? 0) + (want.between.neg?.neg ?? 0);
    expect(diagonal).toBe((ITEMS - ODD_ITEMS) * 2);
    expect(await page.locator('[data-testid=confusion-between] .is-diagonal').count()).toBe(3);
    expect(await page.getByTestId('dashboard-confusion').textContent()).toContain('矩阵是对称的');

    // Against consensus: only items with a consensus (both agreed) count.
    expect(await cells(page, 'confusion-consensus')).toEqual(want.vsConsensus);
    // One annotator at a time: a good one has their agreed items; the odd one has none.
    const g = goods.find((u) => want.by[u.id])!;
    await page.getByTestId('confusion-annotator').selectOption(g.id);
    await expect.poll(() => cells(page, 'confusion-consensus')).toEqual(want.by[g.id]);
    await page.getByTestId('confusion-annotator').selectOption(odd.id);
    await page.getByTestId('confusion-consensus-empty').waitFor();
    expect(await page.getByTestId('confusion-consensus-empty').textContent()).toContain(odd.name);
    await page.getByTestId('confusion-annotator').selectOption('');
    await page.getByTestId('confusion-consensus').waitFor();

    // Heatmap cells say which pair and over how many items.
    const cell = page.locator(`[data-testid=heatmap-cell][data-a="${odd.id}"]`).first();
    expect(await cell.getAttribute('title')).toMatch(new RegExp(`^${odd.name} × .+（${await cell.getAttribute('data-items')} 个条目）$`));

    // The matrices at the top of the screen, below the sticky header.
    await page
      .getByTestId('dashboard-confusion')
      .evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 60));
    await page.waitForTimeout(200);
    await screenshot(page, 'dashboard-confusion-zh');
  });

  it("opens an annotator's page from the table with their history, newest first (en)", async () => {
    await page.getByTestId('lang-en').click();
    await page.getByTestId('dashboard-annotators').waitFor();
    await page.locator(`[data-testid=annotator-row][data-user-id="${odd.id}"] [data-testid=annotator-link]`).click();
    await page.waitForURL(`**/projects/${projectId}/dashboard/annotators/${odd.id}`);
    await page.getByTestId('annotator-history').waitFor();
    expect(await page.getByTestId('annotator-name').textContent()).toBe(odd.name);
    expect(await page.getByTestId('annotator-fig-submitted').getAttribute('data-value')).toBe(String(ODD_ITEMS));
    expect(await page.getByTestId('annotator-fig-secondsPerItem').getAttribute('data-value')).toBe('60');
    expect(await page.getByTestId('annotator-fig-secondsPerItem').textContent()).toContain('team median 5');
    expect(await page.getByTestId('annotator-fig-secondsPerItem').getAttribute('data-outlier')).toBe('true');
    expect(await page.getByTestId('annotator-fig-submitted').getAttribute('data-outlier')).toBeNull();
    // Their items, newest first, each linking to the lead's item view.
    const mine = submitted
      .filter((s) => s.userId === odd.id)
      .map((s) => s.itemId)
      .reverse();
    const rows = page.getByTestId('history-row');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-item-id')))).toEqual(mine);
    expect(await page.getByTestId('history-item-link').first().getAttribute('href')).toBe(`/projects/${projectId}/items/${mine[0]}`);
    expect(await rows.first().textContent()).toContain('60 s');
    expect(await rows.first().textContent()).toMatch(/#\d+ r\d+/);
    expect(await page.getByTestId('annotator-activity').getAttribute('data-total')).toBe(String(ODD_ITEMS));
    await page.getByTestId('annotator-per-day').locator('canvas').first().waitFor();
    // Every colleague they shared items with, and their choices against consensus (none: every item was a tie).
    expect(await page.locator('[data-testid=annotator-pairs] tbody tr').count()).toBe(
      new Set(submitted.filter((s) => mine.includes(s.itemId) && s.userId !== odd.id).map((s) => s.userId)).size,
    );
    expect(await page.getByTestId('annotator-watch').getAttribute('href')).toBe(`/projects/${projectId}/watch/${odd.id}`);
    await page.waitForTimeout(200);
    await screenshot(page, 'annotator-page-en');
    // And back to the dashboard tab.
    await page.getByTestId('annotator-back-button').click();
    await page.waitForURL(`**/projects/${projectId}/dashboard`);
    await page.getByTestId('dashboard').waitFor();
  });

  it('links an outlier to its annotator and to the items behind the number', async () => {
    const outlier = page.locator(`[data-testid=outlier][data-user-id="${odd.id}"][data-figure=secondsPerItem]`);
    await outlier.waitFor();
    expect(await outlier.textContent()).toContain('60 s');
    const links = outlier.getByTestId('outlier-item');
    expect(await links.count()).toBe(10);
    expect(await outlier.getByTestId('outlier-more').getAttribute('data-value')).toBe(String(ODD_ITEMS - 10));
    expect(await outlier.getByTestId('outlier-more').textContent()).toBe('and 2 more');
    const oddItems = new Set(submitted.filter((s) => s.userId === odd.id).map((s) => s.itemId));
    const ids = await links.evaluateAll((as) => as.map((a) => a.getAttribute('data-item-id')));
    for (const id of ids) expect(oddItems.has(id!)).toBe(true);
    // Each link reads as the item's number in the project.
    for (const text of await links.allTextContents()) expect(text).toMatch(/^#\d+$/);
    // The item view opened from the link shows that item.
    expect(await outlier.getByTestId('outlier-user').getAttribute('href')).toBe(`/projects/${projectId}/dashboard/annotators/${odd.id}`);
    await links.first().click();
    await page.waitForURL(`**/projects/${projectId}/items/${ids[0]}`);
    expect(new URL(page.url()).pathname).toBe(`/projects/${projectId}/items/${ids[0]}`);
    await page.getByTestId('item-view').waitFor();
    expect(await page.getByTestId('item-page').getAttribute('data-item-id')).toBe(ids[0]);
    await page.goBack();
  });

  it('says so when a project has no single-class labels', async () => {
    await page.goto(`/projects/${spanProjectId}/dashboard`);
    const empty = page.locator('[data-testid=confusion-empty][data-reason=no-class-labels]');
    await empty.waitFor();
    expect(await empty.textContent()).toContain('no single-choice class labels');
  });
});
