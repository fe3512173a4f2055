import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Label Studio ML backend written only from the protocol (GET /health → {status: "UP"}, POST /setup
 * → {model_version}, POST /predict → {results: [...] one per task}, POST /webhook → 201), with no
 * Labelwork code: it reads the tag names from the label config XML with a regular expression and
 * answers one box per image task (or one span per text task). `behave` lets a test make it
 * misbehave (garbage, redirect, huge, slow). Every request is recorded with its headers.
 */
export interface MinimalBackend {
  url: string;
  requests: { method: string; path: string; headers: IncomingHttpHeaders; body: unknown }[];
  behave: (
    path: string,
    body: unknown,
  ) => { status?: number; headers?: Record<string, string>; raw?: string | Buffer; json?: unknown; delayMs?: number } | null;
  close(): Promise<void>;
}

function defaultReply(path: string, body: any): unknown {
  if (path === '/health') return { status: 'UP', model_class: 'Minimal' };
  if (path === '/setup') return { model_version: 'minimal-1' };
  if (path === '/webhook') return { status: 'ok' };
  if (path !== '/predict') return null;
  const xml: string = body.label_config ?? '';
  const rect = /<RectangleLabels name="([^"]+)" toName="([^"]+)">\s*<Label value="([^"]+)"/.exec(xml);
  const span = /<Labels name="([^"]+)" toName="([^"]+)">\s*<Label value="([^"]+)"/.exec(xml);
  return {
    results: (body.tasks as { id: number; data: { text?: string } }[]).map((t) => {
      if (rect)
        return {
          result: [
            {
              from_name: rect[1],
              to_name: rect[2],
              type: 'rectanglelabels',
              value: { x: 10, y: 20, width: 30, height: 40, rectanglelabels: [rect[3]] },
              score: 0.5,
            },
          ],
          score: (t.id % 10) / 10,
          model_version: 'minimal-1',
        };
      if (span && t.data.text && [...t.data.text].length >= 2)
        return {
          result: [{ from_name: span[1], to_name: span[2], type: 'labels', value: { start: 0, end: 2, labels: [span[3]] } }],
          score: (t.id % 10) / 10,
          model_version: 'minimal-1',
        };
      return { result: [], model_version: 'minimal-1' };
    }),
  };
}

export async function startMinimalBackend(port = 0): Promise<MinimalBackend> {
  const requests: MinimalBackend['requests'] = [];
  const mb = { url: '', requests, behave: () => null } as unknown as MinimalBackend;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = text;
      }
      const path = (req.url ?? '/').split('?')[0]!;
      requests.push({ method: req.method ?? '', path, headers: req.headers, body });
      const custom = mb.behave(path, body);
      const send = () => {
        if (custom?.raw !== undefined || custom?.json !== undefined || custom?.status !== undefined) {
          res.writeHead(custom.status ?? 200, { 'content-type': 'application/json', ...custom.headers });
          res.end(custom.raw ?? JSON.stringify(custom.json ?? {}));
          return;
        }
        const reply = defaultReply(path, body);
        if (reply === null) return void res.writeHead(404).end();
        res.writeHead(path === '/webhook' ? 201 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
      };
      if (custom?.delayMs) setTimeout(send, custom.delayMs);
      else send();
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  mb.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mb.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return mb;
}
