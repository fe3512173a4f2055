"""The Label Studio ML-backend protocol served with the standard library, as label_studio_ml/api.py
serves it with Flask: GET /health (and GET /), POST /setup, POST /predict, POST /webhook, GET /metrics.

A model is an object with `model_version` (str), `predict(tasks, label_config) -> list` (one
prediction dict per task, in order: {"result": [...], "score": ..., "model_version": ...}; a model
whose predict also takes `context` gets `params.context` of interactive calls) and optionally
`fit(event, data) -> dict`. Media given as a relative path (`/data/...`) is fetched from
LABEL_STUDIO_URL with `Authorization: Token $LABEL_STUDIO_API_KEY`, as label_studio_ml's
get_local_path does; absolute URLs (Labelwork's signed image URLs) are fetched as they are.
"""

import argparse
import base64
import hmac
import inspect
import json
import os
import sys
import threading
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 32 * 1024 * 1024
MAX_MEDIA = 64 * 1024 * 1024
TRAIN_EVENTS = ('ANNOTATION_CREATED', 'ANNOTATION_UPDATED', 'ANNOTATION_DELETED', 'START_TRAINING')


def first_tag(label_config, control_tag, object_tag):
    """(from_name, to_name, value, label values) of the first `control_tag` pointing at an `object_tag`,
    like LabelStudioMLBase.get_first_tag_occurence; None when the config has none."""
    root = ET.fromstring(label_config)
    objects = {el.get('name'): el for el in root.iter() if el.tag == object_tag}
    for el in root.iter():
        if el.tag == control_tag and el.get('toName') in objects:
            obj = objects[el.get('toName')]
            labels = [child.get('value') for child in el if child.tag in ('Label', 'Choice')]
            return el.get('name'), el.get('toName'), (obj.get('value') or '').lstrip('$'), labels
    return None


class _Redirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # media URLs are signed: a redirect is not followed
        return None


_opener = urllib.request.build_opener(_Redirects)


def fetch_media(url, timeout=20):
    """Bytes of a task's media: an absolute URL as given, a relative one from LABEL_STUDIO_URL with the API token."""
    headers = {}
    if url.startswith('/'):
        base = os.environ.get('LABEL_STUDIO_URL', '').rstrip('/')
        if not base:
            raise ValueError(f'relative media path {url} but LABEL_STUDIO_URL is not set')
        url = base + url
        key = os.environ.get('LABEL_STUDIO_API_KEY')
        if key:
            headers['Authorization'] = f'Token {key}'
    if urllib.parse.urlparse(url).scheme not in ('http', 'https'):
        raise ValueError(f'unsupported media URL scheme: {url[:40]}')
    with _opener.open(urllib.request.Request(url, headers=headers), timeout=timeout) as r:
        data = r.read(MAX_MEDIA + 1)
    if len(data) > MAX_MEDIA:
        raise ValueError('media larger than the limit')
    return data


def serve(model, description):
    """Parses --host/--port (env HOST/PORT, default 127.0.0.1:9090) and serves `model` until stopped.
    Prints one line `listening on http://HOST:PORT` (port 0 picks a free port) once it accepts calls."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--host', default=os.environ.get('HOST', '127.0.0.1'))
    parser.add_argument('--port', type=int, default=int(os.environ.get('PORT', '9090')))
    args = parser.parse_args()
    basic = (os.environ.get('BASIC_AUTH_USER'), os.environ.get('BASIC_AUTH_PASS'))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'

        def log_message(self, fmt, *a):  # quiet: one line per error only
            pass

        def _send(self, status, body):
            raw = json.dumps(body, ensure_ascii=False).encode('utf-8')
            self.send_response(status)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _authorized(self):
            if not (basic[0] and basic[1]):
                return True
            h = self.headers.get('Authorization', '')
            if not h.startswith('Basic '):
                return False
            try:
                user, _, pw = base64.b64decode(h[6:]).decode('utf-8').partition(':')
            except Exception:
                return False
            return hmac.compare_digest(user, basic[0]) and hmac.compare_digest(pw, basic[1])

        def _json(self):
            n = int(self.headers.get('Content-Length') or 0)
            if n > MAX_BODY:
                raise ValueError('request body too large')
            return json.loads(self.rfile.read(n) or b'{}')

        def do_GET(self):
            if not self._authorized():
                return self._send(401, {'error': 'Unauthorized'})
            path = self.path.split('?', 1)[0]
            if path in ('/', '/health'):
                return self._send(200, {'status': 'UP', 'model_class': type(model).__name__, 'model_version': model.model_version})
            if path == '/metrics':
                return self._send(200, {})
            self._send(404, {'error': 'not found'})

        def do_POST(self):
            if not self._authorized():
                return self._send(401, {'error': 'Unauthorized'})
            path = self.path.split('?', 1)[0]
            try:
                data = self._json()
                if path == '/setup':
                    return self._send(200, {'model_version': model.model_version})
                if path == '/predict':
                    tasks = data.get('tasks') or []
                    # Interactive calls carry the annotator's smart-tool regions in params.context
                    # (LabelStudioMLBase.predict(tasks, context=...)); models that take no context ignore it.
                    context = (data.get('params') or {}).get('context')
                    if context and 'context' in inspect.signature(model.predict).parameters:
                        results = model.predict(tasks, data.get('label_config') or '', context=context)
                    else:
                        results = model.predict(tasks, data.get('label_config') or '')
                    return self._send(200, {'results': results})
                if path == '/webhook':
                    event = data.pop('action', None)
                    if event not in TRAIN_EVENTS:
                        return self._send(200, {'status': 'Unknown event'})
                    fit = getattr(model, 'fit', None)
                    with lock:
                        result = fit(event, data) if fit else {}
                    return self._send(201, {'result': result, 'status': 'ok'})
                self._send(404, {'error': 'not found'})
            except Exception as e:  # label_studio_ml's exception_handler answers 500 with the error
                print(f'[{type(model).__name__}] {path}: {type(e).__name__}: {e}', file=sys.stderr, flush=True)
                self._send(500, {'status': 'ERROR', 'error': f'{type(e).__name__}: {e}'})

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    print(f'listening on http://{args.host}:{server.server_address[1]}', flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
