"""Bounding-box helpers for the tracker, each a few tensor ops.

Several were decorated with @tf.function one by one, "to make them fast".
"""

import tensorflow as tf


@tf.function
def xywh_to_xyxy(boxes):
    centers, sizes = boxes[:, :2], boxes[:, 2:]
    return tf.concat([centers - sizes / 2.0, centers + sizes / 2.0], axis=1)


@tf.function
def clip_to_image(boxes, size):
    return tf.clip_by_value(boxes, 0.0, size)


def box_area(boxes):
    return tf.maximum(boxes[:, 2] - boxes[:, 0], 0.0) * tf.maximum(boxes[:, 3] - boxes[:, 1], 0.0)


@tf.function
def pairwise_iou(boxes_a, boxes_b):
    top_left = tf.maximum(boxes_a[:, None, :2], boxes_b[None, :, :2])
    bottom_right = tf.minimum(boxes_a[:, None, 2:], boxes_b[None, :, 2:])
    overlap = tf.reduce_prod(tf.maximum(bottom_right - top_left, 0.0), axis=2)
    union = box_area(boxes_a)[:, None] + box_area(boxes_b)[None, :] - overlap
    return overlap / (union + 1e-9)


def box_centers(boxes):
    return (boxes[:, :2] + boxes[:, 2:]) / 2.0


@tf.function
def blend(old, new, weight):
    return weight * new + (1.0 - weight) * old
