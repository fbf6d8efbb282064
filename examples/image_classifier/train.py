"""Train the classifier with a custom loop, then once more with Keras' fit."""
import argparse

import tensorflow as tf

from image_classifier.data import dataset
from image_classifier.model import Classifier, normalize, predict

loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)


@tf.function(experimental_compile=True)
def train_step(model, optimizer, images, labels):
    with tf.GradientTape() as tape:
        loss = loss_fn(labels, model(normalize(images), training=True))
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return loss


@tf.function
def rescale(images):
    return images * 2.0 - 1.0


def evaluate(model, images, labels):
    logits = model(rescale(images))
    probabilities = tf.nn.softmax(logits)
    confidence = tf.reduce_mean(tf.reduce_max(probabilities, axis=-1))
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, axis=-1), labels), tf.float32))
    entropy = -tf.reduce_mean(tf.reduce_sum(probabilities * tf.math.log(probabilities + 1e-9), axis=-1))
    return accuracy, confidence, entropy


@tf.function(autograph=False)
def clipped_mean(losses):
    mean = tf.reduce_mean(losses)
    if mean > 10.0:
        return tf.constant(10.0)
    return mean


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)
    tf.config.experimental_run_functions_eagerly(args.debug)
    tf.keras.utils.set_random_seed(0)  # seeds Python, NumPy and TensorFlow (Keras initializers too)

    model = Classifier()
    optimizer = tf.keras.optimizers.SGD(0.1)
    losses = []
    for step, (images, labels) in enumerate(dataset().repeat()):
        if step == args.steps:
            break
        losses.append(train_step(model, optimizer, images, labels))
    print("custom loop: mean loss", float(tf.reduce_mean(losses)))
    scores = [evaluate(model, images, labels) for images, labels in dataset(seed=1)]
    print("accuracy, confidence, entropy", [float(tf.reduce_mean(s)) for s in zip(*scores)])

    model.compile(optimizer="sgd", loss=loss_fn, run_eagerly=True)
    history = model.fit(dataset(), epochs=1, verbose=0)
    print("fit: loss", history.history["loss"][-1])
    print("predictions", predict(model, next(iter(dataset()))[0])[:8].numpy())


if __name__ == "__main__":
    main()
