"""Linear regression trained with a decaying learning rate passed as the epoch number.

The training step is a tf.function; the loop passes it the epoch as a Python
int to compute the schedule, so every epoch traces a new graph (HYB201). Each
epoch runs only a few batches, as in fine-tuning or curriculum schedules, so
tracing dominates the run.
"""

import tensorflow as tf

FEATURES = 16


@tf.function
def train_step(weights, features, targets, epoch):
    rate = 0.1 / (1.0 + 0.05 * tf.cast(epoch, tf.float32))
    with tf.GradientTape() as tape:
        predictions = tf.matmul(features, weights)
        loss = tf.reduce_mean(tf.square(predictions - targets))
    gradient = tape.gradient(loss, weights)
    weights.assign_sub(rate * gradient)
    return loss


#: How many epochs main() runs when not told (``steps``).
DEFAULT_STEPS = 60


def main(steps=None):
    epochs = steps or DEFAULT_STEPS
    generator = tf.random.Generator.from_seed(3)
    true_weights = generator.normal([FEATURES, 1])
    features = generator.normal([256, FEATURES])
    targets = tf.matmul(features, true_weights) + 0.1 * generator.normal([256, 1])
    batches = tf.data.Dataset.from_tensor_slices((features, targets)).batch(64)
    weights = tf.Variable(tf.zeros([FEATURES, 1]))
    loss = tf.constant(0.0)
    for epoch in range(epochs):
        for batch_features, batch_targets in batches:
            loss = train_step(weights, batch_features, batch_targets, epoch)
    return {"loss": float(loss), "error": float(tf.reduce_max(tf.abs(weights - true_weights)))}


if __name__ == "__main__":
    print(main())
