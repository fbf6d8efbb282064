"""Batch inference: preprocess, classify and post-process a stream of image batches.

The model is a small residual CNN with fixed seeded weights (a stand-in for
a loaded checkpoint). Each batch of 48x48 images is resized, normalised,
classified; the loop keeps the top-3 classes, the confidence and the
predictive entropy, and counts low-confidence images.
"""

import numpy as np
import tensorflow as tf

CLASSES = 20
INPUT_SIZE = 32
MEAN = tf.constant([0.485, 0.456, 0.406])
STD = tf.constant([0.229, 0.224, 0.225])


def residual_block(x, filters):
    shortcut = x
    x = tf.keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    x = tf.keras.layers.Conv2D(filters, 3, padding="same")(x)
    return tf.keras.layers.ReLU()(x + shortcut)


def build_model():
    inputs = tf.keras.Input(shape=(INPUT_SIZE, INPUT_SIZE, 3))
    x = tf.keras.layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")(inputs)
    x = residual_block(x, 16)
    x = tf.keras.layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(x)
    x = residual_block(x, 32)
    x = tf.keras.layers.GlobalAveragePooling2D()(x)
    x = tf.keras.layers.Dense(64, activation="relu")(x)
    return tf.keras.Model(inputs, tf.keras.layers.Dense(CLASSES)(x))


def preprocess(images):
    images = tf.image.resize(images, [INPUT_SIZE, INPUT_SIZE])
    return (images - MEAN) / STD


def predict(model, images):
    logits = model(preprocess(images), training=False)
    probabilities = tf.nn.softmax(logits)
    top_probabilities, top_classes = tf.math.top_k(probabilities, k=3)
    entropy = -tf.reduce_sum(probabilities * tf.math.log(probabilities + 1e-9), axis=1)
    return top_classes, top_probabilities[:, 0], entropy


#: How many batches main() runs when not told (``steps``).
DEFAULT_STEPS = 240


def main(steps=None):
    tf.keras.utils.set_random_seed(0)
    batches = steps or DEFAULT_STEPS
    model = build_model()
    generator = tf.random.Generator.from_seed(1)
    class_counts = np.zeros(CLASSES, dtype=np.int64)
    confidences = []
    entropies = []
    uncertain = 0
    for index in range(batches):
        images = generator.uniform([32, 48, 48, 3])
        top_classes, confidence, entropy = predict(model, images)
        class_counts += np.bincount(top_classes[:, 0].numpy(), minlength=CLASSES)
        confidences.append(confidence.numpy())
        entropies.append(entropy.numpy())
        uncertain += int(tf.reduce_sum(tf.cast(confidence < 0.2, tf.int32)))
    return {"mean_confidence": float(np.mean(np.concatenate(confidences))),
            "mean_entropy": float(np.mean(np.concatenate(entropies))),
            "uncertain": uncertain, "most_common_class": int(np.argmax(class_counts))}


if __name__ == "__main__":
    print(main())
