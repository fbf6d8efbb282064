"""A sequence classifier trained on padded batches of variable-length token sequences.

Sequences of 5 to 120 tokens go through ``padded_batch``, so batches come in
many padded lengths and the tf.function training step traces once per length
(HYB203). reduce_retracing=True lets TensorFlow relax the length to None.
"""

import tensorflow as tf

VOCABULARY = 200
CLASSES = 4


def make_sequences(count, seed):
    generator = tf.random.Generator.from_seed(seed)
    lengths = generator.uniform([count], 5, 121, dtype=tf.int32)
    tokens = [generator.uniform([int(n)], 1, VOCABULARY, dtype=tf.int32) for n in lengths]
    labels = [int(tf.reduce_sum(t)) % CLASSES for t in tokens]
    return tf.data.Dataset.from_generator(
        lambda: zip(tokens, labels),
        output_signature=(tf.TensorSpec([None], tf.int32), tf.TensorSpec([], tf.int32)),
    )


def build_model():
    return tf.keras.Sequential([
        tf.keras.layers.Embedding(VOCABULARY, 16),
        tf.keras.layers.Conv1D(32, 3, padding="same", activation="relu"),
        tf.keras.layers.GlobalMaxPooling1D(),
        tf.keras.layers.Dense(CLASSES),
    ])


loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)


@tf.function
def train_step(model, optimizer, tokens, labels):
    with tf.GradientTape() as tape:
        logits = model(tokens, training=True)
        loss = loss_fn(labels, logits)
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return loss


#: How many epochs main() runs when not told (``steps``).
DEFAULT_STEPS = 2


def main(steps=None):
    tf.keras.utils.set_random_seed(0)
    epochs = steps or DEFAULT_STEPS
    sequences = make_sequences(480, seed=5).cache()
    model = build_model()
    optimizer = tf.keras.optimizers.SGD(0.05)
    losses = []
    for epoch in range(epochs):
        for tokens, labels in sequences.padded_batch(16):
            losses.append(float(train_step(model, optimizer, tokens, labels)))
    return {"loss": sum(losses[-10:]) / 10}


if __name__ == "__main__":
    print(main())
