"""A multi-object tracker: detections per frame are matched to tracks by IoU, tracks are smoothed.

Synthetic video: 24 objects move with constant velocities in a 640 x 480 frame;
each frame's detections (centre, width, height) are the true boxes with noise,
and some are missed (score below 0.3). `update_tracks` is the per-frame
tracker step, built from the small box helpers; the loop around it keeps
statistics in Python (visible area, speed, crowding) with the same helpers.
"""

import tensorflow as tf

from boxes import blend, box_area, box_centers, clip_to_image, pairwise_iou, xywh_to_xyxy

OBJECTS = 24
IMAGE_SIZE = tf.constant([640.0, 480.0, 640.0, 480.0])
SMOOTHING = tf.constant(0.6)
MIN_IOU = 0.3


def synthetic_detections(frames, seed):
    generator = tf.random.Generator.from_seed(seed)
    start = generator.uniform([OBJECTS, 2], [40.0, 40.0], [600.0, 440.0])
    velocity = generator.uniform([OBJECTS, 2], -2.0, 2.0)
    size = generator.uniform([OBJECTS, 2], 20.0, 60.0)
    time = tf.range(frames, dtype=tf.float32)[:, None, None]
    centers = start[None] + velocity[None] * time + generator.normal([frames, OBJECTS, 2])
    sizes = tf.broadcast_to(size[None], [frames, OBJECTS, 2]) + generator.normal([frames, OBJECTS, 2])
    scores = generator.uniform([frames, OBJECTS])
    return tf.concat([centers, sizes], axis=2), scores


def update_tracks(tracks, velocities, detections, scores):
    boxes = clip_to_image(xywh_to_xyxy(detections), IMAGE_SIZE)
    iou = pairwise_iou(tracks, boxes) * tf.cast(scores > 0.3, tf.float32)[None, :]
    best = tf.argmax(iou, axis=1)
    matched = tf.reduce_max(iou, axis=1) > MIN_IOU
    matched_boxes = tf.gather(boxes, best)
    predicted = tracks + tf.tile(velocities, [1, 2])
    new_tracks = tf.where(matched[:, None], blend(predicted, matched_boxes, SMOOTHING), predicted)
    moved = box_centers(new_tracks) - box_centers(tracks)
    new_velocities = tf.where(matched[:, None], blend(velocities, moved, SMOOTHING), velocities)
    return new_tracks, new_velocities, matched


#: How many video frames main() runs when not told (``steps``).
DEFAULT_STEPS = 400


def main(steps=None):
    frames = steps or DEFAULT_STEPS
    detections, scores = synthetic_detections(frames + 1, seed=1)
    tracks = clip_to_image(xywh_to_xyxy(detections[0]), IMAGE_SIZE)
    velocities = tf.zeros([OBJECTS, 2])
    lost_frames = 0
    crowded_frames = 0
    matches = 0
    areas = []
    speeds = []
    stream = tf.data.Dataset.from_tensor_slices((detections[1:], scores[1:]))
    for frame_detections, frame_scores in stream:
        previous = tracks
        tracks, velocities, matched = update_tracks(tracks, velocities, frame_detections, frame_scores)
        count = int(tf.reduce_sum(tf.cast(matched, tf.int32)))
        matches += count
        if count < OBJECTS // 2:
            lost_frames += 1
        visible = clip_to_image(tracks, IMAGE_SIZE)
        areas.append(float(tf.reduce_mean(box_area(visible))))
        speeds.append(float(tf.reduce_mean(tf.norm(box_centers(tracks) - box_centers(previous), axis=1))))
        overlap = pairwise_iou(visible, visible) - tf.eye(OBJECTS)
        if float(tf.reduce_max(overlap)) > 0.3:
            crowded_frames += 1
    return {"matches": matches, "lost_frames": lost_frames, "crowded_frames": crowded_frames,
            "mean_area": sum(areas) / len(areas), "mean_speed": sum(speeds) / len(speeds),
            "final_x": float(tf.reduce_mean(tracks[:, 0]))}


if __name__ == "__main__":
    print(main())
