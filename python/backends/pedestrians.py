"""Pedestrian boxes for the vehicles/pedestrians guideline: OpenCV's built-in HOG + linear SVM
people detector (Dalal & Triggs; the coefficients ship inside opencv-python-headless, nothing is
downloaded). Speaks Label Studio's ML-backend protocol; run `python python/backends/pedestrians.py --port 9090`.

Boxes go to the first RectangleLabels control on an Image, labelled `pedestrian` (the guideline's
label; else the first label whose name contains "person" or "pedestrian"). Coordinates are percent
of the image; a box's score is the SVM margin squashed to (0, 1); the task's score is the mean.

Interactive: with `params.context` (an annotator's rough `rectanglelabels` box or positive
`keypointlabels` point, Label Studio's smart-tool shape) the detector runs on an enlarged crop
around the hint, upscaled so a figure fills HOG's 64 x 128 window, and answers the one detection
that best matches the hint (highest IoU with the box; for a point, the strongest box containing
it), or nothing when the model finds no person there.
"""

import math
import os
import sys

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ls_protocol import fetch_media, first_tag, serve  # noqa: E402

MAX_SIDE = 800  # detection runs on a copy at most this wide or high; percent coordinates do not change


def _iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


class PedestrianHog:
    def __init__(self):
        self.model_version = f'hog-people-opencv-{cv2.__version__}'
        self.hog = cv2.HOGDescriptor()
        self.hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())

    def _label(self, labels):
        for want in ('pedestrian', 'person', 'people'):
            for label in labels:
                if label.lower() == want:
                    return label
        for label in labels:
            if 'pedestrian' in label.lower() or 'person' in label.lower():
                return label
        return None

    @staticmethod
    def _decode(image_bytes):
        img = cv2.imdecode(np.frombuffer(image_bytes, dtype=np.uint8), cv2.IMREAD_COLOR)
        if img is None:
            raise ValueError('the image could not be decoded')
        return img

    def detect(self, image_bytes):
        img = self._decode(image_bytes)
        h, w = img.shape[:2]
        scale = min(1.0, MAX_SIDE / max(h, w))
        small = cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale)))) if scale < 1 else img
        sh, sw = small.shape[:2]
        if sh < 128 or sw < 64:  # smaller than the detector's window: nothing to find
            return []
        rects, weights = self.hog.detectMultiScale(small, winStride=(8, 8), padding=(8, 8), scale=1.05)
        out = []
        for (x, y, bw, bh), wt in zip(rects, np.asarray(weights).reshape(-1)):
            x0, y0 = max(0, x), max(0, y)
            x1, y1 = min(sw, x + bw), min(sh, y + bh)
            if x1 <= x0 or y1 <= y0:
                continue
            score = 1 / (1 + math.exp(-float(wt)))
            out.append((float(x0) / sw * 100, y0 / sh * 100, (x1 - x0) / sw * 100, (y1 - y0) / sh * 100, score))
        return out

    def _hint(self, context, w, h):
        """The first usable hint of a context, in pixels: ('box', x0, y0, x1, y1) or ('point', x, y)."""
        for r in (context or {}).get('result') or []:
            v = r.get('value') or {}
            if r.get('is_positive') is False or 'x' not in v or 'y' not in v:
                continue
            # Percent of the image the hint was drawn on (original_width/height), as the SAM examples read it.
            x, y = float(v['x']) / 100 * w, float(v['y']) / 100 * h
            if r.get('type') == 'rectanglelabels' and 'width' in v and 'height' in v:
                return ('box', x, y, x + float(v['width']) / 100 * w, y + float(v['height']) / 100 * h)
            if r.get('type') == 'keypointlabels':
                return ('point', x, y)
        return None

    def detect_near(self, img, hint):
        """HOG on an enlarged, upscaled crop around the hint; the detection that best matches it, in
        full-image pixels (x0, y0, x1, y1, weight), or None."""
        h, w = img.shape[:2]
        if hint[0] == 'box':
            _, x0, y0, x1, y1 = hint
            bw, bh = max(8.0, x1 - x0), max(8.0, y1 - y0)
            cx0, cy0, cx1, cy1 = x0 - 0.6 * bw, y0 - 0.35 * bh, x1 + 0.6 * bw, y1 + 0.35 * bh
        else:
            _, px, py = hint
            # A standing person around the point: up to half the image tall, a 1:2 window.
            ph = max(140.0, 0.6 * h)
            cx0, cy0, cx1, cy1 = px - 0.5 * ph, py - 0.75 * ph, px + 0.5 * ph, py + 0.75 * ph
        cx0, cy0 = int(max(0, math.floor(cx0))), int(max(0, math.floor(cy0)))
        cx1, cy1 = int(min(w, math.ceil(cx1))), int(min(h, math.ceil(cy1)))
        if cx1 - cx0 < 8 or cy1 - cy0 < 8:
            return None
        crop = img[cy0:cy1, cx0:cx1]
        # Upscale small crops so a figure inside is at least HOG's 128-pixel window tall (at most 4x),
        # and downscale large ones to MAX_SIDE.
        ch, cw = crop.shape[:2]
        s = min(4.0, max(1.0, 256 / ch, 128 / cw))
        s = min(s, MAX_SIDE / max(ch, cw)) if max(ch, cw) * s > MAX_SIDE else s
        if s != 1.0:
            crop = cv2.resize(crop, (max(1, round(cw * s)), max(1, round(ch * s))), interpolation=cv2.INTER_LINEAR)
        if crop.shape[0] < 128 or crop.shape[1] < 64:
            return None
        rects, weights = self.hog.detectMultiScale(crop, winStride=(8, 8), padding=(16, 16), scale=1.05)
        best, best_key = None, None
        for (x, y, bw2, bh2), wt in zip(rects, np.asarray(weights).reshape(-1)):
            d = (cx0 + x / s, cy0 + y / s, cx0 + (x + bw2) / s, cy0 + (y + bh2) / s, float(wt))
            d = (max(0.0, d[0]), max(0.0, d[1]), min(float(w), d[2]), min(float(h), d[3]), d[4])
            if d[2] <= d[0] or d[3] <= d[1]:
                continue
            if hint[0] == 'box':
                key = (_iou(d, hint[1:]), d[4])
                if key[0] <= 0.05:
                    continue
            else:
                if not (d[0] <= hint[1] <= d[2] and d[1] <= hint[2] <= d[3]):
                    continue
                key = (d[4], -(d[2] - d[0]) * (d[3] - d[1]))
            if best_key is None or key > best_key:
                best, best_key = d, key
        return best

    def predict(self, tasks, label_config, context=None):
        tag = first_tag(label_config, 'RectangleLabels', 'Image')
        if context and context.get('result'):
            return [self._predict_interactive(task, tag, context) for task in tasks]
        results = []
        for task in tasks:
            if not tag:
                results.append({'result': [], 'model_version': self.model_version})
                continue
            from_name, to_name, value, labels = tag
            label = self._label(labels)
            url = (task.get('data') or {}).get(value)
            if not label or not url:
                results.append({'result': [], 'model_version': self.model_version})
                continue
            boxes = self.detect(fetch_media(url))
            regions = [
                {
                    'from_name': from_name,
                    'to_name': to_name,
                    'type': 'rectanglelabels',
                    'value': {'x': x, 'y': y, 'width': bw, 'height': bh, 'rotation': 0, 'rectanglelabels': [label]},
                    'score': s,
                }
                for x, y, bw, bh, s in boxes
            ]
            score = sum(r['score'] for r in regions) / len(regions) if regions else None
            results.append({'result': regions, 'score': score, 'model_version': self.model_version})
        return results

    def _predict_interactive(self, task, tag, context):
        empty = {'result': [], 'model_version': self.model_version}
        if not tag:
            return empty
        from_name, to_name, value, labels = tag
        label = self._label(labels)
        url = (task.get('data') or {}).get(value)
        if not label or not url:
            return empty
        img = self._decode(fetch_media(url))
        h, w = img.shape[:2]
        hint = self._hint(context, w, h)
        if not hint:
            return empty
        found = self.detect_near(img, hint)
        if not found:
            return empty
        x0, y0, x1, y1, wt = found
        score = 1 / (1 + math.exp(-wt))
        region = {
            'from_name': from_name,
            'to_name': to_name,
            'type': 'rectanglelabels',
            'original_width': w,
            'original_height': h,
            'value': {
                'x': x0 / w * 100,
                'y': y0 / h * 100,
                'width': (x1 - x0) / w * 100,
                'height': (y1 - y0) / h * 100,
                'rotation': 0,
                'rectanglelabels': [label],
            },
            'score': score,
        }
        return {'result': [region], 'score': score, 'model_version': self.model_version}

    def fit(self, event, data):
        # The HOG detector is fixed; the webhook is acknowledged, as label_studio_ml's default fit() does.
        return {'event': event, 'trained': False}


if __name__ == '__main__':
    serve(PedestrianHog(), 'Pedestrian detector (OpenCV HOG) speaking the Label Studio ML-backend protocol')
