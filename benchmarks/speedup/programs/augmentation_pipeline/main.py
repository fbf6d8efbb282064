"""A small image classifier fed by a tf.data augmentation pipeline, with MixUp per batch.

Synthetic 32x32 RGB images (a coloured square on noise, the class is the
square's colour). Augmentation: random crop, flip, brightness and contrast
with stateless random ops seeded per element, then per-image
standardisation, all inside Dataset.map; MixUp on each batch in the loop.
"""

import tensorflow as tf

from augment import IMAGE_SIZE, augment, mixup, normalize

CLASSES = 10


def synthetic_images(size, seed):
    generator = tf.random.Generator.from_seed(seed)
    labels = generator.uniform([size], 0, CLASSES, dtype=tf.int32)
    palette = tf.random.stateless_uniform([CLASSES, 1, 1, 3], seed=[6, 6])
    square = tf.pad(tf.ones([12, 12, 1]), [[10, 10], [10, 10], [0, 0]])
    images = 0.5 * generator.uniform([size, IMAGE_SIZE, IMAGE_SIZE, 3]) + 0.5 * square * tf.gather(palette, labels)
    return images, labels


def make_pipeline(images, labels, batch_size, seed):
    dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    seeds = tf.data.Dataset.random(seed=seed).batch(2)
    dataset = tf.data.Dataset.zip((dataset, seeds)).map(lambda example, s: augment(example[0], example[1], s))
    dataset = dataset.map(normalize)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(2)


def build_model():
    return tf.keras.Sequential([
        tf.keras.Input(shape=(IMAGE_SIZE, IMAGE_SIZE, 3)),
        tf.keras.layers.Conv2D(16, 3, strides=2, activation="relu"),
        tf.keras.layers.Conv2D(32, 3, strides=2, activation="relu"),
        tf.keras.layers.GlobalAveragePooling2D(),
        tf.keras.layers.Dense(CLASSES),
    ])


loss_fn = tf.keras.losses.CategoricalCrossentropy(from_logits=True)


def train_step(model, optimizer, images, targets):
    with tf.GradientTape() as tape:
        loss = loss_fn(targets, model(images, training=True))
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return loss


#: How many epochs main() runs when not told (``steps``).
DEFAULT_STEPS = 6


def main(steps=None):
    tf.keras.utils.set_random_seed(0)
    epochs = steps or DEFAULT_STEPS
    images, labels = synthetic_images(768, seed=1)
    pipeline = make_pipeline(images, labels, 32, seed=2)
    model = build_model()
    optimizer = tf.keras.optimizers.Adam(3e-3)
    rng = tf.random.Generator.from_seed(3)
    for epoch in range(epochs):
        total = 0.0
        count = 0
        for batch_images, batch_labels in pipeline:
            weight = rng.uniform([], 0.6, 1.0)
            mixed_images, mixed_targets = mixup(batch_images, batch_labels, weight)
            total += float(train_step(model, optimizer, mixed_images, mixed_targets))
            count += 1
    test_images, test_labels = synthetic_images(256, seed=4)
    test_images, _ = normalize(test_images, test_labels)
    predictions = tf.argmax(model(test_images), axis=1, output_type=tf.int32)
    accuracy = tf.reduce_mean(tf.cast(predictions == test_labels, tf.float32))
    return {"train_loss": total / count, "test_accuracy": float(accuracy)}


if __name__ == "__main__":
    print(main())
