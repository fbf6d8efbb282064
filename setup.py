from setuptools import find_packages, setup

with open("README.md", encoding="utf-8") as readme:
    long_description = readme.read()

setup(
    name="flake8-hybrid",
    version="0.1.0",
    description="Lint and fix TensorFlow 2 code that mixes eager and graph (tf.function) execution",
    long_description=long_description,
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.9",
    packages=find_packages(include=["flake8_hybrid", "flake8_hybrid.*"]),
    package_data={"flake8_hybrid": ["data/*.yaml"]},
    install_requires=[
        "flake8>=6,<8",
        "libcst>=1.1",
        "pyyaml>=5.4",
    ],
    extras_require={
        "test": [
            "pytest>=7",
            "hypothesis>=6",
            "pre-commit>=3",
            "tensorflow==2.21.0",
        ],
    },
    entry_points={
        "flake8.extension": ["HYB = flake8_hybrid.plugin:Plugin"],
        "console_scripts": ["flake8-hybrid-fix = flake8_hybrid.fix.cli:main"],
    },
    classifiers=[
        "Framework :: Flake8",
        "Environment :: Console",
        "Intended Audience :: Developers",
        "License :: OSI Approved :: Apache Software License",
        "Programming Language :: Python :: 3",
        "Topic :: Software Development :: Quality Assurance",
    ],
)
