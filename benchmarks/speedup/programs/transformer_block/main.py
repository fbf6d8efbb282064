"""Train the transformer classifier with a custom loop on synthetic token sequences.

Task: does token 1 occur more often than token 2 in the sequence? (needs
attention over the whole sequence.)
"""

import tensorflow as tf

from model import build_classifier

MAXLEN = 32
VOCAB = 50


def make_dataset(size, batch_size, seed):
    generator = tf.random.Generator.from_seed(seed)
    tokens = generator.uniform([size, MAXLEN], 0, VOCAB, dtype=tf.int32)
    ones = tf.reduce_sum(tf.cast(tokens == 1, tf.int32), axis=1)
    twos = tf.reduce_sum(tf.cast(tokens == 2, tf.int32), axis=1)
    labels = tf.cast(ones > twos, tf.int32)
    return tf.data.Dataset.from_tensor_slices((tokens, labels)).batch(batch_size, drop_remainder=True)


def loss_fn(labels, logits):
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))


def train_step(model, optimizer, tokens, labels):
    with tf.GradientTape() as tape:
        logits = model(tokens, training=True)
        loss = loss_fn(labels, logits)
    grads = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))
    accuracy = tf.reduce_mean(tf.cast(tf.argmax(logits, axis=1, output_type=tf.int32) == labels, tf.float32))
    return loss, accuracy


#: How many epochs main() runs when not told (``steps``).
DEFAULT_STEPS = 3


def main(steps=None):
    tf.keras.utils.set_random_seed(0)
    epochs = steps or DEFAULT_STEPS
    train_data = make_dataset(1280, 32, seed=1)
    model = build_classifier(MAXLEN, VOCAB)
    optimizer = tf.keras.optimizers.AdamW(1e-3)
    for epoch in range(epochs):
        losses = []
        accuracies = []
        for tokens, labels in train_data:
            loss, accuracy = train_step(model, optimizer, tokens, labels)
            losses.append(loss)
            accuracies.append(accuracy)
    return {"loss": float(tf.reduce_mean(losses)), "accuracy": float(tf.reduce_mean(accuracies))}


if __name__ == "__main__":
    print(main())
