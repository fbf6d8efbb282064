"""Per-image augmentation for tf.data (runs inside Dataset.map) and batch MixUp."""

import tensorflow as tf

IMAGE_SIZE = 32
PADDED = 36


def augment(image, label, seed):
    seeds = tf.random.experimental.stateless_split(seed, num=4)
    image = tf.image.resize_with_crop_or_pad(image, PADDED, PADDED)
    image = tf.image.stateless_random_crop(image, [IMAGE_SIZE, IMAGE_SIZE, 3], seed=seeds[0])
    image = tf.image.stateless_random_flip_left_right(image, seed=seeds[1])
    image = tf.image.stateless_random_brightness(image, 0.2, seed=seeds[2])
    image = tf.image.stateless_random_contrast(image, 0.8, 1.2, seed=seeds[3])
    return tf.clip_by_value(image, 0.0, 1.0), label


def normalize(image, label):
    return tf.image.per_image_standardization(image), label


def mixup(images, labels, weight):
    one_hot = tf.one_hot(labels, 10)
    mixed_images = weight * images + (1.0 - weight) * tf.reverse(images, axis=[0])
    mixed_labels = weight * one_hot + (1.0 - weight) * tf.reverse(one_hot, axis=[0])
    return mixed_images, mixed_labels
