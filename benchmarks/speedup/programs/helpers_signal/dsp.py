"""Small signal-processing helpers, one feature each.

Some were decorated with @tf.function "for speed" when they were written.
Each does a handful of ops on a 256 x 8 window, far too little to pay for a
graph call.
"""

import tensorflow as tf


@tf.function
def remove_dc(window):
    return window - tf.reduce_mean(window, axis=0, keepdims=True)


def rms(window):
    return tf.sqrt(tf.reduce_mean(tf.square(window), axis=0))


@tf.function
def peak_to_peak(window):
    return tf.reduce_max(window, axis=0) - tf.reduce_min(window, axis=0)


def zero_crossing_rate(window):
    signs = tf.sign(window)
    return tf.reduce_mean(tf.cast(signs[1:] != signs[:-1], tf.float32), axis=0)


@tf.function
def spectral_centroid(window, frequencies):
    spectrum = tf.abs(tf.signal.rfft(tf.transpose(window)))
    return tf.reduce_sum(spectrum * frequencies, axis=1) / (tf.reduce_sum(spectrum, axis=1) + 1e-6)


def exponential_average(previous, current, decay):
    return decay * previous + (1.0 - decay) * current


@tf.function
def standard_score(value, mean, variance):
    return (value - mean) / tf.sqrt(variance + 1e-6)
