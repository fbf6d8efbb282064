"""flake8-hybrid: lint and fix TensorFlow 2 code that mixes eager and graph execution."""

__version__ = "0.1.0"
