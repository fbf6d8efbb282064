"""The classifier: a small convolutional network."""
import tensorflow as tf


class Classifier(tf.keras.Model):
    def __init__(self, classes=10):
        super().__init__()
        self.conv = tf.keras.layers.Conv2D(16, 3, activation="relu")
        self.pool = tf.keras.layers.GlobalAveragePooling2D()
        self.head = tf.keras.layers.Dense(classes)

    def call(self, images, training=False):
        return self.head(self.pool(self.conv(images)))


# Serving: relax shapes so batches of any size share one graph.
@tf.function(experimental_relax_shapes=True)
def predict(model, images):
    return tf.argmax(model(images), axis=-1)


@tf.function(input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32)], reduce_retracing=True)
def normalize(images):
    mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
    return images - mean
