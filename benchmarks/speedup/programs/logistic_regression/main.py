"""L2-regularised logistic regression with hand-written variables and plain SGD.

No Keras: the parameters are tf.Variables updated with assign_sub, the way
TF's "Logistic regression for binary classification" guide writes it.
"""

import tensorflow as tf

FEATURES = 30
LEARNING_RATE = 0.1
L2 = 1e-3


def make_data(size, seed):
    generator = tf.random.Generator.from_seed(seed)
    true_weights = tf.random.stateless_normal([FEATURES, 1], seed=[4, 4])
    features = generator.normal([size, FEATURES])
    logits = tf.matmul(features, true_weights) + 0.5 * generator.normal([size, 1])
    labels = tf.cast(logits > 0.0, tf.float32)
    return features, labels


def standardize(features, mean, std):
    return (features - mean) / std


def predict_proba(weights, bias, features):
    return tf.sigmoid(tf.matmul(features, weights) + bias)


def log_loss(weights, labels, probabilities):
    probabilities = tf.clip_by_value(probabilities, 1e-7, 1.0 - 1e-7)
    cross_entropy = -(labels * tf.math.log(probabilities) + (1.0 - labels) * tf.math.log(1.0 - probabilities))
    return tf.reduce_mean(cross_entropy) + L2 * tf.reduce_sum(tf.square(weights))


def train_step(weights, bias, features, labels):
    with tf.GradientTape() as tape:
        loss = log_loss(weights, labels, predict_proba(weights, bias, features))
    grad_weights, grad_bias = tape.gradient(loss, [weights, bias])
    weights.assign_sub(LEARNING_RATE * grad_weights)
    bias.assign_sub(LEARNING_RATE * grad_bias)
    return loss


def accuracy(weights, bias, features, labels):
    predictions = tf.cast(predict_proba(weights, bias, features) > 0.5, tf.float32)
    return tf.reduce_mean(tf.cast(predictions == labels, tf.float32))


#: How many epochs main() runs when not told (``steps``).
DEFAULT_STEPS = 12


def main(steps=None):
    epochs = steps or DEFAULT_STEPS
    features, labels = make_data(4096, seed=1)
    mean = tf.reduce_mean(features, axis=0)
    std = tf.math.reduce_std(features, axis=0)
    dataset = tf.data.Dataset.from_tensor_slices((features, labels)).shuffle(4096, seed=2).batch(32)
    weights = tf.Variable(tf.zeros([FEATURES, 1]))
    bias = tf.Variable(tf.zeros([1]))
    for epoch in range(epochs):
        for batch_features, batch_labels in dataset:
            loss = train_step(weights, bias, standardize(batch_features, mean, std), batch_labels)
    return {"loss": float(loss), "accuracy": float(accuracy(weights, bias, standardize(features, mean, std), labels)),
            "bias": float(bias[0])}


if __name__ == "__main__":
    print(main())
