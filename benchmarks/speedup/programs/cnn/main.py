"""A small convolutional classifier (functional Keras API) trained with a custom loop.

Synthetic 28x28 grey images: each of 10 classes is a fixed random template,
every image is its class template shifted in brightness plus Gaussian noise.
Training tracks loss and accuracy with Keras metrics, as the Keras guide does.
"""

import tensorflow as tf

CLASSES = 10
IMAGE_SIZE = 28


def make_dataset(size, batch_size, seed):
    templates = tf.random.stateless_uniform([CLASSES, IMAGE_SIZE, IMAGE_SIZE, 1], seed=[3, 3])
    generator = tf.random.Generator.from_seed(seed)
    labels = generator.uniform([size], 0, CLASSES, dtype=tf.int32)
    brightness = generator.uniform([size, 1, 1, 1], -0.2, 0.2)
    noise = 0.3 * generator.normal([size, IMAGE_SIZE, IMAGE_SIZE, 1])
    images = tf.gather(templates, labels) + brightness + noise
    return tf.data.Dataset.from_tensor_slices((images, labels)).batch(batch_size, drop_remainder=True)


def build_model():
    inputs = tf.keras.Input(shape=(IMAGE_SIZE, IMAGE_SIZE, 1))
    x = tf.keras.layers.Conv2D(8, 3, activation="relu")(inputs)
    x = tf.keras.layers.MaxPooling2D()(x)
    x = tf.keras.layers.Conv2D(16, 3, activation="relu")(x)
    x = tf.keras.layers.MaxPooling2D()(x)
    x = tf.keras.layers.Flatten()(x)
    x = tf.keras.layers.Dense(32, activation="relu")(x)
    outputs = tf.keras.layers.Dense(CLASSES)(x)
    return tf.keras.Model(inputs, outputs)


loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
train_loss = tf.keras.metrics.Mean(name="train_loss")
train_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name="train_accuracy")


def train_step(model, optimizer, images, labels):
    with tf.GradientTape() as tape:
        predictions = model(images, training=True)
        loss = loss_object(labels, predictions)
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    train_loss(loss)
    train_accuracy(labels, predictions)


#: How many epochs main() runs when not told (``steps``).
DEFAULT_STEPS = 3


def main(steps=None):
    tf.keras.utils.set_random_seed(0)
    epochs = steps or DEFAULT_STEPS
    dataset = make_dataset(1024, 32, seed=1)
    model = build_model()
    optimizer = tf.keras.optimizers.SGD(0.05, momentum=0.9)
    history = []
    for epoch in range(epochs):
        train_loss.reset_state()
        train_accuracy.reset_state()
        for images, labels in dataset:
            train_step(model, optimizer, images, labels)
        history.append(float(train_loss.result()))
    return {"loss": history[-1], "first_epoch_loss": history[0], "accuracy": float(train_accuracy.result())}


if __name__ == "__main__":
    print(main())
