"""Loads a COCO file with pycocotools (the ecosystem's reader) and prints what it sees as one JSON object.

Used by tests/integration/ecosystem-readers.test.ts to check Labelwork's COCO export: images (with and
without annotations), categories with keypoints and skeletons, annotations with their boxes, the
pixel area of their masks (annToMask) and their labelled keypoint counts.
"""

import json
import sys

from pycocotools.coco import COCO


def main(path: str) -> None:
    coco = COCO(path)
    images = []
    for img_id in sorted(coco.getImgIds()):
        img = coco.loadImgs(img_id)[0]
        anns = []
        for ann in coco.loadAnns(coco.getAnnIds(imgIds=[img_id], iscrowd=None)):
            seg = ann.get("segmentation")
            mask_area = int(coco.annToMask(ann).sum()) if seg else None
            kps = ann.get("keypoints")
            anns.append(
                {
                    "id": ann["id"],
                    "category_id": ann["category_id"],
                    "bbox": ann["bbox"],
                    "area": ann["area"],
                    "iscrowd": ann["iscrowd"],
                    "mask_area": mask_area,
                    "num_keypoints": ann.get("num_keypoints"),
                    "labelled_keypoints": None if kps is None else sum(1 for v in kps[2::3] if v > 0),
                    "keypoint_triplets": None if kps is None else len(kps) // 3,
                }
            )
        images.append({"id": img_id, "file_name": img["file_name"], "width": img["width"], "height": img["height"], "annotations": anns})
    categories = [
        {"id": c["id"], "name": c["name"], "keypoints": c.get("keypoints"), "skeleton": c.get("skeleton")}
        for c in coco.loadCats(coco.getCatIds())
    ]
    print(json.dumps({"images": images, "categories": categories, "annotation_count": len(coco.getAnnIds())}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
