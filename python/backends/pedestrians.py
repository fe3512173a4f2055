"""Pedestrian boxes for the vehicles/pedestrians guideline: OpenCV's built-in HOG + linear SVM
people detector (Dalal & Triggs; the coefficients ship inside opencv-python-headless, nothing is
downloaded). Speaks Label Studio's ML-backend protocol; run `python python/backends/pedestrians.py --port 9090`.

Boxes go to the first RectangleLabels control on an Image, labelled `pedestrian` (the guideline's
label; else the first label whose name contains "person" or "pedestrian"). Coordinates are percent
of the image; a box's score is the SVM margin squashed to (0, 1); the task's score is the mean.
"""

import math
import os
import sys

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ls_protocol import fetch_media, first_tag, serve  # noqa: E402

MAX_SIDE = 800  # detection runs on a copy at most this wide or high; percent coordinates do not change


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

    def detect(self, image_bytes):
        img = cv2.imdecode(np.frombuffer(image_bytes, dtype=np.uint8), cv2.IMREAD_COLOR)
        if img is None:
            raise ValueError('the image could not be decoded')
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

    def predict(self, tasks, label_config):
        tag = first_tag(label_config, 'RectangleLabels', 'Image')
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

    def fit(self, event, data):
        # The HOG detector is fixed; the webhook is acknowledged, as label_studio_ml's default fit() does.
        return {'event': event, 'trained': False}


if __name__ == '__main__':
    serve(PedestrianHog(), 'Pedestrian detector (OpenCV HOG) speaking the Label Studio ML-backend protocol')
