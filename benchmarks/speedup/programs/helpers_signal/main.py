"""A streaming monitor for an 8-channel sensor recording: features per window, drift alarms.

The recording (sines, a slow drift, bursts and noise) is cut into 256-sample
windows with a hop of 64. For every window the monitor computes a few named
features per channel with small helpers, keeps an exponential running mean
and variance of each, and raises an alarm when a feature moves more than 4
standard deviations. The loop is Python (it logs, counts and keeps history
per feature), so only the helpers could be graphs: and each is too small to
gain anything from one.
"""

import math

import tensorflow as tf

from dsp import (exponential_average, peak_to_peak, remove_dc, rms, spectral_centroid, standard_score,
                 zero_crossing_rate)

CHANNELS = 8
RATE = 1000.0
WINDOW = 256
HOP = 64
DECAY = tf.constant(0.97)
FREQUENCIES = tf.range(WINDOW // 2 + 1, dtype=tf.float32) * (RATE / WINDOW)


class RunningStatistics:
    def __init__(self, first):
        self.mean = first
        self.variance = tf.ones_like(first)
        self.alarms = []
        self.largest_scores = []

    def update(self, index, value):
        score = standard_score(value, self.mean, self.variance)
        if bool(tf.reduce_any(tf.abs(score) > 4.0)):
            self.alarms.append(index)
        self.largest_scores.append(float(tf.reduce_max(tf.abs(score))))
        self.mean = exponential_average(self.mean, value, DECAY)
        self.variance = exponential_average(self.variance, tf.square(value - self.mean), DECAY)


def synthetic_recording(samples, seed):
    generator = tf.random.Generator.from_seed(seed)
    time = tf.range(samples, dtype=tf.float32)[:, None] / RATE
    tones = tf.sin(2.0 * math.pi * tf.linspace(5.0, 120.0, CHANNELS)[None, :] * time)
    drift = 0.5 * time / time[-1]
    bursts = tf.cast(tf.sin(2.0 * math.pi * 0.3 * time) > 0.995, tf.float32) * 3.0
    return tones + drift + bursts + 0.2 * generator.normal([samples, CHANNELS])


#: How many windows main() runs when not told (``steps``).
DEFAULT_STEPS = 400


def main(steps=None):
    windows_wanted = (steps or DEFAULT_STEPS) + 1
    recording = synthetic_recording(WINDOW + HOP * (windows_wanted - 1), seed=1)
    windows = tf.data.Dataset.from_tensor_slices(tf.signal.frame(recording, WINDOW, HOP, axis=0))
    statistics = {}
    for index, window in enumerate(windows):
        centered = remove_dc(window)
        features = {
            "rms": rms(centered),
            "peak_to_peak": peak_to_peak(centered),
            "zero_crossings": zero_crossing_rate(centered),
            "centroid": spectral_centroid(centered, FREQUENCIES),
        }
        if not statistics:
            statistics = {name: RunningStatistics(value) for name, value in features.items()}
            continue
        for name, value in features.items():
            statistics[name].update(index, value)
    alarms = sorted({index for stats in statistics.values() for index in stats.alarms})
    largest = [score for stats in statistics.values() for score in stats.largest_scores]
    return {"alarms": len(alarms), "first_alarm": alarms[0] if alarms else -1,
            "mean_max_score": sum(largest) / len(largest),
            "final_mean_rms": float(tf.reduce_mean(statistics["rms"].mean))}


if __name__ == "__main__":
    print(main())
