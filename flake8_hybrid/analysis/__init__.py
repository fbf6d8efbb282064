"""Static analysis of TensorFlow code: names, the API model, tf.function sites."""
