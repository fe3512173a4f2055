"""Chinese person, place and organisation names for the Chinese NER guideline: jieba's part-of-
speech tagger (its dictionary ships inside the package), `nr` → PER, `ns` → LOC, `nt` → ORG.
Speaks Label Studio's ML-backend protocol; run `python python/backends/chinese_ner.py --port 9091`.

Offsets are Unicode code points (Python's str indexes), as Label Studio and Labelwork count them.
It learns online: an ANNOTATION_CREATED/UPDATED webhook adds the annotated PER/LOC/ORG spans to
jieba's dictionary with their tags, and the model version counts the learned words.
"""

import logging
import os
import sys

import jieba
import jieba.posseg as pseg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ls_protocol import first_tag, serve  # noqa: E402

jieba.setLogLevel(logging.WARNING)
TAG_TO_LABEL = {'nr': 'PER', 'ns': 'LOC', 'nt': 'ORG'}
LABEL_TO_TAG = {v: k for k, v in TAG_TO_LABEL.items()}


class ChineseNer:
    def __init__(self):
        self.learned = set()
        jieba.initialize()

    @property
    def model_version(self):
        return f'jieba-{jieba.__version__}-posseg+{len(self.learned)}'

    def entities(self, text):
        """(start, end, label, word) with code-point offsets, end exclusive."""
        out, pos = [], 0
        for pair in pseg.cut(text, HMM=True):
            word, flag = pair.word, pair.flag
            start, pos = pos, pos + len(word)
            label = TAG_TO_LABEL.get(flag)
            if label and word.strip() and len(word) > 1:
                out.append((start, pos, label, word))
        return out

    def predict(self, tasks, label_config):
        tag = first_tag(label_config, 'Labels', 'Text')
        results = []
        for task in tasks:
            text = (task.get('data') or {}).get(tag[2] if tag else 'text')
            if not tag or not isinstance(text, str):
                results.append({'result': [], 'model_version': self.model_version})
                continue
            from_name, to_name, _, labels = tag
            regions = [
                {
                    'from_name': from_name,
                    'to_name': to_name,
                    'type': 'labels',
                    'value': {'start': s, 'end': e, 'text': word, 'labels': [label]},
                }
                for s, e, label, word in self.entities(text)
                if label in labels
            ]
            results.append({'result': regions, 'model_version': self.model_version})
        return results

    def fit(self, event, data):
        if event not in ('ANNOTATION_CREATED', 'ANNOTATION_UPDATED'):
            return {'event': event, 'learned': len(self.learned), 'model_version': self.model_version}
        text = ((data.get('task') or {}).get('data') or {}).get('text') or ''
        added = 0
        for r in (data.get('annotation') or {}).get('result') or []:
            v = r.get('value') or {}
            labels = v.get('labels') or []
            tag = LABEL_TO_TAG.get(labels[0]) if labels else None
            start, end = v.get('start'), v.get('end')
            if tag and isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
                word = text[start:end]
                if (word, tag) not in self.learned:
                    jieba.add_word(word, freq=100000, tag=tag)
                    self.learned.add((word, tag))
                    added += 1
        return {'event': event, 'added': added, 'learned': len(self.learned), 'model_version': self.model_version}


if __name__ == '__main__':
    serve(ChineseNer(), 'Chinese names (jieba posseg) speaking the Label Studio ML-backend protocol')
