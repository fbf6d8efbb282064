"""An LSTM sequence classifier trained with a custom loop.

Synthetic sequences: 24 steps of 8 noisy features; the label says which of
4 frequencies the hidden sine wave has.
"""

import math

import tensorflow as tf

STEPS = 24
FEATURES = 8
CLASSES = 4


def make_sequences(size, seed):
    generator = tf.random.Generator.from_seed(seed)
    labels = generator.uniform([size], 0, CLASSES, dtype=tf.int32)
    frequency = tf.cast(labels + 1, tf.float32)[:, None] * (2.0 * math.pi / STEPS)
    phase = generator.uniform([size, 1], 0.0, 2.0 * math.pi)
    time = tf.range(STEPS, dtype=tf.float32)[None, :]
    wave = tf.sin(frequency * time + phase)
    mixing = tf.random.stateless_normal([1, FEATURES], seed=[5, 5])
    sequences = wave[:, :, None] * mixing + 0.3 * generator.normal([size, STEPS, FEATURES])
    return sequences, labels


class SequenceClassifier(tf.keras.Model):
    def __init__(self, units=32):
        super().__init__()
        self.lstm = tf.keras.layers.LSTM(units)
        self.head = tf.keras.layers.Dense(CLASSES)

    def call(self, sequences, training=False):
        return self.head(self.lstm(sequences, training=training))


def compute_loss(labels, logits):
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))


def train_step(model, optimizer, sequences, labels):
    with tf.GradientTape() as tape:
        logits = model(sequences, training=True)
        loss = compute_loss(labels, logits)
    gradients = tape.gradient(loss, model.trainable_variables)
    gradients, _ = tf.clip_by_global_norm(gradients, 5.0)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return loss


#: How many epochs main() runs when not told (``steps``).
DEFAULT_STEPS = 3


def main(steps=None):
    tf.keras.utils.set_random_seed(0)
    epochs = steps or DEFAULT_STEPS
    sequences, labels = make_sequences(640, seed=1)
    dataset = tf.data.Dataset.from_tensor_slices((sequences, labels)).batch(32)
    model = SequenceClassifier()
    optimizer = tf.keras.optimizers.RMSprop(3e-3)
    losses = []
    for epoch in range(epochs):
        for batch_sequences, batch_labels in dataset:
            losses.append(float(train_step(model, optimizer, batch_sequences, batch_labels)))
    logits = model(sequences[:256])
    accuracy = tf.reduce_mean(tf.cast(tf.argmax(logits, axis=1, output_type=tf.int32) == labels[:256], tf.float32))
    return {"final_loss": sum(losses[-5:]) / 5, "first_loss": losses[0], "accuracy": float(accuracy)}


if __name__ == "__main__":
    print(main())
